/**
 * The API as a process of its own, as `crosswalk serve` runs it, for the benchmarks that measure it from outside
 * (api-read, webhook-ack). `startApi` spawns this file, which serves until SIGTERM and then closes the server and
 * the runtime in order; its URL comes back on stderr, its logs go to a file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR, ROOT_DIR, round } from './harness.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const URL_LINE = /^BENCH_API_URL (\S+)$/;

export interface ApiProcess {
  child: ChildProcess;
  url: URL;
  /** Where its logs go. */
  log: string;
}

/** Starts the API with `vars` as its whole environment (PATH and HOME added), on a free loopback port. */
export async function startApi(name: string, vars: Record<string, string>): Promise<ApiProcess> {
  const log = path.join(os.tmpdir(), `crosswalk-bench-${name}-${process.pid}.log`);
  // BENCH_API_PROFILE=1: a V8 CPU profile of the API process, written to bench/.cache/ when it exits.
  const profile = process.env.BENCH_API_PROFILE === '1' ? ['--cpu-prof', '--cpu-prof-dir', CACHE_DIR] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', THIS_FILE], {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...vars,
      HOST: '127.0.0.1',
      PORT: '0',
    },
    stdio: ['ignore', openSync(log, 'w'), 'pipe'],
  });
  const lines = createInterface({ input: child.stderr! });
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the API did not start within 60 s; see ${log}`)),
      60_000,
    );
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening; see ${log}`)));
    lines.on('line', (line) => {
      const match = URL_LINE.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[1]!));
      } else {
        process.stderr.write(`[api] ${line}\n`);
      }
    });
  });
  return { child, url, log };
}

/** SIGTERM, then SIGKILL if it has not exited 15 s later. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A process's resident set in MB from /proc: `VmRSS` now, or `VmHWM`, the kernel's high-water mark. Null when it
 * cannot be read (the process is gone, or this is not Linux).
 */
export function residentMbOf(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

/** A response's status and whole body, read by hand (the benchmarks send through node:http, not fetch). */
export function answerOf(response: IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () =>
      resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
    );
    response.on('error', reject);
  });
}

async function serve(): Promise<void> {
  const { createRuntime, parseServiceEnv } = await import('../services/runtime/src/index.js');
  const { startServer } = await import('../services/api/src/index.js');
  const runtime = createRuntime(parseServiceEnv());
  const server = await startServer(runtime, { host: '127.0.0.1', port: 0 });
  process.stderr.write(`BENCH_API_URL ${server.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await server.close();
  await runtime.close();
}

if (process.argv[1] && THIS_FILE === process.argv[1]) await serve();
