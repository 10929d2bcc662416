import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/index.js';

/**
 * The API docs page (Swagger UI) under the security headers, in Debian's Chromium: it must still render the
 * OpenAPI document, and the browser must report no Content-Security-Policy violation. A page that only loaded
 * would not show the operations: they are drawn by Swagger UI's script from /docs/json.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function dumpDom(url: string, profile: string): Promise<{ dom: string; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        '--virtual-time-budget=10000',
        '--dump-dom',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let dom = '';
    let log = '';
    child.stdout.on('data', (chunk) => {
      dom += chunk;
    });
    child.stderr.on('data', (chunk) => {
      log += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ dom, log });
    });
  });
}

describe.skipIf(!existsSync(CHROMIUM))('the API docs page in a browser', () => {
  let dir: string;
  let runtime: Runtime;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-docs-page-'));
    runtime = createRuntime(
      parseServiceEnv({
        CROSSWALK_LOCKER_DIR: join(dir, 'locker'),
        CROSSWALK_SECRET_KEY: Buffer.alloc(32, 5).toString('base64'),
        REDIS_URL: 'redis://127.0.0.1:1',
        LOG_LEVEL: 'silent',
      }),
    );
    server = await startServer(runtime, { host: '127.0.0.1', port: 0, sessions: 'memory' });
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders every operation under its own CSP, with no violation reported', async () => {
    const { dom, log } = await dumpDom(`${server.url}/docs/`, join(dir, 'profile'));
    // Drawn by Swagger UI from /docs/json: the title and the operations, the session routes among them.
    expect(dom).toContain('Crosswalk API');
    expect(dom).toContain('/v1/session');
    expect(dom).toContain('/v1/controls/{id}/flags');
    expect(log).not.toMatch(/Content Security Policy/i);
  }, 90_000);
});
