import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';
import { pullRequestDraft, scheduledProvenance } from '@crosswalk/core/testing';
import type { Locker } from '@crosswalk/locker';
import { collectorRun, listed, runDraft } from '@crosswalk/locker/testing';

/**
 * A locker with items inside, outside and on both edges of WINDOW, and a week of run manifests with one failed
 * day and one day without a run, for export, verify and coverage tests (here and in the CLI's tests).
 */
export const WINDOW = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-08T00:00:00.000Z' } as const;
/** "Now" for coverage: well after the window, so every day of it is over. */
export const NOW = new Date('2026-03-01T00:00:00.000Z');
export const CONNECTOR = 'github-acme';

/** Pull requests by where they fall: `in` ones must be exported, `out` ones must not. */
export const PULL_REQUESTS = {
  beforeFrom: { occurredAt: '2025-12-31T23:59:59.999Z', in: false },
  atFrom: { occurredAt: '2026-01-01T00:00:00.000Z', in: true },
  collectedAfterWindow: {
    occurredAt: '2026-01-03T10:00:00.000Z',
    in: true,
    collectedAt: '2026-02-01T09:00:00.000Z',
  },
  lastMillisecond: { occurredAt: '2026-01-07T23:59:59.999Z', in: true },
  atTo: { occurredAt: '2026-01-08T00:00:00.000Z', in: false },
  longAfter: { occurredAt: '2026-01-20T08:00:00.000Z', in: false },
} as const;

/** Days of WINDOW with a branch-protection snapshot: 2026-01-04 has none. Plus one the day before the window. */
export const SNAPSHOT_DAYS = [
  '2025-12-31',
  '2026-01-01',
  '2026-01-02',
  '2026-01-03',
  '2026-01-05',
  '2026-01-06',
  '2026-01-07',
];
export const MISSING_SNAPSHOT_DAY = '2026-01-04';
/** The run of this day has a failed branch_protection collector; the day after has no run at all. */
export const FAILED_RUN_DAY = '2026-01-06';
export const NO_RUN_DAY = '2026-01-07';

/**
 * One run a day from the day before the window to the day after, except NO_RUN_DAY; each lists what it stored
 * that day. Plus the run that collected the late pull request.
 */
export const RUN_DAYS = [
  '2025-12-31',
  '2026-01-01',
  '2026-01-02',
  '2026-01-03',
  '2026-01-04',
  '2026-01-05',
  '2026-01-06',
  '2026-01-08',
  '2026-02-01',
] as const;

export interface Seeded {
  /** Ids by PULL_REQUESTS name. */
  pullRequests: Record<keyof typeof PULL_REQUESTS, string>;
  snapshots: Record<string, string>;
  /** Every id that belongs in an export of WINDOW (all kinds). */
  inside: string[];
  outside: string[];
  runs: number;
}

export function branchProtectionDraft(occurredAt: string): EvidenceDraft<'github.branch_protection'> {
  return {
    kind: 'github.branch_protection',
    occurredAt,
    collectedAt: occurredAt,
    owner: { people: [{ login: 'acme-admin' }], controlOwner: 'platform@acme.example' },
    actors: [],
    source: { system: 'github', instance: 'acme', ref: 'acme/api@main', url: 'https://github.com/acme/api' },
    controls: controlsFor('github.branch_protection'),
    payload: {
      repository: 'acme/api',
      branch: 'main',
      emptyRepository: false,
      protected: true,
      rules: [],
    },
    provenance: scheduledProvenance(
      { id: CONNECTOR, type: 'github' },
      'branch_protection',
      `run-${occurredAt.slice(0, 10)}`,
      [{ method: 'GET', path: '/repos/acme/api/branches/main/protection', status: 200, requestId: null }],
    ),
  };
}

export async function seedLocker(locker: Locker): Promise<Seeded> {
  const stored: { id: string; kind: string; sha256: string; key: string; collectedAt: string }[] = [];
  const pullRequests = {} as Record<keyof typeof PULL_REQUESTS, string>;
  let number = 100;
  for (const [name, pr] of Object.entries(PULL_REQUESTS) as [
    keyof typeof PULL_REQUESTS,
    (typeof PULL_REQUESTS)[keyof typeof PULL_REQUESTS],
  ][]) {
    const collectedAt = 'collectedAt' in pr ? pr.collectedAt : pr.occurredAt;
    const draft = pullRequestDraft({
      ref: `acme/api#${number++}`,
      occurredAt: pr.occurredAt,
      collectedAt,
      controls: controlsFor('github.pull_request.approval'),
    });
    const result = await locker.storeDraft(draft);
    pullRequests[name] = result.id;
    stored.push({ id: result.id, kind: draft.kind, sha256: result.sha256, key: result.key, collectedAt });
  }
  const snapshots: Record<string, string> = {};
  for (const day of SNAPSHOT_DAYS) {
    const draft = branchProtectionDraft(`${day}T02:17:30.000Z`);
    const result = await locker.storeDraft(draft);
    snapshots[day] = result.id;
    stored.push({
      id: result.id,
      kind: draft.kind,
      sha256: result.sha256,
      key: result.key,
      collectedAt: draft.collectedAt,
    });
  }

  let previousDay = '';
  for (const day of RUN_DAYS) {
    const failed = day === FAILED_RUN_DAY;
    const startedAt = `${day}T02:17:00.000Z`;
    await locker.runs.append(
      runDraft({
        runId: `run-${day}`,
        startedAt,
        finishedAt: `${day}T02:19:00.000Z`,
        status: failed ? 'partial' : 'succeeded',
        collectors: [
          collector('pull_request_approvals', 'github.pull_request.approval', day, 'succeeded'),
          collector('branch_protection', 'github.branch_protection', day, failed ? 'failed' : 'succeeded'),
        ],
        // What was collected since the previous run (a day without a run is stored by the next one).
        records: listed(
          stored.filter((s) => s.collectedAt.slice(0, 10) <= day && s.collectedAt.slice(0, 10) > previousDay),
        ),
      }),
    );
    previousDay = day;
  }

  const inside = [
    ...Object.entries(PULL_REQUESTS)
      .filter(([, pr]) => pr.in)
      .map(([name]) => pullRequests[name as keyof typeof PULL_REQUESTS]),
    ...SNAPSHOT_DAYS.filter((d) => d >= WINDOW.from.slice(0, 10)).map((d) => snapshots[d]!),
  ];
  const outside = stored.map((s) => s.id).filter((id) => !inside.includes(id));
  return { pullRequests, snapshots, inside, outside, runs: RUN_DAYS.length };
}

function collector(id: string, kind: string, day: string, status: 'succeeded' | 'failed') {
  return collectorRun({
    id,
    kind,
    window: { since: `${day}T00:00:00.000Z`, until: `${day}T02:17:00.000Z` },
    status,
  });
}
