/**
 * The API with Redis gone, against a redis-server of the test's own (killed and started again, no persistence)
 * and a real S3 bucket. Properties:
 * - every route that needs Redis answers 503 CW_REDIS_UNAVAILABLE within a few seconds (no hang), and a route
 *   that does not (a finished export, evidence) keeps answering;
 * - a refused request leaves nothing behind that Redis's return could turn into work (no request recorded, no
 *   job added later);
 * - with an Idempotency-Key, a retried POST /v1/exports answers with the first export, whatever Redis lost in
 *   between, and the same key with another request is refused naming the header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis, redisServerAvailable } from '../../worker/test/helpers.js';
import { services, signedDelivery, startTestApp, type TestApp } from './helpers.js';

const runnable = services !== undefined && redisServerAvailable();

/** "A few seconds": the answer a client must get while Redis is down (the guard gives up after 3 s). */
const PROMPT_MS = 4_000;

const SECRET = 'w'.repeat(32);

const BODY = { frameworks: ['soc2'], from: '2026-03-01', to: '2026-04-01' };

describe.skipIf(!runnable)('The API while Redis is down', () => {
  let redis: PrivateRedis;
  let t: TestApp;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp({ db: 0, env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' } });
    await t.runtime.configs.create(
      'gh',
      { type: 'github', org: 'acme', auth: { kind: 'token', token: 'x'.repeat(40) }, webhookSecret: SECRET },
      'test',
    );
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
    console.info('answers while Redis was down (ms):', JSON.stringify(timings));
  });

  const call = async (
    name: string,
    method: 'GET' | 'POST',
    url: string,
    options: { payload?: object; headers?: Record<string, string> } = {},
  ) => {
    const started = performance.now();
    const response = await t.app.inject({
      method,
      url,
      headers: {
        ...t.bearer(method === 'POST' && url.includes('collect') ? t.tokens.operator : t.tokens.auditor),
        ...options.headers,
      },
      ...(options.payload ? { payload: options.payload } : {}),
    });
    timings[name] = Math.round(performance.now() - started);
    return response;
  };

  async function exportRequests(): Promise<string[]> {
    const found: string[] = [];
    for await (const object of t.runtime.locker.store.list('exports/')) {
      if (object.key.endsWith('/request.json')) found.push(object.key.split('/')[1]!);
    }
    return found;
  }

  it('says in /readyz and /metrics when configured collection schedules are missing from Redis', async () => {
    // The connector was stored without its schedules (as after a Redis restart, before a worker restores them).
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'degraded',
      checks: { schedules: { ok: false, missing: 4, configured: 4 } },
    });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^crosswalk_schedules_missing 4$/m);
    expect(metrics).toMatch(/^crosswalk_redis_up 1$/m);
  });

  it('answers 503 CW_REDIS_UNAVAILABLE within seconds on every route that needs Redis, and adds nothing later', async () => {
    const pending = await call('POST /v1/exports (up)', 'POST', '/v1/exports', { payload: BODY });
    expect(pending.statusCode).toBe(202);
    const pendingId = (pending.json() as { id: string }).id;
    await redis.kill();

    const answers = {
      'POST /v1/exports': await call('POST /v1/exports', 'POST', '/v1/exports', { payload: BODY }),
      'POST /v1/connectors/:id/collect': await call(
        'POST /v1/connectors/:id/collect',
        'POST',
        '/v1/connectors/gh/collect',
        {
          payload: {},
        },
      ),
      'GET /v1/exports': await call('GET /v1/exports', 'GET', '/v1/exports'),
      'GET /v1/exports/:id': await call('GET /v1/exports/:id', 'GET', `/v1/exports/${pendingId}`),
      'POST /v1/webhooks/:id/github': await (async () => {
        const body = JSON.stringify({ action: 'member_removed' });
        const started = performance.now();
        const response = await t.app.inject(
          signedDelivery('github', { connector: 'gh', secret: SECRET, body, event: 'organization' }),
        );
        timings['POST /v1/webhooks/:id/github'] = Math.round(performance.now() - started);
        return response;
      })(),
    };
    for (const [name, response] of Object.entries(answers)) {
      expect({ name, status: response.statusCode, code: response.json().error?.code }).toEqual({
        name,
        status: 503,
        code: 'CW_REDIS_UNAVAILABLE',
      });
      expect(timings[name]).toBeLessThan(PROMPT_MS);
      // No internal address in the answer.
      expect(response.body).not.toContain(String(redis.port));
    }
    // What needs no Redis still answers.
    expect(
      (await call('GET /v1/evidence', 'GET', '/v1/evidence?from=2026-03-01&to=2026-04-01')).statusCode,
    ).toBe(200);
    const ready = await call('GET /readyz', 'GET', '/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.redis).toEqual({ ok: false, error: 'CW_REDIS_UNAVAILABLE' });

    // The refused export was never recorded; after Redis returns, nothing turns up either.
    expect(await exportRequests()).toEqual([pendingId]);
    await redis.restart();
    await waitReady();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await exportRequests()).toEqual([pendingId]);
    expect(await t.runtime.exportQueue.queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0 });
  });

  it('answers a retried POST /v1/exports with the first export when it carries the same Idempotency-Key', async () => {
    const key = { 'idempotency-key': crypto.randomUUID() };
    await redis.kill();
    const refused = await call('POST /v1/exports (idempotent, down)', 'POST', '/v1/exports', {
      payload: BODY,
      headers: key,
    });
    expect(refused.statusCode).toBe(503);
    expect(timings['POST /v1/exports (idempotent, down)']).toBeLessThan(PROMPT_MS);
    await redis.restart();
    await waitReady();
    const before = await exportRequests();

    const first = await call('retry 1', 'POST', '/v1/exports', { payload: BODY, headers: key });
    expect(first.statusCode).toBe(202);
    const id = (first.json() as { id: string }).id;
    const again = await call('retry 2', 'POST', '/v1/exports', {
      payload: { ...BODY, frameworks: ['soc2-2017'] },
      headers: key,
    });
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(id);
    expect(again.headers.location).toBe(`/v1/exports/${id}`);
    expect((await exportRequests()).filter((e) => !before.includes(e))).toEqual([id]);
    expect(await t.runtime.exportQueue.queue.getJobCounts()).toMatchObject({ waiting: 1 });

    // Redis restarts without persistence: the job is gone, the key is not (it is in the locker).
    await redis.kill();
    await redis.restart();
    await waitReady();
    const afterLoss = await call('retry 3', 'POST', '/v1/exports', { payload: BODY, headers: key });
    expect(afterLoss.statusCode).toBe(202);
    expect(afterLoss.json()).toMatchObject({ id, status: 'queued' });
    expect((await exportRequests()).filter((e) => !before.includes(e))).toEqual([id]);
    expect(await t.runtime.exportQueue.queue.getJobCounts()).toMatchObject({ waiting: 1 });

    // Another key's identical key string is another export: keys are per API key.
    const admin = await t.app.inject({
      method: 'POST',
      url: '/v1/exports',
      headers: { ...t.bearer(t.tokens.admin), ...key },
      payload: BODY,
    });
    expect(admin.statusCode).toBe(202);
    expect(admin.json().id).not.toBe(id);

    // The same key with another request: refused, naming the header, and no export made.
    const other = await call('reuse', 'POST', '/v1/exports', {
      payload: { ...BODY, to: '2026-05-01' },
      headers: key,
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toMatchObject({
      code: 'CW_IDEMPOTENCY_KEY_REUSED',
      where: 'headers.idempotency-key',
    });
    expect(other.json().error.message).toContain(id);
    const malformed = await call('malformed', 'POST', '/v1/exports', {
      payload: BODY,
      headers: { 'idempotency-key': 'a b' },
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.stringify(malformed.json().error)).toContain('idempotency-key');
  });

  it('answers within seconds when Redis has been down since the process started', async () => {
    const cold = await startTestApp({
      db: 0,
      keepQueues: true,
      env: { REDIS_URL: `redis://127.0.0.1:${redis.port + 1}`, LOG_LEVEL: 'silent' },
    }).catch(() => undefined);
    // startTestApp needs no Redis (keepQueues): the runtime is built and its connections keep retrying.
    expect(cold).toBeDefined();
    try {
      const started = performance.now();
      const answer = await cold!.app.inject({
        method: 'POST',
        url: '/v1/exports',
        headers: cold!.bearer(cold!.tokens.auditor),
        payload: BODY,
      });
      timings['POST /v1/exports (never connected)'] = Math.round(performance.now() - started);
      expect(answer.statusCode).toBe(503);
      expect(answer.json().error.code).toBe('CW_REDIS_UNAVAILABLE');
      expect(timings['POST /v1/exports (never connected)']).toBeLessThan(PROMPT_MS);
    } finally {
      await cold!.close();
    }
  });

  async function waitReady(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if ((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the API did not see Redis again within 20 s');
  }
});
