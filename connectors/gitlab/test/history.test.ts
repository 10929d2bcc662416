import { closedAfterEach } from '@crosswalk/connector-testkit';
import { kindDeclaration, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { gitlabConnector } from '../src/index.js';
import { collect, configFor, startFake } from './helpers.js';

const fake = closedAfterEach(startFake);
const collector = (id: string) => gitlabConnector.collectors.find((c) => c.id === id)!;
type MergeRequest = PayloadOf<'gitlab.merge_request.approval'>;

const facts = (p: MergeRequest) => ({
  approvedByNonAuthor: p.approvedByNonAuthor,
  approvedAfterLastPush: p.approvedAfterLastPush,
  selfApproved: p.selfApproved,
  selfMerged: p.selfMerged,
  approvalsBeforeMerge: p.approvalsBeforeMerge,
  approvedAfterMerge: p.approvedAfterMerge,
});

/** The group of helpers.ts: merge requests !1-!8 of acme/api with the answers written there. */
describe('a GitLab history with known answers', () => {
  it('gives each merge request merged in the window its approval state at the merge', async () => {
    const server = await fake();
    const result = await collect(collector('merge_request_approvals'), configFor(server));
    expect(result.error).toBeUndefined();
    const byIid = new Map(
      result.records.map((r) => [(r.payload as MergeRequest).iid, r.payload as MergeRequest]),
    );
    expect([...byIid.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 8]);

    // Approved, then a new commit was pushed: the approval stands, but it did not see the merged code.
    expect(facts(byIid.get(1)!)).toEqual({
      approvedByNonAuthor: true,
      approvedAfterLastPush: false,
      selfApproved: false,
      selfMerged: false,
      approvalsBeforeMerge: 1,
      approvedAfterMerge: false,
    });
    expect(byIid.get(1)).toMatchObject({
      lastPushAt: '2026-03-02T11:00:00.000Z',
      lastPushFrom: 'push_event',
      approvals: [
        {
          approver: { login: 'cara.maint', id: '3' },
          approvedAt: '2026-03-02T10:00:00.000Z',
          afterLastPush: false,
        },
      ],
    });

    // Self-approval: the author's own approval is recorded and counts for nothing.
    expect(facts(byIid.get(2)!)).toEqual({
      approvedByNonAuthor: false,
      approvedAfterLastPush: false,
      selfApproved: true,
      selfMerged: true,
      approvalsBeforeMerge: 0,
      approvedAfterMerge: false,
    });

    // Approved half an hour after the merge: named as such, never an approval.
    expect(facts(byIid.get(3)!)).toEqual({
      approvedByNonAuthor: false,
      approvedAfterLastPush: false,
      selfApproved: false,
      selfMerged: false,
      approvalsBeforeMerge: 0,
      approvedAfterMerge: true,
    });
    expect(byIid.get(3)).toMatchObject({
      approvals: [],
      approvalsAfterMerge: [{ approver: { login: 'cara.maint' }, approvedAt: '2026-03-04T10:30:00.000Z' }],
    });

    // Merged with no approval at all.
    expect(facts(byIid.get(4)!)).toMatchObject({ approvedByNonAuthor: false, approvedAfterMerge: false });
    expect(byIid.get(4)!.approvals).toEqual([]);

    expect(facts(byIid.get(5)!)).toMatchObject({ approvedAfterLastPush: true, approvalsBeforeMerge: 2 });

    // From a fork: the push is the fork's, so the time comes from the merge request's diff versions.
    expect(byIid.get(6)).toMatchObject({
      lastPushFrom: 'diff_version',
      lastPushAt: '2026-03-06T08:30:00.000Z',
      approvedAfterLastPush: true,
    });
    // Created and approved in February, merged in the window: the approval is found.
    expect(facts(byIid.get(8)!)).toMatchObject({ approvedByNonAuthor: true, approvedAfterLastPush: true });

    expect(result.records.find((r) => (r.payload as MergeRequest).iid === 1)).toMatchObject({
      occurredAt: '2026-03-02T12:00:00.000Z',
      source: { system: 'gitlab', ref: 'acme/api!1', url: `${server.url}/projects/11/merge_requests/1` },
    });
    // One merged list, one approved-events list and one pushed-events list for the project, and the diff versions
    // of the fork's merge request alone.
    expect(server.requests.map((r) => r.path)).toEqual([
      '/groups/acme/projects',
      '/projects/11/merge_requests',
      '/projects/11/events',
      '/projects/11/events',
      '/projects/11/merge_requests/6/versions',
      '/projects/12/merge_requests',
    ]);
  });

  it('records the removal of eve.gone in the window by id, username and remover, and not the one before it', async () => {
    const server = await fake();
    const result = await collect(collector('member_removed'), configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records.map((r) => [r.occurredAt, r.payload])).toEqual([
      [
        '2026-03-03T15:00:00.000Z',
        {
          group: 'acme',
          entityType: 'Group',
          entity: 'acme',
          member: { id: '5', login: 'eve.gone', name: 'Eve Gone' },
          removedBy: { id: '1', name: 'Ana Owner' },
          auditEventId: '901',
        },
      ],
    ]);
  });

  it('snapshots members with 2FA as an administrator sees it, and as unknown otherwise', async () => {
    const server = await fake();
    const admin = await collect(collector('group_members'), configFor(server));
    expect(admin.error).toBeUndefined();
    const payload = admin.records[0]!.payload as PayloadOf<'gitlab.group_members'>;
    expect(payload.requireTwoFactor).toBe(true);
    expect(payload.members.map((m) => [m.person.login, m.role, m.twoFactorEnabled])).toEqual([
      ['ana.owner', 'Owner', true],
      ['ben.dev', 'Developer', true],
      ['cara.maint', 'Maintainer', false],
      ['dan.dev', 'Developer', true],
    ]);
    expect(payload.counts).toEqual({ members: 4, owners: 1, withoutTwoFactor: 1 });
    // The leaver and orphaned-account joins read the members through the kind's accounts declaration.
    expect(kindDeclaration('gitlab.group_members').accounts).toMatchObject({
      holds: 'access',
      matchBy: 'account',
    });
    expect(kindDeclaration('gitlab.group_members').accounts!.read(payload)[2]).toEqual({
      login: 'cara.maint',
      email: null,
      employeeId: null,
      name: 'Cara Maint',
      active: true,
      endedAt: null,
    });
    const plain = await collect(collector('group_members'), configFor(server, { instanceAdmin: false }));
    const unknown = plain.records[0]!.payload as PayloadOf<'gitlab.group_members'>;
    expect(unknown.twoFactorKnown).toBe(false);
    expect(unknown.members.every((m) => m.twoFactorEnabled === null)).toBe(true);
    expect(unknown.counts.withoutTwoFactor).toBeNull();
  });

  it('snapshots protected branches and approval rules per project, and their absence', async () => {
    const server = await fake();
    const result = await collect(collector('branch_protection'), configFor(server));
    expect(result.error).toBeUndefined();
    const [api, web] = result.records.map((r) => r.payload as PayloadOf<'gitlab.branch_protection'>);
    expect(api).toMatchObject({
      project: 'acme/api',
      defaultBranchProtected: true,
      protectedBranches: [
        { name: 'main', allowForcePush: false, push: [{ accessLevel: 0 }], merge: [{ accessLevel: 40 }] },
      ],
      approvalRules: [{ name: 'Two reviewers', approvalsRequired: 2, protectedBranches: ['main'] }],
      approvalSettings: {
        resetApprovalsOnPush: false,
        authorMayApprove: false,
        committersMayNotApprove: true,
      },
    });
    expect(web).toMatchObject({ project: 'acme/web', defaultBranchProtected: false, protectedBranches: [] });
    const free = await collect(collector('branch_protection'), configFor(server, { tier: 'free' }));
    expect(free.records.map((r) => (r.payload as { approvalRules: unknown }).approvalRules)).toEqual([
      null,
      null,
    ]);
  });
});
