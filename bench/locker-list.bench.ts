/**
 * locker-list: "listing a 30-day window of 10,000 records vs a raw ListObjectsV2 walk of the same keys
 * (goal >= 0.8 x raw), with peak RSS of the listing (goal: flat as the count grows)".
 *
 * Ours: `locker.records.refs(kind, {from, to})`, the index walk (keys only, no GETs).
 * Baseline: a plain ListObjectsV2 loop over the same prefix and StartAfter (bench/locker-list.child.ts).
 * Detail, not the headline: `locker.records.list` (GET + verify every record) vs raw ListObjectsV2 + GetObject.
 * RSS: each walk of the first 1,000 / 5,000 / all 10,000 records of the window in its own child process.
 */
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type EvidenceKind, sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { mapOrdered, type TimeRange } from '@crosswalk/locker';
import { createTestBucket, type S3TestConfig } from '@crosswalk/testing';
import {
  BENCH_DIR,
  type Benchmark,
  CACHE_DIR,
  measureInChild,
  median,
  RssSampler,
  round,
  runPool,
  s3Locker,
} from './harness.js';
import { type ChildMeasurement, type WalkMode, walkOurs, walkRaw } from './locker-list.child.js';
import {
  cachedSeed,
  cacheName,
  firstRecordReadable,
  firstRecords,
  rawKeys,
  rememberSeed,
} from './seeded-records.js';

const COUNT = 10_000;
const KIND: EvidenceKind = 'github.pull_request.approval';
const FROM = '2026-01-01T00:00:00.000Z';
const DAYS = 30;
/** 30 days / 10,000 = 259.2 s between records, so [FROM, FROM + 30 days) holds exactly COUNT of them. */
const SPACING_MS = (DAYS * 86_400_000) / COUNT;
const TO = new Date(Date.parse(FROM) + DAYS * 86_400_000).toISOString();
const SEED_CONCURRENCY = 32;
/** Timed full-window walks, ABBA order (each takes well under a second on RGW: 12 of them). */
const ORDER = Array.from({ length: 3 }, () => ['raw', 'ours', 'ours', 'raw'] as const).flat();
const BODIES_CONCURRENCY = 16;
/**
 * The with-bodies detail reads the first half of the window (15 days, 5,000 records): RGW serves ~300 small
 * GETs/s on 2 cores, so all 10,000 twice would take over a minute on its own.
 */
const BODIES_COUNT = 5_000;
const RSS_COUNTS = [1_000, 5_000, 10_000];
const GOAL = 0.8;
/** Old-space limit for the small-heap RSS check: a walk that kept its keys would outgrow it. */
const SMALL_HEAP_MB = 40;
const CACHE_FILE = path.join(CACHE_DIR, 'locker-list.json');

interface SeedCache {
  bucket: string;
  endpoint: string;
  count: number;
  from: string;
  to: string;
  kind: string;
  seededAt: string;
}

const windowOf = (count: number) => firstRecords(FROM, SPACING_MS, count);

const bench: Benchmark = {
  name: 'locker-list',
  description:
    'records.refs over a 30-day window of 10,000 records vs a raw ListObjectsV2 walk; RSS by count',
  async run({ s3, environment, log }) {
    const window = windowOf(COUNT);
    const seeded = await seed(s3, log);
    const { bucket } = seeded;
    const { locker, store } = s3Locker(s3, bucket);
    const client = store.s3;

    // Untimed warm-up walk of each.
    await walkRaw(client, bucket, KIND, window);
    await walkOurs(locker, KIND, window);

    type Walk = { keys: number; durationMs: number; perSecond: number; clientCpuUsPerKey: number };
    const runs: Record<WalkMode, Walk[]> = { ours: [], raw: [] };
    for (const mode of ORDER) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const keys =
        mode === 'ours' ? await walkOurs(locker, KIND, window) : await walkRaw(client, bucket, KIND, window);
      const durationMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (keys !== COUNT) throw new Error(`${mode} walk saw ${keys} keys in the window, expected ${COUNT}`);
      const run: Walk = {
        keys,
        durationMs: round(durationMs, 1),
        perSecond: round((keys * 1000) / durationMs, 1),
        clientCpuUsPerKey: round((cpu.user + cpu.system) / keys, 2),
      };
      runs[mode].push(run);
      log(
        `${mode.padEnd(4)} walk: ${run.perSecond} keys/s (${run.durationMs} ms, client CPU ${run.clientCpuUsPerKey} us/key)`,
      );
    }
    const aggregate = (list: Walk[]) =>
      round((list.reduce((s, r) => s + r.keys, 0) * 1000) / list.reduce((s, r) => s + r.durationMs, 0), 1);
    const ours = aggregate(runs.ours);
    const baseline = aggregate(runs.raw);
    const ratio = round(ours / baseline, 3);

    log(
      `with bodies (first ${BODIES_COUNT} records): raw ListObjectsV2 + GetObject, then records.list, ` +
        `concurrency ${BODIES_CONCURRENCY}`,
    );
    const bodiesWindow = windowOf(BODIES_COUNT);
    const rawBodies = await timed(BODIES_COUNT, () => rawListWithBodies(client, bucket, bodiesWindow));
    const oursBodies = await timed(BODIES_COUNT, () => countOf(locker.records.list(KIND, bodiesWindow)));
    log(`  raw ${rawBodies.perSecond} /s, records.list ${oursBodies.perSecond} /s`);

    log(`peak RSS of each walk by count (${RSS_COUNTS.join(', ')}), one child process per measurement`);
    const rssByCount: { count: number; ours: ChildMeasurement; raw: ChildMeasurement }[] = [];
    for (const count of RSS_COUNTS) {
      const range = windowOf(count);
      const oursChild = await measureWalk('ours', bucket, range);
      const rawChild = await measureWalk('raw', bucket, range);
      for (const m of [oursChild, rawChild]) {
        if (m.keys !== count) throw new Error(`${m.mode} child walked ${m.keys} keys, expected ${count}`);
      }
      rssByCount.push({ count, ours: oursChild, raw: rawChild });
      log(
        `  ${count}: ours peak ${oursChild.peakRssMb} MB (+${oursChild.growthMb}), ` +
          `raw peak ${rawChild.peakRssMb} MB (+${rawChild.growthMb})`,
      );
    }
    // The same 10,000-record window walked 3 times in one child: 30,000 keys through one process.
    const repeated = await measureWalk('ours', bucket, window, 3);
    if (repeated.keys !== 3 * COUNT) throw new Error(`repeated walk saw ${repeated.keys} keys`);
    log(`  ${COUNT} x 3 walks in one process: ours peak ${repeated.peakRssMb} MB (+${repeated.growthMb})`);
    // With V8's default heap sizing, garbage is collected lazily and RSS creeps up with work done whether or not
    // anything is kept. Under a small heap, retention would show as growth rising with keys; garbage does not.
    const small = [`--max-old-space-size=${SMALL_HEAP_MB}`, '--max-semi-space-size=2'];
    const smallOnce = await measureWalk('ours', bucket, window, 1, small);
    const smallTimes6 = await measureWalk('ours', bucket, window, 6, small);
    log(
      `  small heap (${small.join(' ')}): ${COUNT} keys +${smallOnce.growthMb} MB, ` +
        `${6 * COUNT} keys +${smallTimes6.growthMb} MB`,
    );
    const first = rssByCount[0]!.ours;
    const last = rssByCount[rssByCount.length - 1]!.ours;
    const rssFlatLimitMb = round(first.peakRssMb * 1.25 + 10, 1);
    const rssFlat = last.peakRssMb <= rssFlatLimitMb;

    return {
      name: 'locker-list',
      unit: 'keys/s',
      ours,
      baseline,
      ratio,
      goal: GOAL,
      meets: ratio >= GOAL && rssFlat,
      peakRssMb: last.peakRssMb,
      method:
        `One bucket seeded with ${COUNT} records of ${KIND}, one every ${SPACING_MS / 1000} s over ${DAYS} days ` +
        `(seeding untimed, at concurrency ${SEED_CONCURRENCY}). One untimed warm-up walk each, then ` +
        `${ORDER.length} timed full-window walks in ABBA order (${ORDER.join(', ')}) over the locker's own ` +
        "S3Client. Headline ours and baseline = keys walked / wall time over all of a side's walks. " +
        `meets = ratio >= ${GOAL} && rssFlat. RSS: each walk of the first 1,000 / 5,000 / 10,000 records of the ` +
        'window (same bucket, narrower `to`) runs alone in a child process (bench/locker-list.child.ts) after ' +
        'start-up and a one-key warm-up request; peakRssMb is the highest RSS sampled every 2 ms during the ' +
        `walk. rssFlat = ours' peak at ${RSS_COUNTS.at(-1)} <= its peak at ${RSS_COUNTS[0]} x 1.25 + 10 MB. ` +
        "The headline peakRssMb is ours' 10,000-record walk.",
      count: COUNT,
      window: { ...window, days: DAYS },
      kind: KIND,
      pageSize: 1000,
      order: ORDER,
      runs,
      best: {
        ours: Math.max(...runs.ours.map((r) => r.perSecond)),
        baseline: Math.max(...runs.raw.map((r) => r.perSecond)),
      },
      medians: {
        ours: median(runs.ours.map((r) => r.perSecond)),
        baseline: median(runs.raw.map((r) => r.perSecond)),
      },
      clientCpuUsPerKey: {
        note:
          "Median over the timed walks: this process's CPU per key walked (SDK request and XML parsing; for ours " +
          'also key parsing and two async-generator hops per key). Pages are fetched one after another, so client ' +
          'CPU between pages adds to wall time.',
        ours: median(runs.ours.map((r) => r.clientCpuUsPerKey)),
        baseline: median(runs.raw.map((r) => r.clientCpuUsPerKey)),
      },
      rssFlat,
      rssFlatLimitMb,
      rssByCount: rssByCount.map(({ count, ours: o, raw: r }) => ({
        count,
        oursPeakRssMb: o.peakRssMb,
        oursGrowthMb: o.growthMb,
        rawPeakRssMb: r.peakRssMb,
        rawGrowthMb: r.growthMb,
      })),
      rssRepeatedWalk: {
        note: `ours: the ${COUNT}-record window walked 3 times in one child process (${3 * COUNT} keys)`,
        ...repeated,
      },
      rssSmallHeap: {
        note:
          `ours under node ${small.join(' ')}: the ${COUNT}-record window walked once and 6 times in one child. ` +
          'Equal growth means the walk keeps nothing per key: the growth seen with default flags is garbage V8 ' +
          'has not collected yet, not retention.',
        flags: small,
        once: smallOnce,
        sixTimes: smallTimes6,
      },
      rssDetail: rssByCount,
      listWithBodies: {
        note:
          'DETAIL, not the headline: records.list (GetObject + parse + verify sha256 of every record, ' +
          `concurrency ${BODIES_CONCURRENCY}, in order) vs a raw ListObjectsV2 walk + GetObject of each key with the ` +
          `same ordered window of concurrency (no parsing), over the first ${BODIES_COUNT} records of the window ` +
          `(${bodiesWindow.from} to ${bodiesWindow.to}). One run each, raw first.`,
        unit: 'records/s',
        ours: oursBodies.perSecond,
        baseline: rawBodies.perSecond,
        ratio: round(oursBodies.perSecond / rawBodies.perSecond, 3),
        concurrency: BODIES_CONCURRENCY,
        count: BODIES_COUNT,
        window: bodiesWindow,
        oursRun: oursBodies,
        baselineRun: rawBodies,
      },
      seeding: seeded.seeding,
      bucket,
      environment,
    };
  },
};

export default bench;

/**
 * A bucket holding exactly the window's COUNT records: the cached one from bench/.cache when it still has them
 * (Ceph memstore loses everything on restart), else a fresh bucket seeded through the locker.
 */
async function seed(
  s3: S3TestConfig,
  log: (message: string) => void,
): Promise<{ bucket: string; seeding: Record<string, unknown> }> {
  const cache = cachedSeed<SeedCache>(
    CACHE_FILE,
    (c) =>
      c.endpoint === s3.endpoint && c.count === COUNT && c.from === FROM && c.to === TO && c.kind === KIND,
  );
  if (cache) {
    const { locker, store } = s3Locker(s3, cache.bucket);
    const found = await walkOurs(locker, KIND, windowOf(COUNT)).catch(() => -1);
    const readable = found === COUNT && (await firstRecordReadable(locker, KIND, windowOf(1)));
    store.s3.destroy();
    if (readable) {
      log(`reusing seeded bucket ${cache.bucket} from ${cacheName(CACHE_FILE)}`);
      return { bucket: cache.bucket, seeding: { reused: true, seededAt: cache.seededAt } };
    }
    log(
      `cached bucket ${cache.bucket} no longer holds ${COUNT} records this build can read ` +
        `(found ${found} keys): seeding anew`,
    );
  }
  const bucket = await createTestBucket(s3);
  const { locker, store } = s3Locker(s3, bucket);
  log(`seeding ${COUNT} records over ${DAYS} days into ${bucket} (concurrency ${SEED_CONCURRENCY}, untimed)`);
  const run = await runPool(COUNT, SEED_CONCURRENCY, async (i) => {
    const draft = pullRequestDraft({
      ref: `acme/api#${i + 1}`,
      occurredAt: new Date(Date.parse(FROM) + i * SPACING_MS).toISOString(),
    });
    await locker.records.put(sealRecord(draft, new Date()));
  });
  store.s3.destroy();
  log(`seeded in ${(run.durationMs / 1000).toFixed(1)} s (${run.perSecond} records/s)`);
  await rememberSeed(CACHE_FILE, {
    bucket,
    endpoint: s3.endpoint,
    count: COUNT,
    from: FROM,
    to: TO,
    kind: KIND,
    seededAt: new Date().toISOString(),
  } satisfies SeedCache);
  return { bucket, seeding: { reused: false, durationMs: run.durationMs, perSecond: run.perSecond } };
}

async function timed(expected: number, fn: () => Promise<number>) {
  const sampler = new RssSampler();
  const started = performance.now();
  const count = await fn();
  const durationMs = performance.now() - started;
  if (count !== expected) throw new Error(`expected ${expected} records, got ${count}`);
  return {
    count,
    durationMs: round(durationMs, 1),
    perSecond: round((count * 1000) / durationMs, 1),
    processPeakRssMb: sampler.stop(),
  };
}

async function countOf(items: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of items) count++;
  return count;
}

/** The raw walk's keys (rawKeys) + GetObject of each, `BODIES_CONCURRENCY` ahead, in key order. */
function rawListWithBodies(client: S3Client, bucket: string, range: TimeRange): Promise<number> {
  return countOf(
    mapOrdered(rawKeys(client, bucket, KIND, range), BODIES_CONCURRENCY, async (key) => {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return response.Body!.transformToByteArray();
    }),
  );
}

/** Runs one walk in `tsx bench/locker-list.child.ts --child ...` and returns what it measured. */
function measureWalk(
  mode: WalkMode,
  bucket: string,
  range: TimeRange,
  repeat = 1,
  nodeFlags: string[] = [],
): Promise<ChildMeasurement> {
  const args = [
    ...nodeFlags,
    ...process.execArgv,
    path.join(BENCH_DIR, 'locker-list.child.ts'),
    '--child',
    ...['--mode', mode, '--bucket', bucket, '--from', range.from, '--to', range.to, '--kind', KIND],
    ...['--repeat', String(repeat)],
  ];
  return measureInChild(args, `child (${mode}, ${range.to})`);
}
