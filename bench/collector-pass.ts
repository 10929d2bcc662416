/**
 * One pass of a single collector outside the runner, for the benchmarks that count what a collector asks of a
 * loopback vendor: drafts are counted (not sealed or stored), requests are counted on the fake server, and the
 * time is the collector's alone. Shared so every such benchmark measures a pass the same way.
 */
import { type CollectorDefinition, type EmittedDraft, fixedClock } from '@crosswalk/core';
import { median, RssSampler, round } from './harness.js';

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

/** Items a second, the median over passes. */
export function perSecond(passes: Pass[]): number {
  return round(median(passes.map((p) => (p.items * 1000) / p.durationMs)), 1);
}

export interface PassComparison<Full extends Pass> {
  oursPasses: Pass[];
  naivePasses: Pass[];
  /** The full run into a locker, when one was asked for. */
  full: Full;
  peakRssMb: number;
  oursRequests: number;
  naiveRequests: number;
}

/**
 * Ours against a naive pass over the same fake: one warm-up each (JIT, connection pool), then `rounds` alternating
 * rounds so drift hits both alike, then optionally one full run into a locker; `close` ends the fake whatever
 * happens. Every pass must have collected `expected` items, or the figures would compare different work.
 */
export async function comparePasses<Full extends Pass & { stored: number } = never>(options: {
  ours: () => Promise<Pass>;
  naive: () => Promise<Pass>;
  full?: () => Promise<Full>;
  rounds: number;
  expected: number;
  /** What an item is called in the log lines: `events`, `PRs`. */
  items: string;
  /** What the baseline is called in the log lines. */
  naiveName?: string;
  close: () => Promise<void>;
  log: (message: string) => void;
}): Promise<PassComparison<Full>> {
  const { items, log } = options;
  const naiveName = options.naiveName ?? 'naive';
  const rss = new RssSampler();
  const oursPasses: Pass[] = [];
  const naivePasses: Pass[] = [];
  let full: Full | undefined;
  try {
    await options.ours();
    await options.naive();
    for (let round_ = 1; round_ <= options.rounds; round_++) {
      const o = await options.ours();
      const n = await options.naive();
      oursPasses.push(o);
      naivePasses.push(n);
      log(
        `round ${round_}: ours ${o.requests} requests ${o.items} ${items} ${round(o.durationMs, 0)} ms; ` +
          `${naiveName} ${n.requests} requests ${n.items} ${items} ${round(n.durationMs, 0)} ms`,
      );
    }
    if (options.full) {
      full = await options.full();
      log(
        `full run into a filesystem locker: ${full.requests} requests, ${full.stored} stored, ${round(full.durationMs, 0)} ms`,
      );
    }
  } finally {
    await options.close();
  }
  const peakRssMb = rss.stop();
  for (const pass of [...oursPasses, ...naivePasses, ...(full ? [full] : [])]) {
    if (pass.items !== options.expected)
      throw new Error(`a pass collected ${pass.items} ${items}, not ${options.expected}`);
  }
  return {
    oursPasses,
    naivePasses,
    // Without a full run `Full` is `never`: the caller has nothing of it to read.
    full: full as Full,
    peakRssMb,
    oursRequests: oursPasses[0]!.requests,
    naiveRequests: naivePasses[0]!.requests,
  };
}
