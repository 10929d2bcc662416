import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { connectorRuns } from '../src/ipe.js';
import { PR_CASES, seedPullRequests } from './fixtures.js';

/**
 * The IPE pack's read of a connector's runs lists every run from a day before the window to now; of the record ids
 * those manifests name it keeps only the window's (the only ones asked for), so it does not grow with later records.
 */
describe('a connector runs for a window', () => {
  it('keeps the ids of the window records its runs name, and every run from a day before the window on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-ipe-runs-'));
    const locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    const ids = await seedPullRequests(locker);
    const days = [...new Set(PR_CASES.map((c) => c.mergedAt.slice(0, 10)))].sort();
    expect(days.length).toBeGreaterThan(2);
    // From the first day a record occurred to (not including) the last such day.
    const window = { from: `${days[0]}T00:00:00.000Z`, to: `${days.at(-1)}T00:00:00.000Z` };
    const inWindow = PR_CASES.filter((c) => c.mergedAt >= window.from && c.mergedAt < window.to);
    expect(inWindow.length).toBeLessThan(PR_CASES.length);

    const runs = await connectorRuns(locker, window, new Map())('github-acme');
    expect([...runs.named].sort()).toEqual(inWindow.map((c) => ids.get(c.name)!).sort());
    // The runs themselves are all listed (a late run still counts for the window's source totals).
    expect(runs.runs.map((r) => r.startedAt.slice(0, 10)).sort()).toEqual(days);
    expect(runs.chain.ok).toBe(true);
  });
});
