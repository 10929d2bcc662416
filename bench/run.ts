/**
 * Runs the benchmarks in bench/*.bench.ts against the S3 server of the S3_* variables (by default the local
 * Ceph RGW of scripts/services/ceph-rgw.sh), each in its own Node process so one cannot warm, fill or grow
 * the heap of the next. Each writes bench/results/<name>.json; this prints one summary line per benchmark.
 *
 *   pnpm bench                       every benchmark
 *   pnpm bench locker-put            one (or several) by name
 *   pnpm bench -- --keep             keep the buckets a benchmark would delete
 *   pnpm bench -- --strict           exit 1 when a benchmark misses its goal (it always exits 1 on an error)
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { s3TestConfig } from '@crosswalk/testing';
import {
  BENCH_DIR,
  type Benchmark,
  type BenchResult,
  benchmarkNames,
  type Environment,
  environment,
  RESULTS_DIR,
  ROOT_DIR,
  summaryLine,
  writeResult,
} from './harness.js';

const CEPH_SCRIPT = path.join(ROOT_DIR, 'scripts/services/ceph-rgw.sh');

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const flags = new Set(args.filter((arg) => arg.startsWith('--')));
const positional = args.filter((arg) => !arg.startsWith('--'));

if (flags.has('--worker')) {
  await worker(positional[0]!);
} else {
  process.exitCode = await main();
}

async function main(): Promise<number> {
  const available = benchmarkNames();
  const unknown = positional.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  const names = positional.length > 0 ? positional : available;
  const server = await prepareServer();
  const lines: string[] = [];
  let failed = false;
  let missed = false;
  for (const name of names) {
    console.log(`\n== ${name} (${server}, ${process.env.S3_ENDPOINT})`);
    const code = await runWorker(name, server);
    if (code !== 0) {
      failed = true;
      lines.push(`${name.padEnd(12)} FAILED (exit ${code}); see the output above`);
      continue;
    }
    const result = JSON.parse(readFileSync(path.join(RESULTS_DIR, `${name}.json`), 'utf8')) as BenchResult;
    missed ||= !result.meets;
    lines.push(summaryLine(result));
  }
  console.log(`\n${lines.join('\n')}`);
  if (failed) return 1;
  return missed && flags.has('--strict') ? 1 : 0;
}

function runWorker(name: string, server: string): Promise<number> {
  // process.execArgv carries tsx's loader, so the child runs TypeScript the same way this process does.
  const child = spawn(
    process.execPath,
    [...process.execArgv, path.join(BENCH_DIR, 'run.ts'), '--worker', name, ...[...flags]],
    { stdio: 'inherit', env: { ...process.env, BENCH_SERVER: server } },
  );
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function worker(name: string): Promise<void> {
  const s3 = await s3TestConfig();
  if (!s3) throw new Error('no S3 server: set S3_ENDPOINT and friends (bench/run.ts does it for Ceph RGW)');
  const module = (await import(pathToFileURL(path.join(BENCH_DIR, `${name}.bench.ts`)).href)) as {
    default: Benchmark;
  };
  const bench = module.default;
  const started = performance.now();
  const env = environment(s3, process.env.BENCH_SERVER ?? 's3');
  const result = await bench.run({
    s3,
    environment: env,
    keep: flags.has('--keep'),
    log: (message) =>
      console.log(`[${name} ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`),
  });
  result['totalRuntimeS'] = Math.round((performance.now() - started) / 100) / 10;
  // Every result says where it ran, whether or not the benchmark recorded it itself.
  result['environment'] ??= env;
  const recorded = result['environment'] as Environment;
  // A load average well above the CPU count at either end means something else competed for the machine.
  recorded.loadAverage1mAfter = Math.round(os.loadavg()[0]! * 100) / 100;
  const file = await writeResult(result);
  console.log(`${summaryLine(result)}\n  -> ${path.relative(ROOT_DIR, file)}`);
}

/**
 * Points the S3_* variables at the local Ceph RGW unless they are already set, and makes sure the server answers:
 * waits for a start that someone else has under way, starts it (idempotent) otherwise. Returns the server's label.
 */
async function prepareServer(): Promise<string> {
  const ceph = cephEnv();
  const explicit = process.env.S3_ENDPOINT;
  if (!explicit) Object.assign(process.env, ceph);
  const isCeph = !explicit || explicit.replace(/\/+$/, '') === ceph['S3_ENDPOINT'];
  const endpoint = process.env.S3_ENDPOINT!;
  if (await answers(endpoint)) return isCeph ? 'ceph-rgw' : (process.env.BENCH_S3_SERVER ?? 's3');
  if (!isCeph) throw new Error(`the S3 server at ${endpoint} does not answer`);
  if (!cephStartUnderWay()) {
    console.log('Ceph RGW does not answer: starting it (bash scripts/services/ceph-rgw.sh start)');
    execFileSync('bash', [CEPH_SCRIPT, 'start'], { stdio: 'inherit' });
  }
  // A start by someone else (or one that is installing packages) can take minutes: wait, never interfere.
  const deadline = Date.now() + 10 * 60_000;
  while (!(await answers(endpoint))) {
    if (Date.now() > deadline) throw new Error(`Ceph RGW at ${endpoint} did not come up within 10 minutes`);
    console.log('waiting for Ceph RGW to answer (a start is under way)...');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  return 'ceph-rgw';
}

function cephEnv(): Record<string, string> {
  const output = execFileSync('bash', [CEPH_SCRIPT, 'env'], { encoding: 'utf8' });
  const env: Record<string, string> = {};
  for (const match of output.matchAll(/([A-Z0-9_]+)=(\S+)/g)) env[match[1]!] = match[2]!;
  if (!env['S3_ENDPOINT']) throw new Error(`unexpected output of ceph-rgw.sh env: ${output}`);
  return env;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

/** Whether some process is running `ceph-rgw.sh start` right now (then its daemons must be left alone). */
function cephStartUnderWay(): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('ceph-rgw.sh')) && argv.includes('start')) return true;
    } catch {
      // Gone already.
    }
  }
  return false;
}
