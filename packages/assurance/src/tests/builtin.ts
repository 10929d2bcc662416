import type { EvidenceKind, EvidenceRecord, PayloadOf, Person } from '@crosswalk/core';
import { z } from 'zod';

/**
 * The named tests a register may use. Each says which kinds it reads, validates its parameters, and judges one
 * record: `pass`, `fail` with the facts that failed (in words an auditor reads), or `pending` when the answer cannot
 * be known yet (a leaver whose deadline has not passed). `facts` are the values the verdict rests on: they go into
 * the population, so a sampled item can be checked by hand.
 */
export interface Verdict {
  outcome: 'pass' | 'fail' | 'pending';
  failed: string[];
  facts: Record<string, unknown>;
}

export interface BuiltinTest {
  description: string;
  kinds: readonly EvidenceKind[];
  params: z.ZodType<Record<string, unknown>>;
  run(record: EvidenceRecord, params: Record<string, unknown>): Verdict;
}

export function personLabel(person: Person | null | undefined): string | null {
  if (!person) return null;
  return person.login ?? person.email ?? person.name ?? person.id ?? null;
}

function sameAccount(a: Person | null, b: Person | null): boolean {
  if (!a || !b) return false;
  if (a.id && b.id) return a.id === b.id;
  if (a.login && b.login) return a.login.toLowerCase() === b.login.toLowerCase();
  return false;
}

function verdict(failed: string[], facts: Record<string, unknown>, pending = false): Verdict {
  return { outcome: failed.length > 0 ? 'fail' : pending ? 'pending' : 'pass', failed, facts };
}

/** The state-at-merge facts are optional: records stored before the collector computed them lack them. */
type PullRequest = PayloadOf<'github.pull_request.approval'> & {
  changesRequestedAtMerge?: boolean;
  approvedAfterMerge?: boolean;
};
type Review = PullRequest['reviews'][number];

/**
 * The state at the merge for records stored before the collector computed it (they lack changesRequestedAtMerge):
 * the same rule the GitHub collector applies now. A reviewer's latest APPROVED or CHANGES_REQUESTED review before
 * the merge stands, COMMENTED replaces nothing, DISMISSED counts for nothing; the author's reviews never count.
 */
function stateAtMerge(pr: PullRequest): { approvers: number; onFinal: boolean; changesRequested: boolean } {
  const standing: Review[] = [];
  const ordered = pr.reviews
    .filter(
      (r) =>
        r.reviewer !== null &&
        !sameAccount(r.reviewer, pr.author) &&
        r.submittedAt !== null &&
        r.submittedAt < pr.mergedAt &&
        (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED'),
    )
    .sort((a, b) => a.submittedAt!.localeCompare(b.submittedAt!));
  for (const review of ordered) {
    const at = standing.findIndex((known) => sameAccount(known.reviewer, review.reviewer));
    if (at >= 0) standing.splice(at, 1);
    standing.push(review);
  }
  const approvals = standing.filter((r) => r.state === 'APPROVED');
  return {
    approvers: approvals.length,
    onFinal: approvals.some((r) => r.commit === pr.headCommit),
    changesRequested: standing.some((r) => r.state === 'CHANGES_REQUESTED'),
  };
}

/** What the test judges, read from either code host's record. */
interface MergeState {
  approvals: number;
  /** GitHub: a standing approval on the merged commit; GitLab: an approval given after the last push. */
  onFinal: boolean;
  finalFact: string;
  changesRequested: boolean;
  approvedAfterMerge: boolean;
  selfMerged: boolean;
  facts: Record<string, unknown>;
}

function pullRequestState(pr: PullRequest): MergeState {
  const stored = pr.changesRequestedAtMerge !== undefined;
  const computed = stored ? null : stateAtMerge(pr);
  return {
    approvals: computed ? computed.approvers : pr.approvalsBeforeMerge,
    onFinal: computed ? computed.onFinal : pr.approvalOnFinalCommit,
    finalFact: 'approvalOnFinalCommit = false: no standing approval was on the merged commit',
    changesRequested: computed ? computed.changesRequested : pr.changesRequestedAtMerge === true,
    approvedAfterMerge:
      pr.approvedAfterMerge ??
      pr.reviews.some(
        (r) =>
          r.state === 'APPROVED' &&
          !sameAccount(r.reviewer, pr.author) &&
          r.submittedAt !== null &&
          r.submittedAt >= pr.mergedAt,
      ),
    selfMerged: pr.selfMerged,
    facts: {
      repository: pr.repository,
      number: pr.number,
      baseBranch: pr.baseBranch,
      factsFrom: stored ? 'record' : 'reviews (record stored before state-at-merge facts)',
    },
  };
}

/**
 * A GitLab merge request's facts, computed at collection: approvals before the merge by others than the author;
 * approval of the merged code is an approval given after the last push. GitLab approvals have no "changes requested".
 */
function mergeRequestState(mr: PayloadOf<'gitlab.merge_request.approval'>): MergeState {
  return {
    approvals: mr.approvalsBeforeMerge,
    onFinal: mr.approvedAfterLastPush,
    finalFact: 'approvedAfterLastPush = false: no approval was given after the last push',
    changesRequested: false,
    approvedAfterMerge: mr.approvedAfterMerge,
    selfMerged: mr.selfMerged,
    facts: { project: mr.project, iid: mr.iid, targetBranch: mr.targetBranch, selfApproved: mr.selfApproved },
  };
}

const prApproved: BuiltinTest = {
  description:
    'Approved by someone other than its author, as the review decision stood at the merge: at least ' +
    '`minApprovals` standing approvals, one of them on the merged commit (`requireFinalCommit`; GitLab: given ' +
    'after the last push), no standing change request (`forbidChangesRequested`), and optionally not merged by ' +
    'its author (`forbidSelfMerge`). An approval given after the merge does not count.',
  kinds: ['github.pull_request.approval', 'gitlab.merge_request.approval'],
  params: z
    .object({
      minApprovals: z.number().int().min(1).default(1),
      requireFinalCommit: z.boolean().default(true),
      forbidChangesRequested: z.boolean().default(true),
      forbidSelfMerge: z.boolean().default(false),
    })
    .strict(),
  run(record, params) {
    const pr = record.payload as PullRequest & PayloadOf<'gitlab.merge_request.approval'>;
    const state =
      record.kind === 'gitlab.merge_request.approval' ? mergeRequestState(pr) : pullRequestState(pr);
    const failed: string[] = [];
    const min = params.minApprovals as number;
    if (state.approvals < min) {
      failed.push(
        `approvalsBeforeMerge = ${state.approvals}, needs ${min}` +
          (state.approvedAfterMerge ? ' (approved only after the merge: approvedAfterMerge = true)' : ''),
      );
    } else if (params.requireFinalCommit && !state.onFinal) {
      failed.push(state.finalFact);
    }
    if (params.forbidChangesRequested && state.changesRequested) {
      failed.push(
        'changesRequestedAtMerge = true: a reviewer stood at "changes requested" when it was merged',
      );
    }
    if (params.forbidSelfMerge && state.selfMerged) failed.push('selfMerged = true: its author merged it');
    return verdict(failed, {
      ...state.facts,
      author: personLabel(pr.author),
      mergedBy: personLabel(pr.mergedBy),
      mergedAt: pr.mergedAt,
      approvalsBeforeMerge: state.approvals,
      approvalOnFinalCommit: state.onFinal,
      changesRequestedAtMerge: state.changesRequested,
      approvedAfterMerge: state.approvedAfterMerge,
      selfMerged: state.selfMerged,
    });
  },
};

type Timeliness = PayloadOf<'crosswalk.deprovisioning_timeliness'>;

const deprovisionedWithin: BuiltinTest = {
  description:
    "Every system's access of a leaver was removed within `hours` of the request (the ticket's creation); without " +
    '`hours`, within the SLA the derived record was computed with. A system whose deadline has not passed yet is ' +
    'pending, not an exception.',
  kinds: ['crosswalk.deprovisioning_timeliness'],
  params: z
    .object({
      hours: z.number().positive().optional(),
      systems: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict(),
  run(record, params) {
    const t = record.payload as Timeliness;
    const hours = params.hours as number | undefined;
    const only = params.systems as string[] | undefined;
    const limit = hours === undefined ? t.slaMinutes : Math.round(hours * 60);
    const failed: string[] = [];
    let pending = false;
    const systems = t.systems.filter((s) => !only || only.includes(s.system));
    for (const s of systems) {
      if (s.minutesToDeprovision !== null) {
        if (s.minutesToDeprovision > limit) {
          failed.push(
            `${s.system}: removed ${s.minutesToDeprovision} min after the request, limit ${limit} min`,
          );
        }
      } else if (s.status === 'pending') {
        pending = true;
      } else {
        failed.push(`${s.system}: ${s.status}, no removal found within the lookahead`);
      }
    }
    if (systems.length === 0)
      failed.push('none of the systems the control names was checked for this leaver');
    return verdict(
      failed,
      {
        ticket: t.ticket.key,
        subject: personLabel(t.subject),
        requestedAt: t.ticket.requestedAt,
        limitMinutes: limit,
        systems: systems.map((s) => `${s.system}:${s.status}:${s.minutesToDeprovision ?? '-'}`).join(' '),
        final: t.final,
      },
      pending,
    );
  },
};

type OktaReview = PayloadOf<'okta.access_review'>;
type JiraTicket = PayloadOf<'jira.access_review_ticket'>;
type EntraReview = PayloadOf<'entra.access_review'>;
const DAY_MS = 86_400_000;
const DECLINED = /won'?t|duplicate|declin|cancel|reject|invalid/i;

const reviewCompleted: BuiltinTest = {
  description:
    'An access review campaign was completed: every review decided, and every revoke remediated within ' +
    '`remediationDays` of its decision (a revoke still open when it was collected, less than that after the ' +
    'decision, is pending). For a review ticket: resolved as done (not declined) and not approved by its reporter. ' +
    'For an Entra ID review instance: every decision made, and every deny applied within `remediationDays`.',
  kinds: ['okta.access_review', 'jira.access_review_ticket', 'entra.access_review'],
  params: z.object({ remediationDays: z.number().positive().default(14) }).strict(),
  run(record, params) {
    const days = params.remediationDays as number;
    if (record.kind === 'jira.access_review_ticket') {
      const ticket = record.payload as JiraTicket;
      const failed: string[] = [];
      if (ticket.resolution === null || DECLINED.test(ticket.resolution)) {
        failed.push(`resolution = ${ticket.resolution ?? 'none'}: the review was not completed`);
      }
      if (ticket.approvedByReporter === true)
        failed.push('approvedByReporter = true: its requester approved it');
      return verdict(failed, {
        key: ticket.key,
        resolution: ticket.resolution,
        resolvedAt: ticket.resolvedAt,
        approver: personLabel(ticket.approver),
      });
    }
    if (record.kind === 'entra.access_review') return entraReviewVerdict(record, days);
    const review = record.payload as OktaReview;
    const failed: string[] = [];
    let pending = false;
    if (!review.facts.allDecided)
      failed.push(`unreviewed = ${review.facts.unreviewed}: not every review was decided`);
    const collected = Date.parse(record.collectedAt);
    const overdue: string[] = [];
    for (const r of review.reviews) {
      if (r.decision !== 'REVOKE' || r.remediationStatus === 'SUCCESS' || r.remediationStatus === 'MANUAL')
        continue;
      const decided = Date.parse(r.decidedAt ?? review.campaign.endDate);
      if (collected - decided > days * DAY_MS) overdue.push(personLabel(r.principal) ?? r.id);
      else pending = true;
    }
    if (overdue.length > 0) {
      failed.push(
        `revokes not remediated within ${days} days: ${overdue.length} (${overdue.slice(0, 5).join(', ')}` +
          `${overdue.length > 5 ? ', ...' : ''})`,
      );
    }
    return verdict(
      failed,
      {
        campaign: review.campaign.name,
        endDate: review.campaign.endDate,
        reviews: review.facts.reviews,
        revoked: review.facts.revoked,
        revokedNotRemediated: review.facts.revokedNotRemediated,
        unreviewed: review.facts.unreviewed,
      },
      pending,
    );
  },
};

/**
 * An Entra ID access review instance: every decision made (none `NotReviewed`), and every deny applied within `days`
 * of its decision; a deny still unapplied when collected, less than that after the decision, is pending.
 */
function entraReviewVerdict(record: Parameters<BuiltinTest['run']>[0], days: number) {
  const review = record.payload as EntraReview;
  const failed: string[] = [];
  let pending = false;
  if (!review.facts.allReviewed)
    failed.push(`notReviewed = ${review.facts.notReviewed}: not every access was decided`);
  const collected = Date.parse(record.collectedAt);
  const late: string[] = [];
  for (const d of review.decisions) {
    if (d.decision !== 'Deny') continue;
    const decided = Date.parse(d.reviewedDateTime ?? review.instance.endDateTime);
    const applied = d.denyApplied && d.appliedDateTime ? Date.parse(d.appliedDateTime) : undefined;
    if (applied !== undefined && applied - decided <= days * DAY_MS) continue;
    if (applied === undefined && collected - decided <= days * DAY_MS) pending = true;
    else late.push(personLabel(d.principal) ?? d.id);
  }
  if (late.length > 0) {
    failed.push(
      `denies not applied within ${days} days: ${late.length} (${late.slice(0, 5).join(', ')}` +
        `${late.length > 5 ? ', ...' : ''})`,
    );
  }
  return verdict(
    failed,
    {
      review: review.definition.displayName,
      endDate: review.instance.endDateTime,
      decisions: review.facts.decisions,
      denied: review.facts.denied,
      deniedNotApplied: review.facts.deniedNotApplied,
      notReviewed: review.facts.notReviewed,
    },
    pending,
  );
}

export const builtinTests: Record<string, BuiltinTest> = {
  'pr-approved-at-merge': prApproved,
  'deprovisioned-within': deprovisionedWithin,
  'access-review-completed': reviewCompleted,
};
