/** The console's decisions that need no browser: windows and scopes, the config patch, the chain column. */
import { describe, expect, it } from 'vitest';
import { patchOf } from '../src/config-patch.js';
import { chainStatus, lastRunsByCollector, type RunSummary } from '../src/pages/runs.js';
import { defaultWindow, outsideScope, windowFrom } from '../src/window.js';

describe('audit windows', () => {
  it("opens on a scoped key's period, else on the four whole quarters before the current one", () => {
    const scope = { from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
    expect(defaultWindow(scope)).toEqual({ from: '2026-01-01', to: '2026-07-01' });
    expect(defaultWindow(null, new Date('2026-12-07T16:00:00Z'))).toEqual({
      from: '2025-10-01',
      to: '2026-10-01',
    });
    expect(defaultWindow(null, new Date('2026-01-01T00:00:00Z'))).toEqual({
      from: '2025-01-01',
      to: '2026-01-01',
    });
  });

  it('takes the window from the URL, and says why one reaches outside the key', () => {
    const scope = { from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
    const asked = windowFrom(new URLSearchParams('from=2026-02-01&to=2026-08-01'), scope);
    expect(asked).toEqual({ from: '2026-02-01', to: '2026-08-01' });
    expect(outsideScope(asked, scope)).toBe("this key's period ends on 2026-07-01 (exclusive)");
    expect(outsideScope({ from: '2025-12-31', to: '2026-02-01' }, scope)).toBe(
      "this key's period starts on 2026-01-01",
    );
    expect(outsideScope({ from: '2026-03-01', to: '2026-03-01' }, scope)).toBe(
      'the window must end after it starts',
    );
    expect(outsideScope({ from: '2026-01-01', to: '2026-07-01' }, scope)).toBeNull();
    expect(outsideScope({ from: '2020-01-01', to: '2030-01-01' }, null)).toBeNull();
  });
});

describe('connector config edits', () => {
  it('leave untouched credentials out of the merge patch and keep everything else, null included', () => {
    const edited = {
      org: 'northwind',
      auth: { type: 'app', appId: 12, privateKey: '[write-only]' },
      token: 'new-secret',
      webhook: null,
      repos: ['api', 'web'],
    };
    expect(patchOf(edited)).toEqual({
      org: 'northwind',
      auth: { type: 'app', appId: 12 },
      token: 'new-secret',
      webhook: null,
      repos: ['api', 'web'],
    });
  });
});

describe('run history', () => {
  const run = (sequence: number, collectors: RunSummary['collectors'] = []): RunSummary => ({
    runId: `run-${sequence}`,
    sequence,
    startedAt: `2026-12-0${sequence}T00:00:00.000Z`,
    finishedAt: `2026-12-0${sequence}T00:01:00.000Z`,
    status: 'succeeded',
    trigger: { type: 'schedule' },
    collectors,
    recordsStored: 0,
    sha256: 'a'.repeat(64),
  });

  it('names each link and a missing one before a run', () => {
    expect(chainStatus([run(1), run(2), run(5)]).map((c) => c.status)).toEqual([
      'link 1',
      'link 2, follows 1',
      'link 5: 2 link(s) missing before it',
    ]);
  });

  it("keeps each collector's newest run", () => {
    const c = (id: string, status: 'succeeded' | 'failed') => ({
      id,
      kind: 'github.org_members',
      status,
      stored: 0,
      duplicates: 0,
      error: status === 'failed' ? { code: 'CW_SOURCE_UNREACHABLE', message: 'down' } : null,
    });
    const last = lastRunsByCollector([
      run(1, [c('a', 'succeeded'), c('b', 'succeeded')]),
      run(2, [c('a', 'failed')]),
    ]);
    expect(last.map((l) => [l.collector.id, l.collector.status, l.run.sequence])).toEqual([
      ['a', 'failed', 2],
      ['b', 'succeeded', 1],
    ]);
  });
});
