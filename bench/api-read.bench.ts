/**
 * api-read: 16 concurrent auditor clients on the API for 30 s each, one phase per route: `GET /v1/evidence`
 * (pages of 100, following nextCursor through one month) and `GET /v1/coverage` (SOC 2, one month). Reports
 * throughput, p50/p99 latency, errors and the API process's RSS (sampled from /proc through each phase), against
 * raw S3 reads of the same data in the same run: 16 clients each doing what one evidence page needs with the
 * plain SDK (ListObjectsV2 of the next 100 keys, then GetObject of each, 16 at a time).
 * Goal (issue 12): >= 10x the 7.6 pages/s measured before, p99 under 1 s, 0 errors, RSS flat.
 *
 *   pnpm bench api-read                    (through bench/run.ts)
 *   BENCH_SECONDS=30 BENCH_CLIENTS=16 BENCH_RECORDS=6000
 *   BENCH_API_PROFILE=1 writes a V8 CPU profile of the API process to bench/.cache/
 *
 * The locker is a bucket of the S3 server seeded once with BENCH_RECORDS records spread evenly over March 2026
 * (kept in bench/.cache/api-read.json and reused while it still holds them); Redis is a redis-server of the
 * benchmark's own. The API runs in a process of its own (bench/api-process.ts: startServer, as `crosswalk serve`
 * would).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type EvidenceKind, sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { keys as lockerKeys } from '@crosswalk/locker';
import { collectorRun, listed, runDraft } from '@crosswalk/locker/testing';
import { createTestBucket, type S3TestConfig, s3ServiceVars } from '@crosswalk/testing';
import { ApiKeys } from '../services/runtime/src/api-keys.js';
import { PrivateRedis } from '../services/worker/test/helpers.js';
import { residentMbOf, startApi, stopChild } from './api-process.js';
import { type Benchmark, type BenchResult, CACHE_DIR, round, runPool, s3Locker } from './harness.js';
import { rememberSeed } from './seeded-records.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const COUNT = Number(process.env.BENCH_RECORDS ?? 6000);
const PAGE = 100;
const KIND: EvidenceKind = 'github.pull_request.approval';
const FROM = '2026-03-01T00:00:00.000Z';
const TO = '2026-04-01T00:00:00.000Z';
const SPAN_MS = Date.parse(TO) - Date.parse(FROM);
const SEED_CONCURRENCY = 32;
/** Before the change: 7.6 evidence pages/s, p50 8.2 s, p99 11.2 s on this machine (issue 12). */
const BEFORE_PER_SECOND = 7.6;
const GOAL_FACTOR = 10;
const GOAL_P99_MS = 1000;
const CACHE_FILE = path.join(CACHE_DIR, 'api-read.json');
/** For profiling one route: BENCH_PHASES=evidence (default: raw,evidence,coverage). */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'raw,evidence,coverage').split(','));
const SKIPPED: Phase = {
  route: 'skipped',
  requests: 0,
  errors: 0,
  errorStatuses: {},
  durationMs: 0,
  perSecond: 0,
  latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
};

interface Phase {
  route: string;
  requests: number;
  errors: number;
  errorStatuses: Record<string, number>;
  durationMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  rss?: RssTrace;
}

interface RssTrace {
  startMb: number;
  endMb: number;
  peakMb: number;
  firstThirdPeakMb: number;
  lastThirdPeakMb: number;
  samples: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `clients` loops calling `step(client)` until `seconds` have passed; each call timed, failures counted. */
async function closedLoop(
  route: string,
  clients: number,
  seconds: number,
  step: (client: number) => Promise<number>,
  rssOf?: () => number | null,
): Promise<Phase> {
  const latencies: number[] = [];
  const errorStatuses: Record<string, number> = {};
  const rss: number[] = [];
  const sampler = rssOf
    ? setInterval(() => {
        const value = rssOf();
        if (value !== null) rss.push(value);
      }, 250)
    : undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        let status: number;
        try {
          status = await step(client);
        } catch (error) {
          status = -1;
          errorStatuses[(error as Error).name] = (errorStatuses[(error as Error).name] ?? 0) + 1;
        }
        latencies.push(performance.now() - t0);
        if (status !== 200 && status !== -1) {
          errorStatuses[String(status)] = (errorStatuses[String(status)] ?? 0) + 1;
        }
      }
    }),
  );
  const durationMs = performance.now() - started;
  if (sampler) clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const third = Math.max(1, Math.floor(rss.length / 3));
  return {
    route,
    requests: latencies.length,
    errors: Object.values(errorStatuses).reduce((a, b) => a + b, 0),
    errorStatuses,
    durationMs: round(durationMs, 1),
    perSecond: round((latencies.length * 1000) / durationMs, 1),
    latencyMs: {
      p50: round(quantile(latencies, 0.5), 1),
      p95: round(quantile(latencies, 0.95), 1),
      p99: round(quantile(latencies, 0.99), 1),
      max: round(latencies.at(-1) ?? 0, 1),
    },
    ...(rss.length > 0
      ? {
          rss: {
            startMb: rss[0]!,
            endMb: rss.at(-1)!,
            peakMb: Math.max(...rss),
            firstThirdPeakMb: Math.max(...rss.slice(0, third)),
            lastThirdPeakMb: Math.max(...rss.slice(-third)),
            samples: rss.length,
          },
        }
      : {}),
  };
}

/** Where client `i` starts walking the month, so the 16 clients read different pages at any one time. */
function startOf(client: number): string {
  return new Date(Date.parse(FROM) + Math.floor((SPAN_MS * client) / CLIENTS)).toISOString();
}

/** One auditor walking the month's evidence a page at a time: from its own start to the end, then again. */
function evidenceWalker(base: URL, token: string) {
  const cursors = new Map<number, { from: string; cursor: string | null }>();
  return async (client: number): Promise<number> => {
    const state = cursors.get(client) ?? { from: startOf(client), cursor: null };
    const url = new URL('/v1/evidence', base);
    url.searchParams.set('from', state.from);
    url.searchParams.set('to', TO);
    url.searchParams.set('limit', String(PAGE));
    if (state.cursor) url.searchParams.set('cursor', state.cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { items?: unknown[]; nextCursor?: string | null };
    if (response.status === 200) {
      if (!Array.isArray(body.items) || (body.items.length !== PAGE && body.nextCursor)) {
        throw new Error(`a page of ${body.items?.length} items with a next cursor`);
      }
      cursors.set(
        client,
        body.nextCursor ? { from: state.from, cursor: body.nextCursor } : { from: FROM, cursor: null },
      );
    }
    return response.status;
  };
}

/** Clients that make the first pass: each page reads 100 records from S3, 16 at a time. */
const FIRST_PASS_CLIENTS = 4;

/**
 * The month read once, FIRST_PASS_CLIENTS walkers each over its share: 16 of them would put 256 GETs in flight
 * at once, more than a 2-core RGW accepts connections for within the SDK's 5 s connection timeout.
 */
async function firstWalk(base: URL, token: string) {
  let pages = 0;
  const started = performance.now();
  const share = CLIENTS / FIRST_PASS_CLIENTS;
  await Promise.all(
    Array.from({ length: FIRST_PASS_CLIENTS }, async (_, walker) => {
      const client = walker * share;
      let cursor: string | null = null;
      do {
        const url = new URL('/v1/evidence', base);
        url.searchParams.set('from', startOf(client));
        url.searchParams.set('to', walker === FIRST_PASS_CLIENTS - 1 ? TO : startOf(client + share));
        url.searchParams.set('limit', String(PAGE));
        if (cursor) url.searchParams.set('cursor', cursor);
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        if (response.status !== 200)
          throw new Error(`first pass: ${response.status} ${await response.text()}`);
        cursor = ((await response.json()) as { nextCursor: string | null }).nextCursor;
        pages++;
      } while (cursor);
    }),
  );
  const durationMs = round(performance.now() - started, 1);
  return { pages, durationMs, perSecond: round((pages * 1000) / durationMs, 1) };
}

function coverageCall(base: URL, token: string) {
  const url = new URL('/v1/coverage', base);
  url.searchParams.set('framework', 'soc2');
  url.searchParams.set('from', FROM);
  url.searchParams.set('to', TO);
  return async (): Promise<number> => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return response.status;
  };
}

/** The raw S3 equivalent of one evidence page: the next 100 keys of the month, then each object, 16 at a time. */
function rawWalker(client: S3Client, bucket: string) {
  const positions = new Map<number, string>();
  const startAfter = (at: string) => lockerKeys.evidenceStartAfter(KIND, at);
  return async (i: number): Promise<number> => {
    const after = positions.get(i) ?? startAfter(startOf(i));
    const listed = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: lockerKeys.evidencePrefix(KIND),
        StartAfter: after,
        MaxKeys: PAGE,
      }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < keys.length) {
          const key = keys[next++]!;
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          await object.Body!.transformToByteArray();
        }
      }),
    );
    positions.set(i, keys.length === PAGE ? keys.at(-1)! : startAfter(FROM));
    return 200;
  };
}

/** One connector's scheduled runs, one an hour over the month: what a month of collection leaves behind. */
const RUN_HOURS = Math.round(SPAN_MS / 3_600_000);
const CONNECTOR = 'github-bench';
const SEED_LAYOUT = 2;

/**
 * Appends the hourly runs of CONNECTOR: run h starts at the end of hour h and vouches for the records that
 * occurred in it. Coverage walks this chain (the run days, and what the runs vouch for against the listing).
 */
async function chainRuns(
  locker: ReturnType<typeof s3Locker>['locker'],
  stored: { id: string; kind: string; sha256: string; key: string; occurredAt: string }[],
): Promise<void> {
  const byHour = new Map<number, typeof stored>();
  for (const record of stored) {
    const hour = Math.floor((Date.parse(record.occurredAt) - Date.parse(FROM)) / 3_600_000);
    byHour.set(hour, [...(byHour.get(hour) ?? []), record]);
  }
  for (let hour = 0; hour < RUN_HOURS; hour++) {
    const since = new Date(Date.parse(FROM) + hour * 3_600_000).toISOString();
    const until = new Date(Date.parse(FROM) + (hour + 1) * 3_600_000).toISOString();
    const records = byHour.get(hour) ?? [];
    await locker.runs.append(
      runDraft({
        runId: `bench-run-${hour}`,
        connectorId: CONNECTOR,
        startedAt: until,
        collectors: [
          collectorRun({
            id: 'pull_request_approvals',
            kind: KIND,
            window: { since, until },
            stored: records.length,
          }),
        ],
        records: listed(records),
      }),
    );
  }
}

interface SeedCache {
  /** How the bucket was seeded: 2 = records plus the hourly run chain that vouches for them. */
  layout?: number;
  bucket: string;
  endpoint: string;
  count: number;
  from: string;
  to: string;
  seededAt: string;
}

/** The seeded bucket from bench/.cache when it still holds the records, else a fresh one seeded now. */
async function seed(s3: S3TestConfig, log: (message: string) => void) {
  if (existsSync(CACHE_FILE)) {
    const cache = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as SeedCache;
    if (
      cache.layout === SEED_LAYOUT &&
      cache.endpoint === s3.endpoint &&
      cache.count === COUNT &&
      cache.from === FROM &&
      cache.to === TO
    ) {
      const { locker, store } = s3Locker(s3, cache.bucket);
      let found = 0;
      try {
        for await (const _ of locker.records.refs(KIND, { from: FROM, to: TO })) found++;
      } catch {
        found = -1;
      }
      store.s3.destroy();
      if (found === COUNT) {
        log(`reusing seeded bucket ${cache.bucket}`);
        return { bucket: cache.bucket, seeding: { reused: true, seededAt: cache.seededAt } };
      }
    }
  }
  const bucket = await createTestBucket(s3);
  const { locker, store } = s3Locker(s3, bucket);
  log(`seeding ${COUNT} records over March 2026 into ${bucket} (untimed)`);
  const stored: { id: string; kind: string; sha256: string; key: string; occurredAt: string }[] = [];
  const run = await runPool(COUNT, SEED_CONCURRENCY, async (i) => {
    const draft = pullRequestDraft({
      ref: `acme/api#${i + 1}`,
      occurredAt: new Date(Date.parse(FROM) + Math.floor((i * SPAN_MS) / COUNT)).toISOString(),
    });
    const record = sealRecord(draft, new Date());
    const { key } = await locker.records.put(record);
    stored[i] = {
      id: record.id,
      kind: record.kind,
      sha256: record.sha256,
      key,
      occurredAt: record.occurredAt,
    };
  });
  log(
    `seeded ${COUNT} records in ${(run.durationMs / 1000).toFixed(1)} s; chaining ${RUN_HOURS} hourly runs`,
  );
  const chained = performance.now();
  await chainRuns(locker, stored);
  store.s3.destroy();
  log(`chained in ${((performance.now() - chained) / 1000).toFixed(1)} s`);
  const cache: SeedCache = {
    layout: SEED_LAYOUT,
    bucket,
    endpoint: s3.endpoint,
    count: COUNT,
    from: FROM,
    to: TO,
    seededAt: new Date().toISOString(),
  };
  await rememberSeed(CACHE_FILE, cache);
  return { bucket, seeding: { reused: false, durationMs: run.durationMs } };
}

function rssFlat(trace: RssTrace | undefined): boolean {
  return trace !== undefined && trace.lastThirdPeakMb <= trace.firstThirdPeakMb * 1.15 + 10;
}

async function run(s3: S3TestConfig, log: (message: string) => void): Promise<BenchResult> {
  const { bucket, seeding } = await seed(s3, log);
  const redis = await PrivateRedis.start();
  const { locker, store } = s3Locker(s3, bucket);
  const auditor = await new ApiKeys(locker).create({
    name: 'bench auditor',
    role: 'auditor',
    createdBy: 'bench',
  });
  const vars = {
    REDIS_URL: redis.url,
    CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
    ...s3ServiceVars(s3, bucket),
    LOG_LEVEL: 'warn',
  };
  const api = await startApi('api-read', vars);
  try {
    const token = auditor.token;
    const rssOf = () => residentMbOf(api.child.pid, 'VmRSS');
    const evidence = evidenceWalker(api.url, token);
    const coverage = coverageCall(api.url, token);
    const raw = rawWalker(store.s3, bucket);
    // Untimed: one page and one coverage report, so the first timed request does not pay for start-up.
    await evidence(0);
    // The first coverage request reads everything (record keys, the whole chain and the window's manifests);
    // timed apart: it is what each request cost before the API kept its tallies, and what a moved head costs.
    const coverageStarted = performance.now();
    await coverage();
    const coverageFirstMs = round(performance.now() - coverageStarted, 1);
    log(`first coverage request (reads the locker): ${coverageFirstMs} ms`);
    await raw(0);
    // Untimed, timed apart: the month walked once, as an auditor's first pass reads it. Its pages read every
    // record from S3; the timed phase is the paging that follows.
    log(`first pass over the month (${COUNT / PAGE} pages, ${FIRST_PASS_CLIENTS} walkers), timed apart`);
    const firstPass = await firstWalk(api.url, token);
    log(`  ${firstPass.pages} pages in ${firstPass.durationMs} ms: ${firstPass.perSecond} pages/s`);

    log(`raw S3 pages of ${PAGE}: ${CLIENTS} clients for ${SECONDS} s`);
    const rawPhase = PHASES.has('raw')
      ? await closedLoop('raw S3: ListObjectsV2 + GetObject x 100', CLIENTS, SECONDS, raw)
      : SKIPPED;
    log(
      `  ${rawPhase.perSecond} pages/s, p50 ${rawPhase.latencyMs.p50} ms, p99 ${rawPhase.latencyMs.p99} ms`,
    );
    log(`GET /v1/evidence pages of ${PAGE}: ${CLIENTS} clients for ${SECONDS} s`);
    const evidencePhase = PHASES.has('evidence')
      ? await closedLoop('GET /v1/evidence', CLIENTS, SECONDS, evidence, rssOf)
      : SKIPPED;
    log(
      `  ${evidencePhase.perSecond} pages/s, p50 ${evidencePhase.latencyMs.p50} ms, p99 ${evidencePhase.latencyMs.p99} ms, ` +
        `${evidencePhase.errors} errors, API RSS ${evidencePhase.rss?.startMb} -> ${evidencePhase.rss?.endMb} MB`,
    );
    log(`GET /v1/coverage (one month): ${CLIENTS} clients for ${SECONDS} s`);
    const coveragePhase = PHASES.has('coverage')
      ? await closedLoop('GET /v1/coverage', CLIENTS, SECONDS, () => coverage(), rssOf)
      : SKIPPED;
    log(
      `  ${coveragePhase.perSecond} reports/s, p50 ${coveragePhase.latencyMs.p50} ms, p99 ${coveragePhase.latencyMs.p99} ms, ` +
        `${coveragePhase.errors} errors, API RSS ${coveragePhase.rss?.startMb} -> ${coveragePhase.rss?.endMb} MB`,
    );
    const peakRssMb = Math.max(evidencePhase.rss?.peakMb ?? 0, coveragePhase.rss?.peakMb ?? 0);
    const ours = evidencePhase.perSecond;
    const baseline = rawPhase.perSecond;
    const goalPerSecond = BEFORE_PER_SECOND * GOAL_FACTOR;
    const flat = rssFlat(evidencePhase.rss) && rssFlat(coveragePhase.rss);
    const meets =
      ours >= goalPerSecond &&
      evidencePhase.latencyMs.p99 < GOAL_P99_MS &&
      coveragePhase.latencyMs.p99 < GOAL_P99_MS &&
      evidencePhase.errors === 0 &&
      coveragePhase.errors === 0 &&
      flat;
    return {
      name: 'api-read',
      unit: 'evidence pages/s',
      ours,
      baseline,
      ratio: round(ours / baseline, 3),
      goal: round(goalPerSecond / baseline, 3),
      meets,
      peakRssMb,
      method:
        `${COUNT} records of ${KIND} spread evenly over ${FROM} .. ${TO} in one bucket, vouched for by ${RUN_HOURS} ` +
        `hourly runs of one connector's chain (seeding untimed). The API ` +
        'runs in its own process (startServer, LOG_LEVEL warn) with a private redis-server; clients are this ' +
        `process, ${CLIENTS} closed loops over fetch with one auditor key. Phases of ${SECONDS} s each, in order: ` +
        `raw S3 (each client: ListObjectsV2 MaxKeys ${PAGE} after its last key, then GetObject of each key, 16 at a ` +
        `time, over the locker's own S3Client), GET /v1/evidence (limit ${PAGE}, each client walks the month from ` +
        'its own start (client i at i/16 of it) following nextCursor, then from the start again), GET /v1/coverage ' +
        '(framework soc2, the month; nothing is written meanwhile, so the chain head stays put and the API answers ' +
        'from the tallies it read once: coverageFirstMs is that first reading, what a moved head costs). One ' +
        'untimed request of each first, then the month walked once by 4 walkers ' +
        '(firstPass, timed apart: those pages read every record from S3). ours = evidence pages/s; baseline = raw S3 ' +
        `pages/s. The goal from the issue is absolute: >= ${GOAL_FACTOR} x ${BEFORE_PER_SECOND} pages/s (so goal = ` +
        `${goalPerSecond} / baseline as a ratio), p99 < ${GOAL_P99_MS} ms on both routes, 0 errors, and RSS flat: ` +
        "the API process's RSS (sampled every 250 ms) peaks in the last third of each phase at most 1.15 x + 10 MB " +
        'of its peak in the first third.',
      before: { perSecond: BEFORE_PER_SECOND, p50Ms: 8200, p99Ms: 11200, note: 'evidence pages, issue 12' },
      goalPerSecond,
      goalP99Ms: GOAL_P99_MS,
      rssFlat: flat,
      phases: { raw: rawPhase, evidence: evidencePhase, coverage: coveragePhase },
      firstPass,
      coverageFirstMs,
      chainRuns: RUN_HOURS,
      clients: CLIENTS,
      seconds: SECONDS,
      records: COUNT,
      pageSize: PAGE,
      seeding,
      bucket,
    };
  } finally {
    await stopChild(api.child);
    await redis.kill();
    store.s3.destroy();
  }
}

const benchmark: Benchmark = {
  name: 'api-read',
  description: `${CLIENTS} auditor clients on GET /v1/evidence (pages of ${PAGE}) and GET /v1/coverage, vs raw S3`,
  run: (context) => run(context.s3, context.log),
};

export default benchmark;
