import type { PayloadOf, Person } from '@crosswalk/core';
import { samePerson } from './people.js';

type Payload = PayloadOf<'gitlab.merge_request.approval'>;
export type Facts = Pick<
  Payload,
  | 'approvals'
  | 'approvalsAfterMerge'
  | 'approvedByNonAuthor'
  | 'approvedAfterLastPush'
  | 'selfApproved'
  | 'selfMerged'
  | 'approvalsBeforeMerge'
  | 'approvedAfterMerge'
>;

/** One approval as GitLab recorded it (an `approved` event): who, and when. */
export interface Approval {
  approver: Person;
  approvedAt: string;
}

/**
 * The approval state at the merge, from every approval GitLab recorded on the merge request. What an auditor
 * filters on describes the state in which the change went in: approvals given at or after mergedAt are listed
 * apart and count for nothing; an approval counts as approving the merged code only when it was given at or after
 * the last push (the push that brought the head commit), which is what "approval after the last commit" means when
 * commit dates can be written by their authors. The author's own approval is self-approval, never an approval.
 * Exported for the tests that pin each rule down.
 */
export function approvalFacts(input: {
  author: Person | null;
  mergedBy: Person | null;
  mergedAt: string;
  lastPushAt: string | null;
  approvals: readonly Approval[];
}): Facts {
  const ordered = [...input.approvals].sort((a, b) => a.approvedAt.localeCompare(b.approvedAt));
  const before = ordered.filter((approval) => approval.approvedAt < input.mergedAt);
  const after = ordered.filter((approval) => approval.approvedAt >= input.mergedAt);
  const byOthers = before.filter((approval) => !samePerson(approval.approver, input.author));
  const afterLastPush = (approval: Approval) =>
    input.lastPushAt === null ? null : approval.approvedAt >= input.lastPushAt;
  const approvers: Person[] = [];
  for (const approval of byOthers) {
    if (!approvers.some((known) => samePerson(known, approval.approver))) approvers.push(approval.approver);
  }
  return {
    approvals: before.map((approval) => ({ ...approval, afterLastPush: afterLastPush(approval) })),
    approvalsAfterMerge: after.map((approval) => ({ ...approval })),
    approvedByNonAuthor: byOthers.length > 0,
    approvedAfterLastPush: byOthers.some((approval) => afterLastPush(approval) === true),
    selfApproved: before.some((approval) => samePerson(approval.approver, input.author)),
    selfMerged: samePerson(input.author, input.mergedBy),
    approvalsBeforeMerge: approvers.length,
    approvedAfterMerge: after.length > 0,
  };
}
