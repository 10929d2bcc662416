/**
 * The locker console-pages measures: a year of evidence from three connectors in a bucket of the S3 server,
 * seeded once (about 100,000 objects: minutes on a shared RGW) and kept in bench/.cache/console-pages.json while
 * the bucket still holds it.
 *
 * Over 2025: 92,331 merged pull requests (github-acme; one in 250 fails the change-control test, in turn each of
 * the failing review histories), a daily branch-protection snapshot of 20 repositories and a daily members
 * snapshot (github-platform), four quarterly access reviews (okta-acme), and per connector one chained run
 * manifest per day naming what it stored, as the collectors leave them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { accessReviewDraft, PR_CASES } from '@crosswalk/assurance/testing';
import { type EvidenceDraft, sealRecord } from '@crosswalk/core';
import { keys, mapOrdered } from '@crosswalk/locker';
import { createTestBucket, type S3TestConfig } from '@crosswalk/testing';
import { CACHE_DIR, s3Locker } from './harness.js';
import { rememberSeed } from './seeded-records.js';
import { membersDraft, protectionDraft, spreadPullRequest } from './year-of-evidence.js';

export const FROM = '2025-01-01T00:00:00.000Z';
export const TO = '2026-01-01T00:00:00.000Z';
const DAYS = 365;
export const PRS = 92_331;
const REPOS = 20;
/** One pull request in this many fails CHG-01 (about 370 exceptions a year: an auditor's year, not a disaster). */
const FAILING_EVERY = 250;
const LAYOUT = 1;
const CACHE_FILE = path.join(CACHE_DIR, 'console-pages.json');
export const CONNECTORS = ['github-acme', 'github-platform', 'okta-acme'] as const;
type ConnectorId = (typeof CONNECTORS)[number];

interface SeedCache {
  layout: number;
  bucket: string;
  endpoint: string;
  from: string;
  to: string;
  records: number;
  /** Runs chained per connector. */
  runs: Record<string, number>;
  seededAt: string;
}

export interface Seeded {
  bucket: string;
  records: number;
  reused: boolean;
  durationMs?: number;
}

const PASSING = PR_CASES.flatMap((c, i) => (c.expected.length === 0 ? [i] : []));
const FAILING = PR_CASES.flatMap((c, i) => (c.expected.length > 0 ? [i] : []));

/** Every draft of the year with the connector that collects it. */
async function* drafts(): AsyncGenerator<{ connector: ConnectorId; draft: EvidenceDraft }> {
  for (let i = 0; i < PRS; i++) {
    const index =
      i % FAILING_EVERY === 0 ? FAILING[(i / FAILING_EVERY) % FAILING.length]! : PASSING[i % PASSING.length]!;
    yield {
      connector: 'github-acme',
      draft: spreadPullRequest(PR_CASES[index]!, i, { from: FROM, days: DAYS, count: PRS }),
    };
  }
  for (let n = 0; n < DAYS; n++) {
    for (let r = 0; r < REPOS; r++)
      yield { connector: 'github-platform', draft: protectionDraft(FROM, n, r) };
    yield { connector: 'github-platform', draft: membersDraft(FROM, n) };
  }
  for (const end of ['2025-03-25', '2025-06-25', '2025-09-25', '2025-12-20']) {
    yield {
      connector: 'okta-acme',
      draft: accessReviewDraft(`${end}T00:00:00.000Z`, {
        remediationStatus: 'SUCCESS',
        decidedAt: `${end}T00:00:00.000Z`,
      }),
    };
  }
}

/** The connector's run that collected a record on `day`. */
const runIdOf = (connector: string, day: string) => `${connector}-${day}`;

/** The seeded bucket from bench/.cache when every connector's chain is complete in it, else one seeded now. */
export async function seedYear(s3: S3TestConfig, log: (message: string) => void): Promise<Seeded> {
  if (existsSync(CACHE_FILE)) {
    const cache = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as SeedCache;
    if (cache.layout === LAYOUT && cache.endpoint === s3.endpoint && cache.from === FROM && cache.to === TO) {
      const { locker, store } = s3Locker(s3, cache.bucket);
      try {
        // Runs are chained after every record is stored: each connector's last link means the bucket is whole.
        const complete = await Promise.all(
          CONNECTORS.map(
            async (c) =>
              (cache.runs[c] ?? 0) > 0 &&
              (await locker.store.get(keys.chainLinkKey(c, cache.runs[c]!))) !== undefined,
          ),
        );
        if (complete.every(Boolean)) {
          log(`reusing seeded bucket ${cache.bucket} (${cache.records} records)`);
          return { bucket: cache.bucket, records: cache.records, reused: true };
        }
      } catch {
        // A bucket that is gone: seed another.
      } finally {
        store.s3.destroy();
      }
    }
  }
  const started = performance.now();
  const bucket = await createTestBucket(s3);
  const { locker, store } = s3Locker(s3, bucket);
  log(`seeding a year from ${CONNECTORS.length} connectors into ${bucket} (untimed)`);
  const perRun = new Map<string, { id: string; kind: string; sha256: string; key: string }[]>();
  let records = 0;
  for await (const stored of mapOrdered(drafts(), 32, async ({ connector, draft }) => {
    const day = draft.collectedAt.slice(0, 10);
    const record = sealRecord(
      {
        ...draft,
        provenance: {
          ...draft.provenance,
          connector: { ...draft.provenance.connector, id: connector },
          runId: runIdOf(connector, day),
        },
      } as never,
      new Date(Date.parse(draft.collectedAt) + 1000),
    );
    const put = await locker.records.putSealed(record);
    return { connector, day, ref: { id: record.id, kind: record.kind, sha256: record.sha256, key: put.key } };
  })) {
    const run = `${stored.connector}\n${stored.day}`;
    const list = perRun.get(run) ?? [];
    list.push(stored.ref);
    perRun.set(run, list);
    if (++records % 10_000 === 0) {
      log(`  ${records} records in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  log(`stored ${records} records; chaining ${perRun.size} runs`);
  const runs: Record<string, number> = {};
  for (const [run, stored] of [...perRun.entries()].sort()) {
    const [connectorId, date] = run.split('\n') as [string, string];
    runs[connectorId] = (runs[connectorId] ?? 0) + 1;
    await locker.runs.append({
      runId: runIdOf(connectorId, date),
      connectorId,
      connectorType: connectorId.startsWith('okta') ? 'okta' : 'github',
      connectorVersion: '0.1.0',
      trigger: { type: 'schedule', scheduler: null },
      window: null,
      filter: {},
      startedAt: `${date}T13:00:00.000Z`,
      finishedAt: `${date}T13:05:00.000Z`,
      status: 'succeeded',
      collectors: [...new Set(stored.map((r) => r.kind))].map((kind) => ({
        id: kind,
        kind,
        window: { since: `${date}T00:00:00.000Z`, until: `${date}T13:00:00.000Z` },
        status: 'succeeded' as const,
        stored: stored.filter((r) => r.kind === kind).length,
        duplicates: 0,
        requests: 1,
        error: null,
      })),
      records: stored,
    });
  }
  store.s3.destroy();
  const durationMs = Math.round(performance.now() - started);
  const cache: SeedCache = {
    layout: LAYOUT,
    bucket,
    endpoint: s3.endpoint,
    from: FROM,
    to: TO,
    records,
    runs,
    seededAt: new Date().toISOString(),
  };
  await rememberSeed(CACHE_FILE, cache);
  log(`seeded in ${(durationMs / 1000).toFixed(0)} s`);
  return { bucket, records, reused: false, durationMs };
}
