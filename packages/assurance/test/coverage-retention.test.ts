import type { RunManifest } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { buildCoverage, FoundTally, RunTally } from '../src/coverage.js';
import { resolveRequest } from '../src/scope.js';

const KIND = 'google_workspace.admin_event';

/** A run of the Google Workspace connector's admin_events collector, as its manifest says. */
function run(startedAt: string, collector: Partial<RunManifest['collectors'][number]>): RunManifest {
  return {
    connectorId: 'gws-acme',
    startedAt,
    collectors: [
      {
        id: 'admin_events',
        kind: KIND,
        window: { since: startedAt, until: startedAt },
        status: 'succeeded',
        stored: 0,
        duplicates: 0,
        requests: 1,
        error: null,
        ...collector,
      },
    ],
  } as unknown as RunManifest;
}

describe("coverage of a kind whose source forgets (Google's Reports API keeps 180 days)", () => {
  const request = resolveRequest({
    frameworks: ['soc2'],
    controls: ['CC6.2'],
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-01-11T00:00:00.000Z',
  });
  // 180 days before 5 July is 6 January: the first five days of the window are no longer kept.
  const now = new Date('2026-07-05T00:00:00.000Z');

  function coverage(runs: RunTally) {
    const found = new FoundTally();
    found.add(KIND, '2026-01-02T10:00:00.000Z');
    return buildCoverage({ scope: request.scope, window: request.window, found, runs, now });
  }

  it('names the days without evidence collected in time that the source can no longer give', () => {
    const runs = new RunTally();
    for (const manifest of [
      run('2026-01-02T06:00:00.000Z', { sourceRetentionDays: 180 }),
      run('2026-01-08T06:00:00.000Z', { sourceRetentionDays: 180 }),
    ]) {
      runs.noteRetention(manifest);
      runs.add(manifest);
    }
    const report = coverage(runs);
    const kind = report.kinds.find((k) => k.kind === KIND)!;
    expect(kind.sourceRetentionDays).toBe(180);
    // 2 January had a successful run: its evidence was collected in time.
    expect(kind.beyondSourceRetentionDays).toEqual(['2026-01-01', '2026-01-03', '2026-01-04', '2026-01-05']);
    expect(kind.noRunDays).toEqual(expect.arrayContaining(['2026-01-09', '2026-01-10']));
    expect(kind.beyondSourceRetentionDays).not.toContain('2026-01-09');
    const control = report.controls.find((c) => c.id === 'CC6.2')!;
    expect(control.beyondSourceRetentionDays).toBe(4);
    expect(control.status).toBe('gaps');
    const okta = report.kinds.find((k) => k.kind === 'okta.user_lifecycle')!;
    expect(okta.sourceRetentionDays).toBeNull();
    expect(okta.beyondSourceRetentionDays).toEqual([]);
  });

  it("takes a later backfill's word for what its source no longer had", () => {
    const runs = new RunTally();
    // Only a backfill, run in July (outside the window): it asked from 1 January and got from 6 January on.
    runs.noteRetention(
      run('2026-07-05T00:00:00.000Z', {
        window: { since: '2026-01-01T00:00:00.000Z', until: '2026-07-05T00:00:00.000Z' },
        sourceRetentionDays: 180,
        sourceUnavailableBefore: '2026-01-06T00:00:00.000Z',
      }),
    );
    const kind = coverage(runs).kinds.find((k) => k.kind === KIND)!;
    expect(kind.beyondSourceRetentionDays).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
      '2026-01-04',
      '2026-01-05',
    ]);
  });

  it('says nothing of retention for a kind whose runs declare none', () => {
    const runs = new RunTally();
    runs.add(run('2026-01-02T06:00:00.000Z', {}));
    const kind = coverage(runs).kinds.find((k) => k.kind === KIND)!;
    expect(kind.sourceRetentionDays).toBeNull();
    expect(kind.beyondSourceRetentionDays).toEqual([]);
  });
});
