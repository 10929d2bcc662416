import type { EvidenceRecord, PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { parseRegister } from '../src/register/schema.js';
import { builtinTests } from '../src/tests/builtin.js';

type MergeRequest = PayloadOf<'gitlab.merge_request.approval'>;

const ben = { id: '2', login: 'ben.dev' };
const cara = { id: '3', login: 'cara.maint' };

/** A GitLab merge request by ben, merged by cara at noon; the facts as the GitLab collector computed them. */
function mergeRequest(facts: Partial<MergeRequest>): EvidenceRecord {
  const payload: MergeRequest = {
    project: 'acme/api',
    iid: 1,
    title: 'Change',
    author: ben,
    mergedBy: cara,
    mergedAt: '2026-03-02T12:00:00.000Z',
    targetBranch: 'main',
    sourceBranch: 'feature',
    headCommit: 'c'.repeat(40),
    mergeCommit: null,
    lastPushAt: '2026-03-02T11:00:00.000Z',
    lastPushFrom: 'push_event',
    approvals: [],
    approvalsAfterMerge: [],
    approvedByNonAuthor: false,
    approvedAfterLastPush: false,
    selfApproved: false,
    selfMerged: false,
    approvalsBeforeMerge: 0,
    approvedAfterMerge: false,
    ...facts,
  };
  return { kind: 'gitlab.merge_request.approval', payload } as unknown as EvidenceRecord;
}

const test = builtinTests['pr-approved-at-merge']!;
const params = test.params.parse({ minApprovals: 1, requireFinalCommit: true, forbidChangesRequested: true });

describe('pr-approved-at-merge on GitLab merge requests', () => {
  it('passes a merge request approved by another person after the last push', () => {
    const verdict = test.run(
      mergeRequest({ approvedByNonAuthor: true, approvedAfterLastPush: true, approvalsBeforeMerge: 1 }),
      params,
    );
    expect(verdict).toMatchObject({ outcome: 'pass', failed: [] });
    expect(verdict.facts).toMatchObject({
      project: 'acme/api',
      iid: 1,
      targetBranch: 'main',
      author: 'ben.dev',
    });
  });

  it('fails one approved before a new commit was pushed, naming the GitLab fact', () => {
    const verdict = test.run(mergeRequest({ approvedByNonAuthor: true, approvalsBeforeMerge: 1 }), params);
    expect(verdict.failed).toEqual([
      'approvedAfterLastPush = false: no approval was given after the last push',
    ]);
  });

  it('fails a self-approved one and one approved only after the merge, saying so', () => {
    expect(test.run(mergeRequest({ selfApproved: true }), params).failed).toEqual([
      'approvalsBeforeMerge = 0, needs 1',
    ]);
    expect(test.run(mergeRequest({ approvedAfterMerge: true }), params).failed).toEqual([
      'approvalsBeforeMerge = 0, needs 1 (approved only after the merge: approvedAfterMerge = true)',
    ]);
  });

  it('is accepted by a register as evidence of the built-in, beside GitHub pull requests', () => {
    const register = parseRegister({
      version: 1,
      controls: [
        {
          id: 'CHG-01',
          title: 'Changes are approved',
          description: 'Merged changes were approved by someone other than their author.',
          owner: 'Engineering leads',
          frequency: 'event',
          evidence: [{ kind: 'github.pull_request.approval' }, { kind: 'gitlab.merge_request.approval' }],
          test: { builtin: 'pr-approved-at-merge', params: {} },
        },
      ],
    });
    expect(register.controls[0]!.evidence.map((e) => e.kind)).toEqual([
      'github.pull_request.approval',
      'gitlab.merge_request.approval',
    ]);
  });
});
