import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp, consoleDistDir } from '../src/index.js';

/**
 * The console served by the API at /console/: files from a built dist, index.html for the client router's paths,
 * a 404 that says how to build it when there is none. A filesystem locker and no Redis: serving files needs
 * neither, which is how the demo runs it.
 */
const CONSOLE_CSP =
  "default-src 'self';script-src 'self';style-src 'self';object-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'self'";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/app-1a2b3c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("console");';

describe('the console at /console/', () => {
  let dir: string;
  let runtime: Runtime;
  let built: App;
  let unbuilt: App;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-console-'));
    const dist = join(dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'app-1a2b3c.js'), SCRIPT);
    await writeFile(join(dist, '.env'), 'SECRET=1');
    await writeFile(join(dir, 'outside.txt'), 'not for the web');
    runtime = createRuntime(
      parseServiceEnv({
        CROSSWALK_LOCKER_DIR: join(dir, 'locker'),
        CROSSWALK_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
        REDIS_URL: 'redis://127.0.0.1:1',
        LOG_LEVEL: 'silent',
      }),
    );
    built = buildApp(runtime, { sessions: 'memory', docs: false, consoleDir: dist });
    unbuilt = buildApp(runtime, { sessions: 'memory', docs: false, consoleDir: join(dir, 'missing') });
    await Promise.all([built.ready(), unbuilt.ready()]);
  });
  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    await runtime?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves the dist folder to services/console/dist, wherever the process started', () => {
    const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
    expect(consoleDistDir()).toBe(join(repo, 'services', 'console', 'dist'));
  });

  it('serves index.html at /console/ with the strict CSP, and sends / and /console there', async () => {
    const page = await built.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toBe(INDEX);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    for (const url of ['/', '/console']) {
      const moved = await built.inject({ method: 'GET', url });
      expect(moved.statusCode, url).toBe(302);
      expect(moved.headers.location).toBe('/console/');
    }
  });

  it('serves the bundle files, cached for good under assets/ (their names carry their hash)', async () => {
    const script = await built.inject({ method: 'GET', url: '/console/assets/app-1a2b3c.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.body).toBe(SCRIPT);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it("answers the client router's paths with index.html, but a missing file with a 404, never HTML", async () => {
    for (const url of [
      '/console/controls/CHG-01',
      '/console/flags?status=open',
      '/console/exports/',
      // Dotted ids are routes, not files.
      '/console/controls/A.5.15',
      '/console/evidence/github.pull_request.approval~20260421T160000000Z~e8f8461740699daf4d24ae0a3fc00d29',
    ]) {
      const page = await built.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toBe(INDEX);
      expect(page.headers['cache-control'], url).toBe('no-cache');
    }
    const missing = await built.inject({ method: 'GET', url: '/console/assets/app-old.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'CW_NOT_FOUND', where: 'url' });
    expect((await built.inject({ method: 'POST', url: '/console/controls', payload: {} })).statusCode).toBe(
      404,
    );
  });

  it('serves nothing outside the dist, and no dotfile', async () => {
    for (const url of [
      '/console/../outside.txt',
      '/console/%2e%2e/outside.txt',
      '/console/assets/..%2f..%2foutside.txt',
      '/console/.env',
    ]) {
      const response = await built.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('not for the web');
      expect(response.body, url).not.toContain('SECRET');
      expect([400, 403, 404], url).toContain(response.statusCode);
    }
  });

  it('says how to build the console when there is no dist, on every /console/ path', async () => {
    for (const url of ['/console/', '/console/controls/CHG-01', '/console/assets/app.js']) {
      const response = await unbuilt.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error).toMatchObject({ code: 'CW_NOT_FOUND', where: 'url' });
      expect(response.json().error.message).toContain('pnpm --filter @crosswalk/console build');
    }
    expect((await unbuilt.inject({ method: 'GET', url: '/' })).headers.location).toBe('/console/');
  });

  it("serves the work tree's console by default (the one `crosswalk serve` and the demo use)", async () => {
    const app = buildApp(runtime, { sessions: 'memory', docs: false });
    try {
      const response = await app.inject({ method: 'GET', url: '/console/' });
      if (existsSync(join(consoleDistDir(), 'index.html'))) {
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
      } else {
        expect(response.statusCode).toBe(404);
        expect(response.json().error.message).toContain('services/console/dist');
      }
    } finally {
      await app.close();
    }
  });
});
