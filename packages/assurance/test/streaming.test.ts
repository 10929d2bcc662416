import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SAMPLE_TABLE,
  drawSample,
  type ExceptionRow,
  largestSampleSize,
  type PopulationRow,
  parseRegister,
  registerFor,
  SampleSelector,
  type SampleTable,
  testControl,
  testControls,
} from '../src/index.js';
import { accessReviewDraft, seedPullRequests } from './fixtures.js';

/**
 * Testing controls together streams each kind once and keeps no population: the answers must be exactly those of
 * each control tested alone with its rows kept (the definition), and the streamed sample exactly drawSample's.
 */
const H1 = { from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
const NOW = new Date('2026-09-01T00:00:00.000Z');

function populationHashOf(rows: readonly PopulationRow[]): string {
  return createHash('sha256')
    .update(rows.map((r) => `${r.id} ${r.sha256}\n`).join(''))
    .digest('hex');
}

describe('testing several controls in one pass', () => {
  it('gives each control the answer it gets alone, and hands the sink the rows it would have kept', async () => {
    const locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-assurance-stream-'))));
    await seedPullRequests(locker);
    // Quarterly access reviews for IAM-02, around the February pull requests.
    for (const end of ['2026-02-10', '2026-03-20', '2026-05-02']) {
      await locker.storeDraft(
        accessReviewDraft(`${end}T00:00:00.000Z`, {
          remediationStatus: 'SUCCESS',
          decidedAt: `${end}T00:00:00.000Z`,
        }),
      );
    }
    const { register: starter, source } = await registerFor(locker, H1.to);
    // And a control over two kinds whose records interleave in time (pull requests in February, reviews around).
    const register = parseRegister({
      ...starter,
      controls: [
        ...starter.controls,
        {
          id: 'MIX-01',
          title: 'Changes and reviews',
          description: 'Two kinds under one control.',
          owner: 'Security team',
          frequency: 'monthly',
          evidence: [{ kind: 'github.pull_request.approval' }, { kind: 'okta.access_review' }],
          test: {
            expression: 'kind == "okta.access_review" || payload.approvalsBeforeMerge >= 1',
            describe: 'approved',
          },
        },
      ],
    });
    const ids = register.controls.map((c) => c.id);
    const streamed = new Map<string, PopulationRow[]>();
    const sunkExceptions = new Map<string, ExceptionRow[]>();
    const together = await testControls({
      locker,
      register,
      registerSource: source,
      controls: ids,
      ...H1,
      seed: 'together',
      now: NOW,
      sinks: (control) => {
        const rows: PopulationRow[] = [];
        streamed.set(control.id, rows);
        return { add: (row) => void rows.push(row) };
      },
      exceptionSinks: (control) => {
        const rows: ExceptionRow[] = [];
        sunkExceptions.set(control.id, rows);
        return { add: (row) => void rows.push(row) };
      },
    });
    expect(together.map((r) => r.control.id)).toEqual(ids);
    for (const result of together) {
      const alone = await testControl({
        locker,
        register,
        registerSource: source,
        control: result.control.id,
        ...H1,
        seed: 'together',
        now: NOW,
      });
      const rows = alone.population.rows!;
      expect(result.population.rows).toBeUndefined();
      expect(streamed.get(result.control.id)).toEqual(rows);
      // Exceptions too: the sink had them in the order the result would hold them, failed items then gaps.
      expect(result.exceptions).toBeUndefined();
      expect(sunkExceptions.get(result.control.id)).toEqual(alone.exceptions);
      const { population: _p, exceptions: _e, ...rest } = result;
      const { population: _q, exceptions: _f, ...restAlone } = alone;
      expect(rest).toEqual(restAlone);
      expect(result.population.sha256).toBe(alone.population.sha256);
      // The definition: rows in occurredAt, then id order, hashed as written in docs/controls.md.
      const sorted = [...rows].sort((a, b) =>
        a.occurredAt === b.occurredAt ? (a.id < b.id ? -1 : 1) : a.occurredAt < b.occurredAt ? -1 : 1,
      );
      expect(rows).toEqual(sorted);
      expect(result.population.sha256).toBe(populationHashOf(rows));
    }
    expect(sunkExceptions.get('CHG-01')!.length).toBeGreaterThan(0);
    expect(sunkExceptions.get('MIX-01')!.some((e) => e.item.startsWith('period:'))).toBe(true);
    const chg = together.find((r) => r.control.id === 'CHG-01')!;
    expect(chg.population.records).toBe(8);
    const mixed = together.find((r) => r.control.id === 'MIX-01')!;
    const kinds = streamed.get('MIX-01')!.map((r) => r.kind);
    expect(kinds.indexOf('okta.access_review')).toBeGreaterThan(0);
    expect(kinds.lastIndexOf('github.pull_request.approval')).toBeGreaterThan(
      kinds.indexOf('okta.access_review'),
    );
    expect(mixed.population.records).toBe(8 + 3);
    const reviews = together.find((r) => r.control.id === 'IAM-02')!;
    expect(reviews.population.records).toBe(3);
    expect(reviews.operation.map((o) => [o.period, o.items])).toEqual([
      ['2026-Q1', 2],
      ['2026-Q2', 1],
    ]);
  });
});

describe('the streamed sample', () => {
  const tables: SampleTable[] = [
    DEFAULT_SAMPLE_TABLE,
    {
      name: 'a firm testing 10% of any population',
      byFrequency: { annually: 1, quarterly: 2, monthly: 3, weekly: 8, daily: 30 },
      byPopulation: [
        { upTo: 10, all: true },
        { upTo: null, percent: 10 },
      ],
    },
    {
      name: 'last rule bounded, applied past its bound',
      byFrequency: { annually: 1, quarterly: 1, monthly: 1, weekly: 1, daily: 1 },
      byPopulation: [
        { upTo: 3, size: 2 },
        { upTo: 20, size: 7 },
      ],
    },
  ];

  it('draws exactly what ranking the whole population draws, for any size, seed and table', () => {
    for (const table of tables) {
      for (const frequency of ['event', 'daily', 'quarterly'] as const) {
        for (const n of [0, 1, 4, 5, 6, 49, 50, 51, 250, 251, 700]) {
          const ids = Array.from({ length: n }, (_, i) => `github.pull_request.approval~x~${i}`);
          for (const seed of ['a', 'b']) {
            const selector = new SampleSelector<{ id: string }>(seed, table, frequency);
            for (const id of ids) selector.add({ id });
            const streamed = selector.finish();
            const whole = drawSample(ids, seed, streamed.size);
            expect(streamed.items.map(({ id, key, rank }) => ({ id, key, rank }))).toEqual(whole);
            expect(streamed.size).toBeLessThanOrEqual(largestSampleSize(table, frequency));
          }
        }
      }
    }
  });

  it('keeps no more candidates than the table can ask for', () => {
    expect(largestSampleSize(DEFAULT_SAMPLE_TABLE, 'event')).toBe(25);
    expect(largestSampleSize(DEFAULT_SAMPLE_TABLE, 'daily')).toBe(20);
    expect(largestSampleSize(tables[1]!, 'event')).toBe(Infinity);
    expect(largestSampleSize(tables[2]!, 'event')).toBe(7);
  });
});
