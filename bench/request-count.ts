/**
 * The benchmarks that count the requests one collector makes to collect a window of many items from a loopback
 * vendor, against the page-size minimum (ceil(items / largest page)): entra-directory-audits, google-admin-events,
 * okta-system-log. Each declares its fake, its collector and its baseline walk; the rounds, the full run into a
 * filesystem locker and the result's fields are the same for all, so they are written once here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Clock, CollectorDefinition } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { runConnector } from '../packages/collect/src/index.js';
import { collectorPass, comparePasses, type Pass, perSecond } from './collector-pass.js';
import { type Benchmark, type BenchResult, round } from './harness.js';

type Window = { since: string; until: string };

export interface RequestCountBench<Server extends { close(): Promise<void> }, Config> {
  name: string;
  description: string;
  /** Items in the window: every pass must collect all of them. */
  items: number;
  /** What an item is called in the log lines: `events`, `entries`. */
  itemName: string;
  /** The largest page the vendor serves: the goal is ceil(items / page) requests. */
  page: number;
  window: Window;
  /** The fake holding the items (without the vendor-description checker: the tests prove that). */
  start(): Promise<Server>;
  /** The requests counted so far: the vendor API's own, not token exchanges. */
  requestsMade(server: Server): number;
  /** The config as a user writes it (the full run validates it) and as the collector takes it. */
  rawConfig(server: Server): unknown;
  parseConfig(raw: unknown): Config;
  collector: CollectorDefinition<Config, unknown>;
  connector: Parameters<typeof runConnector>[0]['connector'];
  /** The connector instance of the full run, e.g. `okta-bench`. */
  connectorId: string;
  /** The clock of the full run, when the source keeps items for a limited time. */
  clock?: Clock;
  /** The baseline's client, made before its pass is timed; the pages it walks. */
  baseline(config: Config): Promise<AsyncIterable<readonly unknown[]>>;
  /** The baseline's name in the result's per-pass figures (`naive`, `perEventName`) and in the log lines. */
  baselineKey: string;
  baselineName?: string;
  baselineKind: string;
  ratioMeaning: string;
  goalText: string;
  method: string;
  note: string;
}

/** Walks the baseline's pages by hand, counting items and the requests they took. */
async function baselinePass<Server extends { close(): Promise<void> }, Config>(
  bench: RequestCountBench<Server, Config>,
  server: Server,
  config: Config,
): Promise<Pass> {
  const before = bench.requestsMade(server);
  const pages = await bench.baseline(config);
  const started = performance.now();
  let items = 0;
  for await (const page of pages) items += page.length;
  return { requests: bench.requestsMade(server) - before, items, durationMs: performance.now() - started };
}

/** One full run: the runner seals, stamps and stores every record in a filesystem locker in a temp directory. */
async function fullRun<Server extends { close(): Promise<void> }, Config>(
  bench: RequestCountBench<Server, Config>,
  server: Server,
): Promise<Pass & { stored: number }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), `cw-bench-${bench.name}-`));
  try {
    const locker = new Locker(new FsObjectStore(directory));
    const before = bench.requestsMade(server);
    const started = performance.now();
    const manifest = await runConnector({
      connector: bench.connector,
      connectorId: bench.connectorId,
      config: bench.rawConfig(server),
      locker,
      window: bench.window,
      collectors: [bench.collector.id],
      trigger: { type: 'manual', by: 'bench' },
      ...(bench.clock ? { clock: bench.clock } : {}),
    });
    const collector = manifest.collectors[0]!;
    if (collector.status !== 'succeeded') throw new Error(`the full run failed: ${collector.error?.message}`);
    return {
      requests: bench.requestsMade(server) - before,
      items: collector.stored + collector.duplicates,
      stored: collector.stored,
      durationMs: performance.now() - started,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function run<Server extends { close(): Promise<void> }, Config>(
  bench: RequestCountBench<Server, Config>,
  log: (message: string) => void,
): Promise<BenchResult> {
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  const goal = Math.ceil(bench.items / bench.page);
  const server = await bench.start();
  const config = bench.parseConfig(bench.rawConfig(server));
  const requestsMade = () => bench.requestsMade(server);
  const { oursPasses, naivePasses, full, peakRssMb, oursRequests, naiveRequests } = await comparePasses({
    ours: () => collectorPass(bench.collector, config, bench.window, requestsMade),
    naive: () => baselinePass(bench, server, config),
    full: () => fullRun(bench, server),
    rounds: ROUNDS,
    expected: bench.items,
    items: bench.itemName,
    ...(bench.baselineName ? { naiveName: bench.baselineName } : {}),
    close: () => server.close(),
    log,
  });
  const key = bench.baselineKey;
  return {
    name: bench.name,
    unit: 'requests',
    ours: oursRequests,
    baseline: naiveRequests,
    baselineKind: bench.baselineKind,
    minimumPossible: goal,
    ratio: round(oursRequests / naiveRequests, 3),
    ratioMeaning: bench.ratioMeaning,
    goal,
    goalText: `ours <= ${goal} requests (ceil(${bench.items} / ${bench.page}), ${bench.goalText})`,
    meets: oursRequests <= goal,
    peakRssMb,
    itemsPerSecond: perSecond(oursPasses),
    itemsPerSecondDetail: {
      ours: perSecond(oursPasses),
      [key]: perSecond(naivePasses),
      fullRunIntoFilesystemLocker: round((full.items * 1000) / full.durationMs, 1),
    },
    method: bench.method,
    events: bench.items,
    durationMs: {
      ours: oursPasses.map((p) => round(p.durationMs, 1)),
      [key]: naivePasses.map((p) => round(p.durationMs, 1)),
      fullRun: round(full.durationMs, 1),
    },
    requestsPerRound: {
      ours: oursPasses.map((p) => p.requests),
      [key]: naivePasses.map((p) => p.requests),
      fullRun: full.requests,
    },
    note:
      'On loopback a request costs well under a millisecond, so items/s mostly measures CPU (JSON, drafts, and in ' +
      `the full run sealing and fsync'd writes). ${bench.note}`,
    node: process.version,
    cpuCount: os.availableParallelism(),
    loadAverage1mAtStart: loadAtStart,
  };
}

/** One warm-up each, then these alternating rounds; items/s is their median. */
export const ROUNDS = 3;

/** The benchmark bench/run.ts runs for a declaration. */
export function requestCountBenchmark<Server extends { close(): Promise<void> }, Config>(
  bench: RequestCountBench<Server, Config>,
): Benchmark {
  return { name: bench.name, description: bench.description, run: (context) => run(bench, context.log) };
}
