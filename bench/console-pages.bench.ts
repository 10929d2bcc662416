/**
 * console-pages: the API calls behind each page of the console on a locker holding a year of evidence (about
 * 100,000 records from three connectors, bench/console-seed.ts), with 8 concurrent auditors on this machine, each
 * page's p95 against reading the same data raw from S3 in the same run. Goal (issue 17): every route's p95 under
 * 300 ms, 0 errors.
 *
 *   pnpm bench console-pages
 *   BENCH_SECONDS=90 BENCH_USERS=8
 *
 * The routes, one auditor's loop: the controls overview (`GET /v1/controls/overview`, the year), a control's page
 * (`GET /v1/controls/:id/test`, the year, the engagement's seed, a population page of 50; each user walks the
 * register's controls and the pages of their populations; a re-draw with a new seed is timed apart), the coverage picture (`GET /v1/coverage`, SOC 2, the
 * year) and an evidence item (`GET /v1/evidence/:id` of an item of the control's sample).
 *
 * Raw, per route, the same data with the plain SDK over the same client: the overview and a control page rest on
 * every record of their controls' kinds in the window (ListObjectsV2 + GetObject, 16 in flight, as the locker
 * reads); the coverage picture on the window's record keys and every run manifest (listings + GetObject of each
 * manifest); an evidence item on one GetObject (timed under the same 8 users).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { starterRegister } from '@crosswalk/assurance';
import type { EvidenceKind } from '@crosswalk/core';
import { keys } from '@crosswalk/locker';
import { type S3TestConfig, s3ServiceVars } from '@crosswalk/testing';
import { ApiKeys } from '../services/runtime/src/api-keys.js';
import { PrivateRedis } from '../services/worker/test/helpers.js';
import { answerOf, residentMbOf, startApi, stopChild } from './api-process.js';
import { CONNECTORS, FROM, seedYear, TO } from './console-seed.js';
import { type Benchmark, type BenchResult, round, s3Locker } from './harness.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 90);
const USERS = Number(process.env.BENCH_USERS ?? 8);
const GOAL_P95_MS = 300;
const PAGE = 50;
const AUDIT_SEED = 'audit-2025';
const ROUTES = ['overview', 'control', 'coverage', 'evidence'] as const;
type Route = (typeof ROUTES)[number];

interface Latencies {
  requests: number;
  errors: number;
  errorStatuses: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  bytesMean: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarize(samples: { ms: number; status: number; bytes: number }[]): Latencies {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const errorStatuses: Record<string, number> = {};
  for (const s of samples) if (s.status !== 200) errorStatuses[s.status] = (errorStatuses[s.status] ?? 0) + 1;
  return {
    requests: samples.length,
    errors: samples.filter((s) => s.status !== 200).length,
    errorStatuses,
    latencyMs: {
      p50: round(quantile(sorted, 0.5), 1),
      p95: round(quantile(sorted, 0.95), 1),
      p99: round(quantile(sorted, 0.99), 1),
      max: round(sorted.at(-1) ?? 0, 1),
    },
    bytesMean: Math.round(samples.reduce((s, x) => s + x.bytes, 0) / Math.max(1, samples.length)),
  };
}

/**
 * One GET through node:http with no timeout: the first request for a year reads every record (minutes), longer
 * than fetch waits for response headers.
 */
function slowGet(url: URL, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      answerOf(response).then(resolve, reject);
    });
    request.on('error', reject);
  });
}

const windowParams = { from: FROM, to: TO };

function urlOf(base: URL, path: string, params: Record<string, string>): URL {
  const url = new URL(path, base);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** The kinds each register control rests on (the raw read of its page). */
function kindsOf(controls: readonly string[]): EvidenceKind[] {
  const register = starterRegister();
  return [
    ...new Set(
      register.controls.filter((c) => controls.includes(c.id)).flatMap((c) => c.evidence.map((e) => e.kind)),
    ),
  ];
}

/** Lists every key of `kind` in the window and GETs each body, 16 in flight: what a control's test reads. */
async function rawReadKind(client: S3Client, bucket: string, kind: EvidenceKind) {
  const started = performance.now();
  let objects = 0;
  let bytes = 0;
  const stop = keys.evidenceStartAfter(kind, TO);
  let token: string | undefined;
  const pending: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const get = async (key: string) => {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    bytes += (await object.Body!.transformToByteArray()).length;
    objects++;
  };
  let startAfter: string | undefined = keys.evidenceStartAfter(kind, FROM);
  for (;;) {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: keys.evidencePrefix(kind),
        ...(token ? { ContinuationToken: token } : { StartAfter: startAfter }),
      }),
    );
    startAfter = undefined;
    const listed = (page.Contents ?? []).map((o) => o.Key!).filter((k) => k < stop);
    pending.push(...listed);
    while (pending.length > 0) {
      while (inFlight.size < 16 && pending.length > 0) {
        const p: Promise<void> = get(pending.shift()!).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.race(inFlight);
    }
    const last = page.Contents?.at(-1)?.Key;
    if (!page.IsTruncated || (last !== undefined && last >= stop)) break;
    token = page.NextContinuationToken;
  }
  await Promise.all(inFlight);
  return { kind, objects, bytes, durationMs: round(performance.now() - started, 1) };
}

/** What the coverage picture rests on, raw: every kind's keys in the window, each connector's run manifests. */
async function rawCoverage(client: S3Client, bucket: string, kinds: EvidenceKind[]) {
  const started = performance.now();
  let keysListed = 0;
  const list = async (prefix: string, startAfter?: string, stop?: string) => {
    const found: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
        }),
      );
      const listed = (page.Contents ?? []).map((o) => o.Key!);
      found.push(...(stop ? listed.filter((k) => k < stop) : listed));
      if (!page.IsTruncated || (stop && listed.at(-1)! >= stop)) return found;
      token = page.NextContinuationToken;
    }
  };
  for (const kind of kinds) {
    keysListed += (
      await list(
        keys.evidencePrefix(kind),
        keys.evidenceStartAfter(kind, FROM),
        keys.evidenceStartAfter(kind, TO),
      )
    ).length;
  }
  let manifests = 0;
  for (const connector of CONNECTORS) {
    const runs = await list(keys.runPrefix(connector));
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < runs.length) {
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: runs[next++]! }));
          await object.Body!.transformToByteArray();
          manifests++;
        }
      }),
    );
  }
  return { keysListed, manifests, durationMs: round(performance.now() - started, 1) };
}

/** What `uptime` prints: how long the machine has been up and its load averages (1, 5, 15 minutes). */
function uptime(): string {
  const [one, five, fifteen] = os.loadavg().map((l) => l.toFixed(2));
  return `${new Date().toISOString()} up ${Math.round(os.uptime() / 60)} min, load average: ${one}, ${five}, ${fifteen}`;
}

async function run(s3: S3TestConfig, log: (message: string) => void): Promise<BenchResult> {
  const uptimeAtStart = uptime();
  const seeded = await seedYear(s3, log);
  const redis = await PrivateRedis.start();
  const { locker, store } = s3Locker(s3, seeded.bucket);
  const auditor = await new ApiKeys(locker).create({
    name: 'bench auditor',
    role: 'auditor',
    createdBy: 'bench',
  });
  const api = await startApi('console-pages', {
    REDIS_URL: redis.url,
    CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
    ...s3ServiceVars(s3, seeded.bucket),
    LOG_LEVEL: 'warn',
  });
  const token = auditor.token;
  const base = api.url;
  try {
    // The first requests read the year (timed apart): what each request cost before the index, and what a moved
    // head costs now.
    let started = performance.now();
    const overviewUrl = urlOf(base, '/v1/controls/overview', windowParams);
    const cold = await slowGet(overviewUrl, token);
    if (cold.status !== 200) throw new Error(`overview: ${cold.status} ${cold.body.slice(0, 500)}`);
    const firstOverviewMs = round(performance.now() - started, 1);
    const overview = JSON.parse(cold.body) as { controls: { id: string; populationSize: number }[] };
    log(`first overview (one reading of the year): ${firstOverviewMs} ms`);
    const coverageUrl = urlOf(base, '/v1/coverage', { framework: 'soc2', ...windowParams });
    started = performance.now();
    const coldCoverage = await slowGet(coverageUrl, token);
    if (coldCoverage.status !== 200) throw new Error(`coverage: ${coldCoverage.status}`);
    const firstCoverageMs = round(performance.now() - started, 1);
    log(`first coverage (record keys and run manifests of the year): ${firstCoverageMs} ms`);

    const controls = overview.controls.filter((c) => c.populationSize > 0);
    const population = new Map(controls.map((c) => [c.id, c.populationSize]));
    // The engagement's seed: every auditor looks at the same samples. Drawing them (once per control) happens
    // below, before timing, when the items to open are taken from them; a re-draw with another seed is timed
    // apart (redrawMs).
    const items: string[] = [];
    const controlUrl = (user: number, step: number) => {
      const control = controls[(user + step) % controls.length]!;
      const pages = Math.max(1, Math.ceil(population.get(control.id)! / PAGE));
      return {
        control: control.id,
        url: urlOf(base, `/v1/controls/${control.id}/test`, {
          ...windowParams,
          seed: AUDIT_SEED,
          limit: String(PAGE),
          offset: String(((user * 7 + step) % pages) * PAGE),
        }),
      };
    };
    // Each control's sample with the engagement's seed gives the items the evidence route opens.
    for (const control of controls) {
      const response = await slowGet(
        urlOf(base, `/v1/controls/${control.id}/test`, { ...windowParams, seed: AUDIT_SEED, limit: '1' }),
        token,
      );
      if (response.status !== 200) {
        throw new Error(`${control.id}'s sample: ${response.status} ${response.body.slice(0, 500)}`);
      }
      const body = JSON.parse(response.body) as { sample: { items: { id: string }[] } };
      items.push(...body.sample.items.map((i) => i.id));
    }
    log(`${controls.length} controls with evidence, ${items.length} sampled items to open`);

    const samples = new Map<Route, { ms: number; status: number; bytes: number }[]>(
      ROUTES.map((r) => [r, []]),
    );
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const value = residentMbOf(api.child.pid, 'VmRSS');
      if (value !== null) rss.push(value);
    }, 250);
    const call = async (route: Route, url: URL) => {
      const t0 = performance.now();
      let status = -1;
      let bytes = 0;
      try {
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        bytes = (await response.arrayBuffer()).byteLength;
        status = response.status;
      } catch {
        status = -1;
      }
      samples.get(route)!.push({ ms: performance.now() - t0, status, bytes });
    };
    log(`${USERS} users for ${SECONDS} s: overview, a control page, coverage, an evidence item, in a loop`);
    const deadline = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: USERS }, async (_, user) => {
        for (let step = 0; performance.now() < deadline; step++) {
          await call('overview', overviewUrl);
          await call('control', controlUrl(user, step).url);
          await call('coverage', coverageUrl);
          const item = items[(user * 13 + step) % items.length]!;
          await call('evidence', new URL(`/v1/evidence/${encodeURIComponent(item)}`, base));
        }
      }),
    );
    clearInterval(sampler);
    const routes = Object.fromEntries(ROUTES.map((r) => [r, summarize(samples.get(r)!)])) as Record<
      Route,
      Latencies
    >;
    for (const r of ROUTES) {
      const { latencyMs, requests, errors } = routes[r];
      log(
        `  ${r}: ${requests} requests, p50 ${latencyMs.p50} ms, p95 ${latencyMs.p95} ms, p99 ${latencyMs.p99} ms, ${errors} errors`,
      );
    }

    // A control page with a seed nobody asked before: the sample is drawn from the kept population (timed apart).
    const redraws: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const response = await fetch(
        urlOf(base, '/v1/controls/CHG-01/test', {
          ...windowParams,
          seed: `redraw-${i}-${Date.now()}`,
          limit: '50',
        }),
        { headers: { authorization: `Bearer ${token}` } },
      );
      await response.arrayBuffer();
      redraws.push(round(performance.now() - t0, 1));
    }
    log(`CHG-01 with a new seed (redraw from the kept population): ${redraws.join(', ')} ms`);

    // Raw: the same data read with the plain SDK, once per route (a single reader: 8 would each read the year).
    log('raw: every record of the register kinds in the window (list + get, 16 in flight)');
    const allKinds = kindsOf(starterRegister().controls.map((c) => c.id));
    const rawKinds: Awaited<ReturnType<typeof rawReadKind>>[] = [];
    for (const kind of allKinds) {
      const read = await rawReadKind(store.s3, seeded.bucket, kind);
      log(`  ${kind}: ${read.objects} objects in ${read.durationMs} ms`);
      rawKinds.push(read);
    }
    const rawOf = (kinds: EvidenceKind[]) =>
      round(
        rawKinds.filter((r) => kinds.includes(r.kind)).reduce((s, r) => s + r.durationMs, 0),
        1,
      );
    log('raw: the coverage picture (keys of the window, every run manifest)');
    const coverageRaw = await rawCoverage(store.s3, seeded.bucket, allKinds);
    log(
      `  ${coverageRaw.keysListed} keys, ${coverageRaw.manifests} manifests in ${coverageRaw.durationMs} ms`,
    );
    log(`raw: one GetObject per evidence item, ${USERS} readers for 20 s`);
    const rawItems: { ms: number; status: number; bytes: number }[] = [];
    const rawDeadline = performance.now() + 20_000;
    await Promise.all(
      Array.from({ length: USERS }, async (_, user) => {
        for (let step = 0; performance.now() < rawDeadline; step++) {
          const id = items[(user * 13 + step) % items.length]!;
          const t0 = performance.now();
          const object = await store.s3.send(
            new GetObjectCommand({ Bucket: seeded.bucket, Key: keys.evidenceKey({ id }) }),
          );
          const bytes = (await object.Body!.transformToByteArray()).length;
          rawItems.push({ ms: performance.now() - t0, status: 200, bytes });
        }
      }),
    );
    const rawItem = summarize(rawItems);
    // A control page's raw read, averaged over the controls the users opened (each page: its kinds, the year).
    const controlRawMs = round(controls.reduce((s, c) => s + rawOf(kindsOf([c.id])), 0) / controls.length, 1);
    const baselines: Record<Route, number> = {
      overview: rawOf(allKinds),
      control: controlRawMs,
      coverage: coverageRaw.durationMs,
      evidence: rawItem.latencyMs.p95,
    };
    const perRoute = Object.fromEntries(
      ROUTES.map((r) => [
        r,
        {
          ...routes[r],
          rawMs: baselines[r],
          rawIs: r === 'evidence' ? 'p95 of GetObject under the same users' : 'one raw read of the same data',
          speedup: round(baselines[r] / Math.max(0.1, routes[r].latencyMs.p95), 1),
          meets: routes[r].latencyMs.p95 < GOAL_P95_MS && routes[r].errors === 0,
        },
      ]),
    );
    const slowest = ROUTES.reduce((a, b) => (routes[b].latencyMs.p95 > routes[a].latencyMs.p95 ? b : a));
    const ours = routes[slowest].latencyMs.p95;
    const baseline = baselines[slowest];
    const meets = ROUTES.every((r) => routes[r].latencyMs.p95 < GOAL_P95_MS && routes[r].errors === 0);
    const peakRssMb = residentMbOf(api.child.pid, 'VmHWM') ?? Math.max(...rss);
    return {
      name: 'console-pages',
      unit: `ms, p95 of the slowest page route (${slowest})`,
      ours,
      baseline,
      ratio: round(baseline / Math.max(0.1, ours), 2),
      goal: round(baseline / GOAL_P95_MS, 2),
      meets,
      peakRssMb,
      method:
        `A year (${FROM} .. ${TO}) of ${seeded.records} records from ${CONNECTORS.length} connectors and their ` +
        'daily chained runs in one bucket (bench/console-seed.ts; seeding untimed, reused from bench/.cache). The ' +
        'API in its own process (startServer, LOG_LEVEL warn, private redis-server), one auditor key. First the ' +
        'overview and coverage are asked once and timed apart (firstOverviewMs, firstCoverageMs: one reading of ' +
        'the year, what every request cost before the index and what a moved chain head costs), and one sample ' +
        `per control drawn for the items to open. Then ${USERS} users in closed loops for ${SECONDS} s, each: ` +
        `overview of the year, a control page (the year, seed ${AUDIT_SEED}, a population page of 50, walking the ` +
        'controls and pages), coverage (soc2, the year), an evidence item from the samples. Raw, in the same run ' +
        'after the timed phase: each kind of the register listed and every object read (16 in flight); ' +
        'overview = all kinds, control = mean over the controls of their kinds, coverage = listing every kind ' +
        'in the window plus GET of every run manifest, evidence = p95 of one GetObject under the same users. ' +
        `ours = p95 of the slowest route; ratio = raw / ours (x faster); goal = raw / ${GOAL_P95_MS} (the ` +
        `ratio at p95 = ${GOAL_P95_MS} ms); meets = every route's p95 < ${GOAL_P95_MS} ms with 0 errors. ` +
        'peakRssMb = the API process lifetime high-water mark (VmHWM), the first reading included.',
      goalP95Ms: GOAL_P95_MS,
      routes: perRoute,
      firstOverviewMs,
      firstCoverageMs,
      redrawMs: redraws,
      raw: { kinds: rawKinds, coverage: coverageRaw, evidenceItem: rawItem },
      apiRssMb: {
        timedStart: rss[0] ?? null,
        timedEnd: rss.at(-1) ?? null,
        timedPeak: rss.length > 0 ? Math.max(...rss) : null,
        lifetimePeak: peakRssMb,
      },
      users: USERS,
      seconds: SECONDS,
      records: seeded.records,
      seeding: seeded,
      uptime: { atStart: uptimeAtStart, atEnd: uptime() },
    };
  } finally {
    await stopChild(api.child);
    await redis.kill();
    store.s3.destroy();
  }
}

const benchmark: Benchmark = {
  name: 'console-pages',
  description: `${USERS} auditors on the console's page routes over a year of 100,000 records, vs raw S3 reads`,
  run: (context) => run(context.s3, context.log),
};

export default benchmark;
