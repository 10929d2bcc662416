import { readFileSync } from 'node:fs';
import { collectorHarness } from '@crosswalk/connector-testkit';
import type { JiraConfig, JiraConfigInput } from '../src/config.js';
import { jiraConnector } from '../src/index.js';
import {
  FakeJira,
  type FakeJiraOptions,
  type FakeSite,
  type FakeUser,
  site,
  ticket,
  user,
} from '../src/sandbox/index.js';

export * from '../src/sandbox/index.js';

/**
 * Atlassian's documented `jira:issue_updated` delivery body (test/fixtures/SOURCE.md), as a fresh object to edit,
 * and as the exact bytes of the file.
 */
// biome-ignore lint/suspicious/noExplicitAny: payloads are edited field by field in tests
export function issueUpdatedExample(): Record<string, any> {
  return JSON.parse(readFileSync(new URL('./fixtures/issue-updated.json', import.meta.url), 'utf8'));
}

export const EMAIL = 'crosswalk-bot@acme.example';
export const API_TOKEN = 'ATATT3xFfGF0TestTokenThatMustNeverLeak0123456789abcdef';
export const NOW = '2026-03-08T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

export const DEPROVISIONING_JQL = 'project = IT AND issuetype = Offboarding';
export const PROVISIONING_JQL = 'project = IT AND issuetype = "Access request"';
export const ACCESS_REVIEW_JQL = 'project = SEC AND labels = access-review';
/** A user picker custom field naming the leaver. */
export const LEAVER_FIELD = 'customfield_10042';

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';

/** Runs one collector with the test kit's harness, at the tests' fixed time and window. */
export const collect = collectorHarness<JiraConfig, JiraConfigInput>(jiraConnector, {
  now: NOW,
  window: WINDOW,
});

/** A config pointing at the fake, with loopback-friendly request settings. */
export function configFor(fake: FakeJira, overrides: Partial<JiraConfigInput> = {}): JiraConfigInput {
  return {
    type: 'jira',
    siteUrl: fake.url,
    auth: { kind: 'basic', email: EMAIL, apiToken: API_TOKEN },
    kinds: {
      deprovisioning: {
        jql: DEPROVISIONING_JQL,
        subjectField: LEAVER_FIELD,
        subjectPattern: '^Offboard (?<subject>\\S+)',
      },
      provisioning: {
        jql: PROVISIONING_JQL,
        subjectPattern: '^Access for (?<subject>\\S+)',
        approvedStatuses: ['Approved'],
      },
      accessReview: { jql: ACCESS_REVIEW_JQL },
    },
    controlOwner: 'secops@acme.example',
    requests: { backoffMs: 20 },
    ...overrides,
  };
}

export async function startFakeJira(
  fakeSite: FakeSite,
  options: Partial<FakeJiraOptions> = {},
): Promise<FakeJira> {
  return FakeJira.start({ site: fakeSite, basic: { email: EMAIL, apiToken: API_TOKEN }, ...options });
}

export const people = {
  alice: user('alice', 'Alice Admin'),
  bob: user('bob', 'Bob Manager', 'bob@acme.example'),
  carol: user('carol', 'Carol Approver'),
  erin: user('erin', 'Erin Leaver', 'erin@acme.example'),
  henry: user('henry', 'Henry Hidden'),
};

const at = (day: string, time: string) => `2026-03-${day}T${time}Z`;

/**
 * The site most tests use, in UTC-5 (JQL dates and answer times in that zone). Offboarding tickets IT-1..IT-8
 * exercise the window edges, subject sources and a long changelog; access requests AR-1..AR-2 the approval
 * statuses; SEC-1 an access review.
 */
export function acmeSite(overrides: Partial<FakeSite> = {}): FakeSite {
  const { alice, bob, carol, erin, henry } = people;
  const done = (when: string, by: FakeUser = alice) => [
    {
      to: 'In Progress',
      at: when.replace(/T(\d\d)/, (_m, h) => `T${String(Number(h) - 1).padStart(2, '0')}`),
      by,
    },
    { to: 'Done', at: when, by },
  ];
  const offboarding = { project: 'IT', issueType: 'Offboarding', reporter: bob, assignee: alice } as const;
  /** Asked for by bob, done by alice. */
  const accessRequest = {
    project: 'IT',
    issueType: 'Access request',
    reporter: bob,
    assignee: alice,
  } as const;
  const issues = [
    // Subject from the summary; resolved by alice.
    ticket('IT-1', {
      ...offboarding,
      summary: 'Offboard dave@acme.example',
      created: at('02', '09:00:00.000'),
      transitions: done(at('02', '15:00:00.000')),
      resolution: 'Done',
    }),
    // Subject from the user picker field (email visible).
    ticket('IT-2', {
      ...offboarding,
      summary: 'Leaver: Erin',
      created: at('03', '08:00:00.000'),
      custom: { [LEAVER_FIELD]: null },
      transitions: done(at('05', '12:00:00.000')),
      resolution: 'Done',
    }),
    // Subject from a user picker whose email is hidden: only the account id and name.
    ticket('IT-3', {
      ...offboarding,
      summary: 'Leaver: Henry',
      created: at('04', '10:00:00.000'),
      transitions: done(at('04', '18:30:00.000')),
      resolution: 'Done',
    }),
    // Resolved after the window.
    ticket('IT-4', {
      ...offboarding,
      summary: 'Offboard late@acme.example',
      created: at('07', '09:00:00.000'),
      transitions: done(at('09', '10:00:00.000')),
      resolution: 'Done',
    }),
    // Never resolved.
    ticket('IT-5', {
      ...offboarding,
      summary: 'Offboard open@acme.example',
      created: at('06', '09:00:00.000'),
      transitions: [{ to: 'In Progress', at: at('06', '10:00:00.000'), by: alice }],
    }),
    // Resolved half an hour before the window closes: in, although JQL's local-time minutes differ.
    ticket('IT-6', {
      ...offboarding,
      summary: 'Offboard edge@acme.example',
      created: at('07', '20:00:00.000'),
      transitions: done(at('07', '23:30:00.000')),
      resolution: 'Done',
    }),
    // Resolved ten minutes after the window closed: out, although the widened JQL returns it.
    ticket('IT-7', {
      ...offboarding,
      summary: 'Offboard after@acme.example',
      created: at('07', '21:00:00.000'),
      transitions: [
        { to: 'In Progress', at: at('07', '22:00:00.000'), by: alice },
        { to: 'Done', at: '2026-03-08T00:10:00.000Z', by: alice },
      ],
      resolution: 'Done',
    }),
    // A long history (30 edits): the search answer carries only part of it, the rest is paged.
    ticket('IT-8', {
      ...offboarding,
      summary: 'Offboard busy@acme.example',
      created: at('01', '08:00:00.000'),
      edits: Array.from({ length: 30 }, (_, i) => ({
        at: `2026-03-01T10:${String(i).padStart(2, '0')}:00.000Z`,
        by: bob,
      })),
      transitions: [
        { to: 'In Progress', at: at('01', '11:00:00.000'), by: carol },
        { to: 'Done', at: at('01', '12:00:00.000'), by: carol },
      ],
      resolution: 'Done',
    }),
    // Access requests: approved by carol, done by alice.
    ticket('AR-1', {
      ...accessRequest,
      summary: 'Access for erin@acme.example to the billing app',
      created: at('02', '09:00:00.000'),
      transitions: [
        { to: 'Waiting for approval', at: at('02', '09:05:00.000'), by: bob },
        { to: 'Approved', at: at('02', '11:00:00.000'), by: carol },
        { to: 'Done', at: at('02', '12:00:00.000'), by: alice },
      ],
      resolution: 'Done',
    }),
    // Approved by the person who asked for it.
    ticket('AR-2', {
      ...accessRequest,
      summary: 'Access for bob@acme.example to production',
      created: at('03', '09:00:00.000'),
      transitions: [
        { to: 'Approved', at: at('03', '09:10:00.000'), by: bob },
        { to: 'Done', at: at('03', '10:00:00.000'), by: alice },
      ],
      resolution: 'Done',
    }),
    ticket('SEC-1', {
      project: 'SEC',
      issueType: 'Task',
      summary: 'Q1 access review: production AWS',
      created: at('01', '09:00:00.000'),
      reporter: carol,
      assignee: carol,
      transitions: [
        { to: 'In Progress', at: at('04', '09:00:00.000'), by: carol },
        { to: 'Done', at: at('06', '17:00:00.000'), by: carol },
      ],
      resolution: 'Done',
    }),
  ];
  const it2 = issues.find((i) => i.key === 'IT-2')!;
  it2.custom[LEAVER_FIELD] = {
    accountId: erin.accountId,
    displayName: erin.displayName,
    emailAddress: erin.emailAddress,
  };
  const it3 = issues.find((i) => i.key === 'IT-3')!;
  it3.custom[LEAVER_FIELD] = { accountId: henry.accountId, displayName: henry.displayName };
  return site({
    users: Object.values(people),
    issues,
    queries: {
      [DEPROVISIONING_JQL]: issues.filter((i) => i.key.startsWith('IT-')).map((i) => i.key),
      [PROVISIONING_JQL]: ['AR-1', 'AR-2'],
      [ACCESS_REVIEW_JQL]: ['SEC-1'],
    },
    utcOffsetMinutes: -300,
    changelogInSearch: 20,
    ...overrides,
  });
}
