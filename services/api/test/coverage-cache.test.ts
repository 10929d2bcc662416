import { type CoverageReport, computeCoverage } from '@crosswalk/assurance';
import { type EvidenceRecord, sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { collectorRun, listed, runDraft } from '@crosswalk/locker/testing';
import { s3TestConfig } from '@crosswalk/testing';
import { describe, expect, it } from 'vitest';
import { CoverageCache } from '../src/coverage-cache.js';
import { suiteLocker } from './suite-locker.js';

const s3 = await s3TestConfig();

interface Stored {
  id: string;
  kind: string;
  sha256: string;
  key: string;
}

const KIND = 'github.pull_request.approval';
const SELECTION = { frameworks: ['soc2'], controls: ['CC8.1'], from: '2026-03-01', to: '2026-03-08' };
const KEY = 'soc2 CC8.1 march week 1';
const NOW = new Date('2026-03-20T00:00:00.000Z');

/** Everything but generatedAt, which is each report's own. */
function comparable(report: CoverageReport) {
  const { generatedAt: _, ...rest } = report;
  return rest;
}

describe.skipIf(!s3)('the API coverage cache, keyed by chain heads', () => {
  let pr = 0;

  const suite = suiteLocker(s3);

  /** Stores one approval that occurred at `occurredAt`, not yet vouched for by any run. */
  async function store(occurredAt: string): Promise<Stored> {
    pr++;
    const record: EvidenceRecord = sealRecord(pullRequestDraft({ ref: `acme/api#${pr}`, occurredAt }), NOW);
    const { key } = await suite.locker.records.put(record);
    return { id: record.id, kind: record.kind, sha256: record.sha256, key };
  }

  /** A run of `connectorId` started on `day` that vouches for `stored`. */
  async function run(
    connectorId: string,
    day: string,
    status: 'succeeded' | 'failed',
    stored: Stored[],
  ): Promise<void> {
    await suite.locker.runs.append(
      runDraft({
        runId: `${connectorId}-${day}-${pr}`,
        connectorId,
        startedAt: `${day}T03:00:00.000Z`,
        finishedAt: `${day}T03:01:00.000Z`,
        status,
        collectors: [
          collectorRun({
            id: 'pull_request_approvals',
            kind: KIND,
            window: { since: `${day}T00:00:00.000Z`, until: `${day}T03:00:00.000Z` },
            status,
            stored: stored.length,
          }),
        ],
        records: listed(stored),
      }),
    );
  }

  /** The cache's report and a fresh computation at the same instant: they must agree. */
  async function both(cache: CoverageCache) {
    const cached = await cache.report(SELECTION, KEY, () => NOW);
    const fresh = await computeCoverage({ locker: suite.locker, ...SELECTION, now: NOW });
    return { cached, fresh };
  }

  const kindOf = (report: CoverageReport) => report.kinds.find((k) => k.kind === KIND)!;

  it('answers what a fresh computation answers after every run, late records and new connectors included', async () => {
    const cache = new CoverageCache(suite.locker, 3_600_000);
    // An empty locker: every day without a run.
    let { cached, fresh } = await both(cache);
    expect(comparable(cached)).toEqual(comparable(fresh));
    expect(kindOf(cached).noRunDays).toHaveLength(7);

    // Runs for the first three days, one of them failed.
    await run('gh-a', '2026-03-01', 'succeeded', [await store('2026-03-01T10:00:00.000Z')]);
    await run('gh-a', '2026-03-02', 'failed', []);
    await run('gh-a', '2026-03-03', 'succeeded', [await store('2026-03-03T09:00:00.000Z')]);
    ({ cached, fresh } = await both(cache));
    expect(comparable(cached)).toEqual(comparable(fresh));
    expect(kindOf(cached).failedRunDays).toEqual(['2026-03-02']);
    expect(kindOf(cached).found).toBe(2);

    // Asked again with nothing changed: the same answer.
    ({ cached, fresh } = await both(cache));
    expect(comparable(cached)).toEqual(comparable(fresh));

    // A late-collected record of the failed day, stored by a later run: the day's found count and run day move.
    await run('gh-a', '2026-03-04', 'succeeded', [await store('2026-03-02T15:00:00.000Z')]);
    ({ cached, fresh } = await both(cache));
    expect(comparable(cached)).toEqual(comparable(fresh));
    expect(kindOf(cached).found).toBe(3);
    expect(kindOf(cached).noRunDays).not.toContain('2026-03-04');

    // A second connector's first run covers the failed day: the day is no longer failed.
    await run('gh-b', '2026-03-02', 'succeeded', [await store('2026-03-02T16:00:00.000Z')]);
    ({ cached, fresh } = await both(cache));
    expect(comparable(cached)).toEqual(comparable(fresh));
    expect(kindOf(cached).failedRunDays).toEqual([]);
    expect(kindOf(cached).connectors).toEqual(['gh-a', 'gh-b']);
    expect(kindOf(cached).found).toBe(4);
  });

  it('builds each report at its own time: a day that ends after the tallies were read is expected', async () => {
    const cache = new CoverageCache(suite.locker, 3_600_000);
    const early = await cache.report(SELECTION, KEY, () => new Date('2026-03-03T12:00:00.000Z'));
    const later = await cache.report(SELECTION, KEY, () => NOW);
    expect(early.evaluatedUntil).toBe('2026-03-03T12:00:00.000Z');
    expect(kindOf(early).noRunDays.every((day) => day < '2026-03-03')).toBe(true);
    expect(later.evaluatedUntil).toBe('2026-03-08T00:00:00.000Z');
    expect(kindOf(later).noRunDays).toContain('2026-03-07');
  });

  it('shows a record whose run has not landed only once the run lands (never before it, never after)', async () => {
    const cache = new CoverageCache(suite.locker, 3_600_000);
    const before = await cache.report(SELECTION, KEY, () => NOW);
    const pending = await store('2026-03-05T08:00:00.000Z');
    // Stored, its run not yet chained: the cached tallies hold what the heads named (a fresh computation would
    // count it and call it vouched for by no run; its run lands moments later).
    const meanwhile = await cache.report(SELECTION, KEY, () => NOW);
    expect(kindOf(meanwhile).found).toBe(kindOf(before).found);
    await run('gh-a', '2026-03-05', 'succeeded', [pending]);
    const { cached, fresh } = await both(cache);
    expect(comparable(cached)).toEqual(comparable(fresh));
    expect(kindOf(cached).found).toBe(kindOf(before).found + 1);
    expect(kindOf(cached).noRunDays).not.toContain('2026-03-05');
  });

  it('sees a manifest removed under an unchanged chain once its tallies are read again (the refresh bound)', async () => {
    const cache = new CoverageCache(suite.locker, 0);
    const { cached: first, fresh } = await both(cache);
    expect(comparable(first)).toEqual(comparable(fresh));
    expect(first.runProblems).toEqual([]);
    // The plain bucket lets a manifest be deleted (an Object Lock bucket refuses it): no head moves.
    const manifest = (await suite.locker.runs.verifyChain('gh-b')).head!.key;
    await suite.locker.store.delete(manifest);
    // Older than refreshMs (0): this request answers from the kept tallies and starts reading them again.
    const stale = await cache.report(SELECTION, KEY, () => NOW);
    expect(stale.runProblems).toEqual([]);
    await cache.idle();
    const { cached, fresh: after } = await both(cache);
    expect(comparable(cached)).toEqual(comparable(after));
    expect(cached.runProblems.map((p) => p.key)).toContain(manifest);
    // gh-b's run was the only success of the 2nd; gh-a's run of that day failed.
    expect(kindOf(stale).failedRunDays).toEqual([]);
    expect(kindOf(cached).failedRunDays).toEqual(['2026-03-02']);
  });
});
