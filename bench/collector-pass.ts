/**
 * One pass of a single collector outside the runner, for the benchmarks that count what a collector asks of a
 * loopback vendor: drafts are counted (not sealed or stored), requests are counted on the fake server, and the
 * time is the collector's alone. Shared so every such benchmark measures a pass the same way.
 */
import { type CollectorDefinition, type EmittedDraft, fixedClock } from '@crosswalk/core';

/** A logger that drops everything: log output is not what a pass measures. */
export const quiet = { info() {}, warn() {}, debug() {} };

export interface Pass {
  requests: number;
  items: number;
  durationMs: number;
}

/**
 * Runs `collector` once over `window` with no cursor, at the window's end. `requestsMade` reads the fake server's
 * running request count; the pass reports the difference.
 */
export async function collectorPass<Config, Cursor>(
  collector: CollectorDefinition<Config, Cursor>,
  config: Config,
  window: { since: string; until: string },
  requestsMade: () => number,
): Promise<Pass> {
  const before = requestsMade();
  let items = 0;
  const started = performance.now();
  await collector.collect({
    config,
    connectorId: 'bench',
    window,
    filter: {},
    cursor: undefined,
    saveCursor() {},
    emit: async (_draft: EmittedDraft) => {
      items++;
      return 'stored';
    },
    trigger: { type: 'manual', by: 'bench' },
    runId: 'bench',
    clock: fixedClock(window.until),
    log: quiet,
    signal: new AbortController().signal,
  });
  return { requests: requestsMade() - before, items, durationMs: performance.now() - started };
}
