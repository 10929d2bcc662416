/**
 * Plumbing for the worker's tests: real services (Redis, S3), the loopback GitHub fake, a runtime built the way
 * the service builds one, and the real-process pieces the fault tests need (a `crosswalk worker` child, a
 * private redis-server, a TCP proxy the test can cut). Nothing here mocks: each helper starts or talks to a
 * real thing and cleans it up.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { githubConnector } from '@crosswalk/connector-github';
import { collect, configFor, type startFake } from '@crosswalk/connector-github/testing';
import type { EvidenceKind } from '@crosswalk/core';
import type { Locker, TimeRange } from '@crosswalk/locker';
import { createLogger, createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import { createTestBucket, type S3TestConfig, s3ServiceVars, s3TestConfig } from '@crosswalk/testing';
import type { Job, Queue } from 'bullmq';

/** The loopback GitHub of the connector's tests. */
export type FakeGitHub = Awaited<ReturnType<typeof startFake>>;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'services/cli/src/main.ts');

/** The window the fixtures' pull requests were merged in. */
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
export const rangeOf = (window: { since: string; until: string }): TimeRange => ({
  from: window.since,
  to: window.until,
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Replaces the database of a Redis URL: each test file owns one database (8..15) of the shared Redis. */
export function withDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

/**
 * The service's environment, as the process would get it: Redis, a fresh secret key, and an S3 locker on a fresh
 * bucket (through `s3Endpoint` when given, e.g. a proxy the test controls).
 */
export async function serviceVars(
  s3: S3TestConfig,
  options: { redisUrl: string; s3Endpoint?: string; extra?: Record<string, string> },
): Promise<Record<string, string>> {
  const bucket = await createTestBucket(s3);
  return {
    REDIS_URL: options.redisUrl,
    CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
    ...s3ServiceVars(s3, bucket),
    ...(options.s3Endpoint ? { CROSSWALK_S3_ENDPOINT: options.s3Endpoint } : {}),
    LOG_LEVEL: 'silent',
    ...options.extra,
  };
}

/** A runtime built from `vars` exactly as `crosswalk worker` builds one (quiet unless LOG_LEVEL says so). */
export function runtimeFrom(vars: Record<string, string>): Runtime {
  const env = parseServiceEnv(vars);
  return createRuntime(env, { logger: createLogger({ level: env.LOG_LEVEL }) });
}

/** Empties both queues (jobs and schedulers) of the runtime's Redis database. */
export async function resetQueues(runtime: Runtime): Promise<void> {
  for (const queue of [runtime.collectQueue.queue, runtime.webhookQueue.queue]) {
    await queue.obliterate({ force: true });
    for (const scheduler of await queue.getJobSchedulers(0, -1))
      await queue.removeJobScheduler(scheduler.key);
  }
}

/** Polls `check` until it returns something truthy; fails after `timeoutMs`, saying what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${options.timeoutMs ?? 20_000} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** Waits until the job is completed or failed (for good: not waiting for a retry) and returns it. */
export async function settled(
  queue: Queue,
  id: string,
  timeoutMs = 20_000,
): Promise<{ state: string; job: Job }> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const state = await queue.getJobState(id);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read after the state: a job read first could be one that finished in between, without its result.
      const job = await queue.getJob(id);
      return job ? { state, job } : undefined;
    },
    { timeoutMs },
  );
}

export async function stateOf(queue: Queue, id: string): Promise<string | undefined> {
  const job = await queue.getJob(id);
  return job ? job.getState() : undefined;
}

/**
 * What a collector should store from the fake, by record id: the collector run directly against the fake (no
 * worker, no queue), each item sealed the way the runner seals it. Ids are deterministic, so these are the ids
 * the locker must hold.
 */
export async function expectedIds(
  fake: FakeGitHub,
  collectorId: string,
  options: { window?: { since: string; until: string }; filter?: Record<string, string> } = {},
): Promise<string[]> {
  const collector = githubConnector.collectors.find((c) => c.id === collectorId);
  if (!collector) throw new Error(`no collector ${collectorId}`);
  const result = await collect(collector as Parameters<typeof collect>[0], configFor(fake), options);
  if (result.error) throw result.error;
  return result.records.map((r) => r.id).sort();
}

/** Record ids the locker holds for a kind in a range, in key order, duplicates kept (there must be none). */
export async function storedIds(locker: Locker, kind: EvidenceKind, range: TimeRange): Promise<string[]> {
  const ids: string[] = [];
  for await (const ref of locker.records.refs(kind, range)) ids.push(ref.id);
  return ids;
}

/**
 * An HTTP hop in front of the fake GitHub that holds each request for `delayMs` before passing it on: a run
 * over a few pages then takes seconds, long enough to kill a worker or a Redis in the middle of it.
 */
export class SlowProxy {
  delayMs: number;
  url = '';
  /**
   * Requests this says yes to are never passed on (their client waits until it gives up or dies): a process
   * stopped at one exact write, e.g. a run's manifest after its chain link was claimed.
   */
  hold: ((request: http.IncomingMessage) => boolean) | undefined;
  /** Requests held so far. */
  held = 0;
  private readonly server: http.Server;

  private constructor(target: string, delayMs: number, keepHost: boolean) {
    this.delayMs = delayMs;
    const to = new URL(target);
    this.server = http.createServer((request, response) => {
      if (this.hold?.(request)) {
        this.held++;
        return;
      }
      setTimeout(() => {
        const upstream = http.request(
          {
            host: to.hostname,
            port: to.port,
            method: request.method,
            path: request.url,
            // keepHost: for S3, whose SigV4 signature covers the Host the client addressed.
            headers: keepHost ? request.headers : { ...request.headers, host: to.host },
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        upstream.on('error', () => response.destroy());
        request.pipe(upstream);
      }, this.delayMs);
    });
  }

  static async start(
    target: string,
    delayMs: number,
    options: { keepHost?: boolean } = {},
  ): Promise<SlowProxy> {
    const proxy = new SlowProxy(target, delayMs, options.keepHost ?? false);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as net.AddressInfo).port}`;
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A TCP proxy the test controls, between the service and a real server. `down()` stops listening (new connections
 * are refused) and resets every open one (requests in flight fail); `up()` listens on the same port again.
 */
export class TcpProxy {
  readonly port: number;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    port: number,
  ) {
    this.port = port;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, await freePort());
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port nobody listens on right now (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every child a test started, so afterAll can kill what a failing test left behind. */
const children = new Set<ChildProcess>();

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((child) => stop(child, 'SIGKILL')));
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

function track(child: ChildProcess, lines: string[]): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 2_000) lines.splice(0, lines.length - 2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
}

/** A `crosswalk worker` process, run from source the way `pnpm crosswalk worker` runs it. */
export class WorkerProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    track(child, this.lines);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(
    vars: Record<string, string>,
    name = 'worker',
    options: { nodeArgs?: string[] } = {},
  ): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', CLI, 'worker'], {
      cwd: ROOT,
      // Logs at info whatever the test's own runtime uses: readiness and failures are read from them.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child);
    try {
      await waitFor(
        `${name} (pid ${child.pid}) to start`,
        () => child.exitCode === null && worker.lines.some((line) => line.includes('"worker started"')),
        { timeoutMs: 30_000 },
      );
    } catch (error) {
      await stop(child, 'SIGKILL');
      throw new Error(`${(error as Error).message}; its output:\n${worker.lines.slice(-30).join('\n')}`);
    }
    return worker;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines (pino JSON) whose message matches. */
  logged(message: string | RegExp): Record<string, unknown>[] {
    return this.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) =>
        typeof message === 'string' ? entry.msg === message : message.test(String(entry.msg)),
      );
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return stop(this.child, signal);
  }
}

/**
 * Whether `redis-server` is on PATH (scripts/services/redis.sh installs it where it starts Redis). Under CI=true
 * its absence is a failure, not a skip: a fault suite that skips there would pass while proving nothing.
 */
export function redisServerAvailable(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI === 'true')
    throw new Error('redis-server is not on PATH (the fault tests start their own)');
  return found;
}

/**
 * What the real-process suites need, in one gate: the tests' S3, or undefined (the suite skips) when there is none
 * or no redis-server to start. Both are asked, so CI's refusal to skip without redis-server holds either way.
 */
export async function realProcessesS3(): Promise<S3TestConfig | undefined> {
  const s3 = await s3TestConfig();
  const redisServer = redisServerAvailable();
  return redisServer ? s3 : undefined;
}

/** A redis-server of the test's own on its own port, without persistence: a restart forgets everything. */
export class PrivateRedis {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child, this.lines);
    this.child = child;
    await waitFor(`redis-server on ${this.port} to answer`, () => ping(this.port), { timeoutMs: 10_000 });
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stop(child, 'SIGKILL');
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
