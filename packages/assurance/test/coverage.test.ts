import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeCoverage } from '../src/coverage.js';
import { outsideLimits, resolveRequest } from '../src/scope.js';
import {
  CONNECTOR,
  FAILED_RUN_DAY,
  MISSING_SNAPSHOT_DAY,
  NO_RUN_DAY,
  NOW,
  seedLocker,
  WINDOW,
} from './fixtures.js';

let locker: Locker;

beforeAll(async () => {
  locker = new Locker(
    new FsObjectStore(path.join(await mkdtemp(path.join(tmpdir(), 'cw-coverage-')), 'locker')),
  );
  await seedLocker(locker);
});

describe('coverage', () => {
  let report: Awaited<ReturnType<typeof computeCoverage>>;
  beforeAll(async () => {
    report = await computeCoverage({
      locker,
      frameworks: ['soc2', 'iso27001'],
      from: WINDOW.from,
      to: WINDOW.to,
      now: NOW,
    });
  });
  const kind = (k: string) => report.kinds.find((x) => x.kind === k)!;

  it('shows the missing day of a daily kind as a gap', () => {
    const snapshots = kind('github.branch_protection');
    expect(snapshots).toMatchObject({
      cadence: 'daily',
      expected: 7,
      found: 6,
      gapPeriods: [MISSING_SNAPSHOT_DAY],
    });
    expect(snapshots.periods.find((p) => p.period === MISSING_SNAPSHOT_DAY)).toMatchObject({
      expected: 1,
      found: 0,
      gap: true,
    });
  });

  it('shows the day the connector failed and the day it did not run', () => {
    const snapshots = kind('github.branch_protection');
    expect(snapshots.failedRunDays).toEqual([FAILED_RUN_DAY]);
    expect(snapshots.noRunDays).toEqual([NO_RUN_DAY]);
    expect(snapshots.connectors).toEqual([CONNECTOR]);
    // The pull-request collector succeeded that day: only the day without any run counts against it.
    expect(kind('github.pull_request.approval')).toMatchObject({
      failedRunDays: [],
      noRunDays: [NO_RUN_DAY],
    });
  });

  it('reports found counts for event kinds and expects nothing of them', () => {
    expect(kind('github.pull_request.approval')).toMatchObject({
      cadence: 'event',
      expected: null,
      found: 3,
      gapPeriods: [],
    });
  });

  it('lists controls no connector can evidence as manual', () => {
    const control = (framework: string, id: string) =>
      report.controls.find((c) => c.framework === framework && c.id === id);
    expect(control('iso27001-2022', '9.3')).toMatchObject({ status: 'manual', kinds: [] });
    expect(control('soc2-2017', 'CC1.1')).toMatchObject({ status: 'manual' });
    // CC8.1 is also evidenced by GitLab's daily branch protection snapshot, which no run of this locker collects:
    // each of its seven days is a gap and a day without a run, on top of GitHub's one.
    expect(control('soc2-2017', 'CC8.1')).toMatchObject({
      status: 'gaps',
      found: 9,
      gapPeriods: 8,
      failedRunDays: 1,
      noRunDays: 7,
    });
    expect(control('soc2-2017', 'CC6.2')).toMatchObject({ status: 'no-evidence', found: 0 });
    expect(report.summary.manual).toBeGreaterThan(50);
  });

  it('expects nothing of periods that are not over yet or only partly in the window', async () => {
    const midDay = await computeCoverage({
      locker,
      frameworks: ['soc2'],
      controls: ['CC8.1'],
      from: '2026-01-01T12:00:00Z',
      to: WINDOW.to,
      now: new Date('2026-01-05T12:00:00Z'),
    });
    const snapshots = midDay.kinds.find((k) => k.kind === 'github.branch_protection')!;
    expect(snapshots.periods.map((p) => [p.period, p.expected])).toEqual([
      ['2026-01-01', 0],
      ['2026-01-02', 1],
      ['2026-01-03', 1],
      ['2026-01-04', 1],
      ['2026-01-05', 0],
      ['2026-01-06', 0],
      ['2026-01-07', 0],
    ]);
    expect(midDay.evaluatedUntil).toBe('2026-01-05T12:00:00.000Z');
  });
});

describe('scope', () => {
  it("says why a request reaches outside an auditor key's period or frameworks", () => {
    const request = resolveRequest({ frameworks: ['soc2', 'iso'], from: '2026-01-01', to: '2026-04-01' });
    expect(
      outsideLimits(request, { from: '2026-01-01', to: '2026-04-01', frameworks: ['soc2-2017', 'iso27001'] }),
    ).toBeUndefined();
    expect(outsideLimits(request, {})).toBeUndefined();
    expect(outsideLimits(request, { from: '2026-02-01' })).toMatch(
      /starts at 2026-01-01T00:00:00.000Z, before/,
    );
    expect(outsideLimits(request, { to: '2026-03-31' })).toMatch(/ends at 2026-04-01T00:00:00.000Z, after/);
    expect(outsideLimits(request, { frameworks: ['soc2'] })).toBe('this key may not read iso27001-2022');
  });
});
