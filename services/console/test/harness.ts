/**
 * What the browser tests stand on, all real: the demo's sandbox year collected into a filesystem locker by the
 * CLI (`crosswalk demo --no-serve`), a redis-server of the suite's own, the API (serving the built console at
 * /console/) and a worker in this process, and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer } from '@crosswalk/api';
import { loadSigningKey } from '@crosswalk/export';
import { applyConfigFile, createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import { startWorker } from '@crosswalk/worker';
import { type Browser, chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'services/cli/src/main.ts');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
export const DIST = path.join(ROOT, 'services/console/dist');
export const CHROMIUM = process.env.CROSSWALK_CHROMIUM ?? '/usr/bin/chromium';

const run = promisify(execFile);

/** `crosswalk <args>` as a user types it, in a child process; its stdout. */
export async function crosswalk(args: string[]): Promise<string> {
  const { stdout } = await run(TSX, [CLI, ...args], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'fatal' },
  });
  return stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A redis-server of this suite's own (the shared one's databases belong to other suites), no persistence. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    child.once('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Stage {
  url: string;
  runtime: Runtime;
  dir: string;
  locker: string;
  window: { from: string; to: string };
  tokens: { auditor: string; scoped: string; operator: string; admin: string };
  /** The scoped auditor's period: the year's first half. */
  scopedWindow: { from: string; to: string };
  browser: Browser;
  close(): Promise<void>;
}

/** The demo's year in a locker, the API and a worker over it, keys for each role, and a browser. */
export async function startStage(): Promise<Stage> {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(
      'services/console/dist is not built: run `pnpm --filter @crosswalk/console build` (.ci/run does)',
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crosswalk-console-'));
  const demo = path.join(dir, 'demo');
  await crosswalk(['demo', '--dir', demo, '--no-serve']);
  const { timeline } = await import('@crosswalk/demo');
  const time = timeline();
  const day = (at: Date) => at.toISOString().slice(0, 10);
  const window = { from: day(time.from), to: day(time.to) };
  const half = new Date(Date.UTC(time.from.getUTCFullYear(), time.from.getUTCMonth() + 6, 1));
  const scopedWindow = { from: window.from, to: day(half) };

  const redis = await startRedis();
  const locker = path.join(demo, 'locker');
  const runtime = createRuntime(
    parseServiceEnv({
      CROSSWALK_LOCKER_DIR: locker,
      CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'fatal',
    }),
  );
  // The demo's connectors, as `crosswalk serve` would load them from its config file. Their sandboxes stopped
  // with the demo, so a collection now fails: the console must show that failure with its code.
  await applyConfigFile(runtime, path.join(demo, 'crosswalk.yaml'));
  const key = async (
    name: string,
    role: 'auditor' | 'operator' | 'admin',
    scope?: { from: string; to: string },
  ) =>
    (
      await runtime.keys.create({
        name,
        role,
        createdBy: 'console test',
        ...(scope
          ? {
              scope: {
                from: `${scope.from}T00:00:00.000Z`,
                to: `${scope.to}T00:00:00.000Z`,
                frameworks: null,
              },
            }
          : {}),
      })
    ).token;
  const tokens = {
    auditor: await key('Ada Auditor', 'auditor', window),
    scoped: await key('Sam Scoped', 'auditor', scopedWindow),
    operator: await key('Olu Operator', 'operator'),
    admin: await key('Ari Admin', 'admin'),
  };
  // The demo signed its own export with this key; the worker signs the console's with it too.
  const signingKey = await loadSigningKey({ file: path.join(demo, 'signing-key.pem') });
  const worker = await startWorker(runtime, { concurrency: 1, stalledIntervalMs: 5_000, signingKey });
  const server = await startServer(runtime);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As root (CI), Chromium refuses to start with its sandbox; the page is our own, on loopback.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  return {
    url: server.url,
    runtime,
    dir,
    locker,
    window,
    tokens,
    scopedWindow,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await worker.close();
      await runtime.close();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
