import { randomBytes } from 'node:crypto';
import { type App, buildApp } from '@crosswalk/api';
import { createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import {
  createTestBucket,
  deleteTestBucket,
  redisTestUrl,
  s3ServiceVars,
  s3TestConfig,
} from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/main.js';

const [redis, s3] = await Promise.all([redisTestUrl(), s3TestConfig()]);

/** Redis database 1 of the test Redis: this file's own. */
function redisDb(): string {
  const url = new URL(redis!);
  url.pathname = '/1';
  return url.toString();
}

/**
 * Two API processes' worth of app (each its own runtime: own key cache, own Redis connections) over one bucket
 * and one Redis, trusting a key they read for a minute, and `crosswalk keys revoke` run as the CLI runs it.
 */
describe.skipIf(!redis || !s3)('crosswalk keys revoke across API processes', () => {
  let bucket: string;
  const vars: Record<string, string> = {};
  const apps: { runtime: Runtime; app: App }[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    bucket = await createTestBucket(s3!);
    Object.assign(vars, s3ServiceVars(s3!, bucket));
    const env = parseServiceEnv({
      ...vars,
      REDIS_URL: redisDb(),
      CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
      // Far longer than the test: only the Redis marker can make another process refuse a key in time.
      CROSSWALK_KEY_CACHE_MS: '60000',
      LOG_LEVEL: 'silent',
    });
    for (let i = 0; i < 2; i++) {
      const runtime = createRuntime(env);
      const app = buildApp(runtime);
      await app.ready();
      apps.push({ runtime, app });
    }
  });
  afterAll(async () => {
    process.env = { ...saved };
    for (const { app, runtime } of apps) {
      await app.close();
      await runtime.close();
    }
    if (bucket) await deleteTestBucket(s3!, bucket);
  });

  /** `crosswalk keys revoke <id>` in this process, with the locker's variables and `redisUrl` (or none). */
  async function revoke(id: string, redisUrl: string | undefined) {
    process.env = { ...saved, ...vars };
    delete process.env.REDIS_URL;
    if (redisUrl !== undefined) process.env.REDIS_URL = redisUrl;
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['keys', 'revoke', id], { out: (t) => out.push(t), err: (t) => err.push(t) });
    process.env = { ...saved };
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  /** The status each app answers a protected read with, under `token`. */
  async function statuses(token: string): Promise<number[]> {
    return Promise.all(
      apps.map(
        async ({ app }) =>
          (await app.inject({ url: '/v1/controls/register', headers: { authorization: `Bearer ${token}` } }))
            .statusCode,
      ),
    );
  }

  it('is refused by every API process from the first request after the CLI returns', async () => {
    const { token, key } = await apps[0]!.runtime.keys.create({
      name: 'auditor',
      role: 'auditor',
      createdBy: 'test',
    });
    // Both processes read the key now and would trust it for a minute.
    expect(await statuses(token)).toEqual([200, 200]);
    const revoked = await revoke(key.id, redisDb());
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked ${key.id} \\(auditor, auditor\\) at \\d{4}-`));
    expect(revoked.stderr).toBe('API processes using this REDIS_URL refuse it from their next request');
    expect(await statuses(token)).toEqual([401, 401]);
    // And it stays refused (the marker only made them read the locker, which says revoked).
    expect(await statuses(token)).toEqual([401, 401]);
  });

  it('without Redis, says the cache bound applies, and a process that read the key keeps it until then', async () => {
    const { token, key } = await apps[0]!.runtime.keys.create({
      name: 'ci',
      role: 'auditor',
      createdBy: 'test',
    });
    expect(await statuses(token)).toEqual([200, 200]);
    const revoked = await revoke(key.id, undefined);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toMatch(
      /^REDIS_URL is not set: running API processes refuse it within CROSSWALK_KEY_CACHE_MS/,
    );
    // The locker says revoked; the processes' cached copies (a minute) still answer: the documented bound.
    expect(await statuses(token)).toEqual([200, 200]);
    expect((await apps[0]!.runtime.keys.list()).find((k) => k.id === key.id)?.revokedAt).not.toBeNull();
  });

  it('with a Redis that does not answer, still revokes in the locker and says which bound applies', async () => {
    const { key } = await apps[0]!.runtime.keys.create({ name: 'ops', role: 'auditor', createdBy: 'test' });
    // Nothing listens on port 1.
    const revoked = await revoke(key.id, 'redis://127.0.0.1:1/1');
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toMatch(
      /^Redis \(REDIS_URL\) could not be told: running API processes refuse it within CROSSWALK_KEY_CACHE_MS/,
    );
    expect((await apps[0]!.runtime.keys.list()).find((k) => k.id === key.id)?.revokedAt).not.toBeNull();
  });
});
