import { collectorHarness } from '@crosswalk/connector-testkit';
import type { GitLabConfig, GitLabConfigInput } from '../src/config.js';
import { gitlabConnector } from '../src/index.js';
import {
  FakeGitLab,
  type FakeGitLabOptions,
  type FakeGroup,
  type FakeMergeRequest,
  project,
  sha,
  user,
} from '../src/sandbox/index.js';

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';
export * from '../src/sandbox/index.js';

export const NOW = '2026-03-08T06:00:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
export const TOKEN = 'glpat-Xq3vT9kLm2Rw8ZpB4nYc';
export const SECRETS = [TOKEN];

export const collect = collectorHarness<GitLabConfig, GitLabConfigInput>(gitlabConnector, {
  now: NOW,
  window: WINDOW,
});

export function configFor(fake: FakeGitLab, overrides: Partial<GitLabConfigInput> = {}): GitLabConfigInput {
  return {
    type: 'gitlab',
    baseUrl: fake.origin,
    token: TOKEN,
    group: 'acme',
    instanceAdmin: true,
    controlOwner: 'eng-leads@acme.example',
    requests: { backoffMs: 10, maxRateLimitWaitSeconds: 5 },
    ...overrides,
  };
}

export function startFake(
  group: FakeGroup = acme(),
  options: Partial<Omit<FakeGitLabOptions, 'group' | 'token'>> = {},
): Promise<FakeGitLab> {
  return FakeGitLab.start({ group, token: TOKEN, admin: true, ...options });
}

/** A merge request from ben.dev to main with one push, merged by cara.maint; the rest as a test says. */
function mr(iid: number, at: string, fields: Partial<FakeMergeRequest> = {}): FakeMergeRequest {
  return {
    iid,
    title: `Change ${iid}`,
    authorId: 2,
    createdAt: `${at.slice(0, 10)}T08:00:00.000Z`,
    mergedAt: at,
    mergedById: 3,
    sourceBranch: `feature-${iid}`,
    targetBranch: 'main',
    pushes: [{ at: `${at.slice(0, 10)}T08:30:00.000Z`, sha: sha(iid * 10), userId: fields.authorId ?? 2 }],
    approvals: [],
    ...fields,
  };
}

/**
 * The group most tests use, with the known answers of the history test (window 2026-03-01 to 03-08):
 * - !1 approved by cara at 10:00, then ben pushed a new commit at 11:00, merged 12:00: approved, but not after the
 *   last push;
 * - !2 dan approved his own merge request and merged it: self-approval, self-merge, no other approval;
 * - !3 merged unapproved at 10:00, cara approved it at 10:30: an approval after merge, named as such;
 * - !4 merged with no approval at all;
 * - !5 approved by cara and ana after the last push: two approvals after the last push;
 * - !6 from a fork (its pushes are not acme/api's events): the last push comes from the diff versions;
 * - !7 merged before the window (not collected); !8 created and approved in February, merged in the window.
 * Members: ana (Owner), ben, dan (Developers), cara (Maintainer, no 2FA); eve was removed on 03-03 (and frank on
 * 02-25, before the window). acme/web has no protected branch and no merge requests.
 */
export function acme(): FakeGroup {
  const api = project(11, 'acme/api', [
    mr(1, '2026-03-02T12:00:00.000Z', {
      pushes: [
        { at: '2026-03-02T09:00:00.000Z', sha: sha(11), userId: 2 },
        { at: '2026-03-02T11:00:00.000Z', sha: sha(12), userId: 2 },
      ],
      approvals: [{ userId: 3, at: '2026-03-02T10:00:00.000Z' }],
    }),
    mr(2, '2026-03-03T10:00:00.000Z', {
      authorId: 4,
      mergedById: 4,
      approvals: [{ userId: 4, at: '2026-03-03T09:30:00.000Z' }],
    }),
    mr(3, '2026-03-04T10:00:00.000Z', { approvals: [{ userId: 3, at: '2026-03-04T10:30:00.000Z' }] }),
    mr(4, '2026-03-05T09:30:00.000Z', { authorId: 4 }),
    mr(5, '2026-03-05T12:00:00.000Z', {
      mergedById: 1,
      approvals: [
        { userId: 3, at: '2026-03-05T11:00:00.000Z' },
        { userId: 1, at: '2026-03-05T11:05:00.000Z' },
      ],
    }),
    mr(6, '2026-03-06T10:00:00.000Z', {
      authorId: 4,
      fromFork: true,
      approvals: [{ userId: 2, at: '2026-03-06T09:00:00.000Z' }],
    }),
    mr(7, '2026-02-27T10:00:00.000Z', { approvals: [{ userId: 3, at: '2026-02-27T09:00:00.000Z' }] }),
    mr(8, '2026-03-01T08:00:00.000Z', {
      createdAt: '2026-02-20T08:00:00.000Z',
      pushes: [{ at: '2026-02-20T08:30:00.000Z', sha: sha(80), userId: 2 }],
      approvals: [{ userId: 3, at: '2026-02-21T15:00:00.000Z' }],
    }),
  ]);
  const web = { ...project(12, 'acme/web'), protectedBranches: [], approvalRules: [] };
  return {
    id: 7,
    fullPath: 'acme',
    requireTwoFactor: true,
    users: [
      user(1, 'ana.owner'),
      user(2, 'ben.dev'),
      user(3, 'cara.maint', false),
      user(4, 'dan.dev'),
      user(5, 'eve.gone'),
      user(6, 'frank.old'),
    ],
    members: [
      { userId: 1, accessLevel: 50 },
      { userId: 2, accessLevel: 30 },
      { userId: 3, accessLevel: 40 },
      { userId: 4, accessLevel: 30, expiresAt: '2026-12-31' },
    ],
    projects: [api, web],
    removals: [
      {
        id: 901,
        userId: 5,
        byId: 1,
        at: '2026-03-03T15:00:00.000Z',
        entityType: 'Group',
        entityPath: 'acme',
      },
      {
        id: 900,
        userId: 6,
        byId: 1,
        at: '2026-02-25T15:00:00.000Z',
        entityType: 'Group',
        entityPath: 'acme',
      },
    ],
  };
}

/**
 * `count` merged merge requests in one project, each with two approvals after its last push, spread over the
 * window: what the benchmark collects.
 */
export function manyMergeRequests(count: number, window: { since: string; until: string }): FakeGroup {
  const group = acme();
  const start = Date.parse(window.since);
  const step = (Date.parse(window.until) - start) / (count + 1);
  const at = (n: number, offsetMs: number) => new Date(start + step * n + offsetMs).toISOString();
  const mergeRequests: FakeMergeRequest[] = [];
  for (let n = 1; n <= count; n++) {
    mergeRequests.push({
      ...mr(n, at(n, 0)),
      createdAt: at(n, -4_000),
      pushes: [{ at: at(n, -3_000), sha: sha(n), userId: 2 }],
      approvals: [
        { userId: 3, at: at(n, -2_000) },
        { userId: 1, at: at(n, -1_000) },
      ],
    });
  }
  return { ...group, projects: [project(11, 'acme/api', mergeRequests)] };
}
