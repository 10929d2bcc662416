import { collectorHarness } from '@crosswalk/connector-testkit';
import type { GitHubConfig, GitHubConfigInput } from '../src/config.js';
import { githubConnector } from '../src/index.js';
import {
  account,
  FakeGitHub,
  type FakeGitHubOptions,
  type FakeOrganization,
  githubTime,
  mergedPullRequest,
  organization,
  repository,
  review,
  sha,
} from '../src/sandbox/index.js';

export const TOKEN = 'ghp_TestTokenThatMustNeverLeak0123456789';
export const NOW = '2026-03-08T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';

/** Runs one collector with the test kit's harness, at the tests' fixed time and window. */
export const collect = collectorHarness<GitHubConfig, GitHubConfigInput>(githubConnector, {
  now: NOW,
  window: WINDOW,
});

/**
 * A version-1 (time-based) UUID stamped at `at` (ms), as GitHub's X-GitHub-Delivery GUIDs are; the node part is
 * fixed so two calls for one time give one GUID.
 */
export function v1Uuid(at: number, node = '81ab-4c9367dc0958'): string {
  const ticks = (BigInt(at) * 10_000n + 122_192_928_000_000_000n).toString(16).padStart(15, '0');
  return `${ticks.slice(7)}-${ticks.slice(3, 7)}-1${ticks.slice(0, 3)}-${node}`;
}

/** A config pointing at the fake, with loopback-friendly request settings. */
export function configFor(fake: FakeGitHub, overrides: Partial<GitHubConfigInput> = {}): GitHubConfigInput {
  return {
    type: 'github',
    org: fake.org.account.login,
    baseUrl: fake.url,
    auth: { kind: 'token', token: TOKEN },
    controlOwner: 'secops@acme.example',
    requests: { graphqlSpacingMs: 0, pageSize: 100 },
    ...overrides,
  };
}

export async function startFake(
  org: FakeOrganization,
  options: Partial<FakeGitHubOptions> = {},
): Promise<FakeGitHub> {
  return FakeGitHub.start({ org, token: TOKEN, ...options });
}

export const people = {
  alice: account('alice', 'Alice Author'),
  bob: account('bob', 'Bob Reviewer'),
  carol: account('carol', 'Carol Admin'),
  dave: account('dave'),
  erin: account('erin'),
  mallory: account('mallory'),
};

const at = (iso: string) => `2026-03-${iso}Z`;

/**
 * The organization most tests use. `acme/api` has classic protection and a ruleset and five merged PRs that
 * exercise each approval fact; `acme/web` is unprotected; `acme/empty` has no commits; `acme/old` is archived.
 */
export function acme(): FakeOrganization {
  const { alice, bob, carol, erin, mallory } = people;
  const head = (n: number) => sha(`${n}:2`);
  return organization('acme', {
    members: [
      { user: carol, role: 'admin' },
      { user: alice, role: 'member' },
      { user: bob, role: 'member' },
      { user: mallory, role: 'member' },
    ],
    outsideCollaborators: [erin],
    membersWithoutTwoFactor: [mallory],
    auditLog: [
      {
        id: 'doc-1',
        timestamp: Date.parse(at('03T09:15:00.123')),
        action: 'org.remove_member',
        actor: 'carol',
        user: 'dave',
      },
      {
        id: 'doc-2',
        timestamp: Date.parse(at('04T10:00:00.000')),
        action: 'org.add_member',
        actor: 'carol',
        user: 'mallory',
      },
      {
        id: 'doc-3',
        timestamp: Date.parse(at('09T10:00:00.000')),
        action: 'org.remove_member',
        actor: 'carol',
        user: 'erin',
      },
    ],
    repositories: [
      repository('api', {
        classicProtection: {
          requiredApprovals: 1,
          dismissStaleReviews: true,
          requireCodeOwnerReviews: false,
          requireLastPushApproval: true,
          enforceAdmins: true,
          bypassUsers: [carol],
          allowForcePushes: false,
        },
        rulesets: [
          {
            id: 42,
            name: 'main needs two approvals',
            bypassActors: [{ actor_id: 1, actor_type: 'OrganizationAdmin', bypass_mode: 'always' }],
            rules: [
              {
                type: 'pull_request',
                parameters: {
                  required_approving_review_count: 2,
                  dismiss_stale_reviews_on_push: true,
                  require_code_owner_review: true,
                  require_last_push_approval: false,
                  required_review_thread_resolution: false,
                  allowed_merge_methods: ['squash'],
                },
              },
              { type: 'deletion' },
            ],
          },
        ],
        pulls: [
          // Approved by bob on the head commit, then merged by its author: approved, final commit, self-merged.
          mergedPullRequest(1, {
            author: alice,
            mergedAt: at('02T10:00:00'),
            commits: [sha('1:1'), head(1)],
            reviews: [review(bob, 'APPROVED', at('02T09:00:00'), head(1))],
          }),
          // Approved on the first commit; a later push was never re-approved. Merged by bob.
          mergedPullRequest(2, {
            author: alice,
            mergedBy: bob,
            mergedAt: at('03T12:00:00'),
            commits: [sha('2:1'), head(2)],
            reviews: [review(bob, 'APPROVED', at('03T08:00:00'), sha('2:1'))],
          }),
          // The only approval is the author's own; bob only commented.
          mergedPullRequest(3, {
            author: alice,
            mergedAt: at('04T12:00:00'),
            commits: [head(3)],
            reviews: [
              review(alice, 'APPROVED', at('04T11:00:00'), head(3)),
              review(bob, 'COMMENTED', at('04T11:30:00'), head(3)),
            ],
          }),
          // Approved only after it was merged.
          mergedPullRequest(4, {
            author: bob,
            mergedBy: carol,
            mergedAt: at('05T12:00:00'),
            commits: [head(4)],
            reviews: [review(alice, 'APPROVED', at('05T13:00:00'), head(4))],
          }),
          // Merged after the window.
          mergedPullRequest(5, {
            author: alice,
            mergedAt: at('08T00:00:00'),
            commits: [head(5)],
            reviews: [review(bob, 'APPROVED', at('07T23:00:00'), head(5))],
          }),
        ],
      }),
      repository('web', {
        pulls: [
          mergedPullRequest(7, {
            author: bob,
            mergedBy: alice,
            mergedAt: at('06T16:45:30'),
            commits: [head(7)],
            reviews: [
              review(alice, 'CHANGES_REQUESTED', at('06T10:00:00'), head(7)),
              review(carol, 'APPROVED', at('06T15:00:00'), head(7)),
              review(alice, 'APPROVED', at('06T16:00:00'), head(7)),
            ],
          }),
        ],
      }),
      repository('empty', { empty: true }),
      repository('old', { archived: true }),
    ],
  });
}

/** `count` merged PRs in one repository, each with two reviews, spread evenly over the window. */
export function manyPullRequests(count: number, window = WINDOW): FakeOrganization {
  const { alice, bob, carol } = people;
  const since = Date.parse(window.since);
  const span = Date.parse(window.until) - since;
  const pulls = Array.from({ length: count }, (_, index) => {
    const number = index + 1;
    const mergedAt = githubTime(since + Math.floor(((index + 0.5) * span) / count / 1000) * 1000);
    const head = sha(`${number}:head`);
    return mergedPullRequest(number, {
      author: alice,
      mergedBy: bob,
      mergedAt,
      commits: [head],
      reviews: [
        review(carol, 'COMMENTED', githubTime(Date.parse(mergedAt) - 120_000), head),
        review(bob, 'APPROVED', githubTime(Date.parse(mergedAt) - 60_000), head),
      ],
    });
  });
  return organization('acme', {
    members: [{ user: carol, role: 'admin' }],
    repositories: [repository('api', { pulls })],
  });
}
