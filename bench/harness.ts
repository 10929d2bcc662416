/**
 * Shared plumbing for the benchmarks in bench/*.bench.ts: the S3 server they run against, the environment they
 * record, a fixed-concurrency work pool, RSS and CPU sampling, and the result file. Nothing here knows a figure:
 * every number in a result comes from the run that wrote it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The built-in connectors' kinds, registered as every process registers them before it reads a record.
import '@crosswalk/runtime/registry';
import { openLocker, parseLockerConfig, type S3LockerConfig, S3ObjectStore } from '@crosswalk/locker';
import { type S3TestConfig, s3LockerSettings } from '@crosswalk/testing';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.resolve(BENCH_DIR, '..');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');

/** The fields every result file has; a benchmark adds its own detail fields next to them. */
export interface BenchResult {
  name: string;
  unit: string;
  /** Crosswalk's throughput (the headline figure). */
  ours: number;
  /** The raw S3 SDK doing the same work against the same server. */
  baseline: number;
  /** ours / baseline. */
  ratio: number;
  /** The minimum acceptable ratio (from the issue). */
  goal: number;
  meets: boolean;
  peakRssMb: number;
  /** How the figures were taken: order, repetitions, which run is the headline. */
  method: string;
  [detail: string]: unknown;
}

export interface BenchContext {
  s3: S3TestConfig;
  environment: Environment;
  /** Keep buckets a benchmark would otherwise delete when it is done. */
  keep: boolean;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult>;
}

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpuCount: number;
  cpuModel: string;
  totalMemMb: number;
  loadAverage1m: number;
  /** Set by run.ts when the benchmark is done. */
  loadAverage1mAfter?: number;
  server: string;
  serverVersion: string | null;
  endpoint: string;
  awsSdkVersion: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  /**
   * SHA-256 (first 16 hex) of every file under packages/core/src and packages/locker/src: identifies the code
   * measured even when the tree is dirty.
   */
  sourceHash: string;
  date: string;
}

/** `bench/<name>.bench.ts` files, sorted by name. */
export function benchmarkNames(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length))
    .sort();
}

export function environment(s3: S3TestConfig, server: string): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuCount: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
    server,
    serverVersion: server === 'ceph-rgw' ? commandOutput('radosgw', ['--version']) : null,
    endpoint: s3.endpoint,
    awsSdkVersion: packageVersion('@aws-sdk/client-s3'),
    gitCommit: commandOutput('git', ['rev-parse', 'HEAD']),
    gitDirty: (() => {
      const status = commandOutput('git', ['status', '--porcelain']);
      return status === null ? null : status.length > 0;
    })(),
    sourceHash: sourceHash(['packages/core/src', 'packages/locker/src']),
    date: new Date().toISOString(),
  };
}

function sourceHash(dirs: string[]): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT_DIR, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else
        hash
          .update(relative)
          .update('\0')
          .update(readFileSync(path.join(ROOT_DIR, relative)))
          .update('\0');
    }
  };
  for (const dir of dirs) walk(dir);
  return hash.digest('hex').slice(0, 16);
}

function commandOutput(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, {
      cwd: ROOT_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')[0]!
      .trim();
  } catch {
    return null;
  }
}

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(
      readFileSync(path.join(ROOT_DIR, 'node_modules', name, 'package.json'), 'utf8'),
    );
    return String(manifest.version);
  } catch {
    return 'unknown';
  }
}

/** A locker over `bucket` built exactly as production builds one from validated config. */
export function s3Locker(s3: S3TestConfig, bucket: string) {
  const config = parseLockerConfig(s3LockerSettings(s3, bucket)) as S3LockerConfig;
  const locker = openLocker(config);
  if (!(locker.store instanceof S3ObjectStore)) throw new Error('expected the S3 driver');
  return { locker, store: locker.store, config };
}

export interface PoolRun {
  count: number;
  concurrency: number;
  durationMs: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** CPU time of this Node process (user + system) over the run, per operation. */
  clientCpuMsPerOp: number;
  /** CPU time of the local Ceph daemons (radosgw, ceph-osd, ceph-mon) over the run, per operation; null if unseen. */
  serverCpuMsPerOp: number | null;
  /** Highest RSS of this process sampled during the run. */
  peakRssMb: number;
}

/**
 * Runs `task(0..count-1)` with exactly `concurrency` in flight until all are done, and times it. Workers take the
 * next index as soon as they finish one, so the server always sees `concurrency` requests (until the tail).
 */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<PoolRun> {
  const latencies = new Float64Array(count);
  let next = 0;
  const rss = new RssSampler();
  const serverBefore = serverCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const t0 = performance.now();
      await task(index);
      latencies[index] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = serverCpuMs();
  const peakRssMb = rss.stop();
  latencies.sort();
  return {
    count,
    concurrency,
    durationMs: round(durationMs, 1),
    perSecond: round((count * 1000) / durationMs, 1),
    latencyMs: {
      p50: round(quantile(latencies, 0.5), 2),
      p95: round(quantile(latencies, 0.95), 2),
      p99: round(quantile(latencies, 0.99), 2),
      max: round(latencies[count - 1] ?? 0, 2),
    },
    clientCpuMsPerOp: round((cpu.user + cpu.system) / 1000 / count, 3),
    serverCpuMsPerOp:
      serverBefore === null || serverAfter === null ? null : round((serverAfter - serverBefore) / count, 3),
    peakRssMb,
  };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Samples this process's RSS every few milliseconds (and at start and stop) and keeps the highest. */
export class RssSampler {
  private peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 5) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling; the peak in MB. */
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return mb(this.peak);
  }
}

const CEPH_DAEMONS = new Set(['radosgw', 'ceph-osd', 'ceph-mon']);
const CLOCK_TICKS = 100;

/**
 * CPU milliseconds used so far by the local Ceph daemons, from /proc. Best effort: null when the server is not
 * on this machine (or not Linux), so a remote server simply has no server-side figure.
 */
export function serverCpuMs(): number | null {
  let total = 0;
  let seen = false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (!CEPH_DAEMONS.has(comm)) continue;
      const fields = stat
        .slice(close + 2)
        .split(' ')
        .map(Number);
      // After "(comm) ", field 0 is state; utime and stime are fields 11 and 12 (14 and 15 in proc(5)).
      total += (((fields[11] ?? 0) + (fields[12] ?? 0)) * 1000) / CLOCK_TICKS;
      seen = true;
    } catch {
      // The process exited between readdir and read.
    }
  }
  return seen ? total : null;
}

export function mb(bytes: number): number {
  return round(bytes / 2 ** 20, 1);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function writeResult(result: BenchResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.name}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function summaryLine(result: BenchResult): string {
  const verdict = result.meets ? 'MEETS' : 'MISSES';
  // Something else already loading the machine when the benchmark started makes its throughput figures shaky.
  const env = result['environment'] as Partial<Environment> | undefined;
  const busy =
    env?.loadAverage1m !== undefined && env.cpuCount !== undefined && env.loadAverage1m > env.cpuCount
      ? `  (busy machine: load ${env.loadAverage1m} at start on ${env.cpuCount} CPUs)`
      : '';
  return (
    `${result.name.padEnd(12)} ours ${fmt(result.ours)} ${result.unit}  baseline ${fmt(result.baseline)} ${result.unit}  ` +
    `ratio ${result.ratio} (goal >= ${result.goal})  peak RSS ${result.peakRssMb} MB  ${verdict}${busy}`
  );
}

function fmt(value: number): string {
  return value.toFixed(1);
}

/**
 * Runs a measurement in a process of its own (its heap and peak RSS start fresh): `node <args>`, which prints its
 * result as the last line of stdout, in JSON. `what` names the child in the error when it fails.
 */
export function measureInChild<Result>(args: readonly string[], what: string): Promise<Result> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`${what} exited ${code}: ${output}`));
      else resolve(JSON.parse(line) as Result);
    });
  });
}
