import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, parseServiceEnv } from '@crosswalk/runtime';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { queueRedis } from '../src/redis.js';
import { services, startTestApp, type TestApp } from './helpers.js';

/**
 * Console logins over real Redis and S3: an API key exchanged for an HttpOnly cookie that stands for the key on
 * every /v1 route (role and scope as for Bearer), CSRF on writes, revocation and logout ending it server-side.
 */

const CONSOLE_CSP =
  "default-src 'self';script-src 'self';style-src 'self';object-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'self'";

interface Login {
  cookie: string;
  csrfToken: string;
  body: Record<string, unknown>;
  response: LightMyRequestResponse;
}

describe.skipIf(!services)('sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 7 });
  });
  afterAll(() => t?.close());

  async function login(apiKey: string): Promise<Login> {
    const response = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey } });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'cw_session')!.value;
    const body = response.json();
    return { cookie, csrfToken: body.csrfToken, body, response };
  }

  const withCookie = (
    cookie: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    extra: { csrf?: string; payload?: object } = {},
  ) =>
    t.app.inject({
      method,
      url,
      cookies: { cw_session: cookie },
      ...(extra.csrf === undefined ? {} : { headers: { 'x-csrf-token': extra.csrf } }),
      ...(extra.payload === undefined ? {} : { payload: extra.payload }),
    });

  it('exchanges a key for an HttpOnly, SameSite=Strict cookie that holds neither the key nor its id', async () => {
    const { response, cookie, body } = await login(t.tokens.operator);
    const keyId = t.tokens.operator.split('_')[1]!;
    expect(body).toMatchObject({ key: { id: keyId, name: 'test operator', role: 'operator', scope: null } });
    expect(Object.keys(body).sort()).toEqual(['csrfToken', 'expiresAt', 'key']);
    expect(Object.keys(body.key as object).sort()).toEqual(['id', 'name', 'role', 'scope']);
    expect(JSON.stringify(body)).not.toContain(t.tokens.operator.split('_')[2]);
    const set = response.cookies.find((c) => c.name === 'cw_session')!;
    expect(set).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(set.secure).toBeUndefined(); // plain HTTP and no https CROSSWALK_PUBLIC_URL
    expect(set.maxAge).toBeGreaterThan(28_700);
    expect(set.maxAge).toBeLessThanOrEqual(28_800);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).not.toContain(keyId);
    const expires = Date.parse(body.expiresAt as string) - Date.now();
    expect(expires).toBeGreaterThan(28_700_000);
    expect(expires).toBeLessThanOrEqual(28_800_000);
  });

  it('keeps the session in Redis under a hash of the cookie, with a TTL, and without the key or the cookie', async () => {
    const { cookie, csrfToken } = await login(t.tokens.auditor);
    // The queue connection is ioredis underneath; KEYS and TTL are for this test's eyes only.
    const redis = (await queueRedis(t.runtime)) as unknown as {
      keys(pattern: string): Promise<string[]>;
      get(key: string): Promise<string | null>;
      ttl(key: string): Promise<number>;
    };
    const keys = await redis.keys('crosswalk:sessions:*');
    expect(keys.length).toBeGreaterThan(0);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    const mine = values.find((v) => v?.includes(csrfToken));
    expect(mine).toBeDefined();
    expect(mine).not.toContain(cookie);
    // cwk_<id>_<secret>: the secret is base64url and may itself hold '_', so it is everything after the id.
    expect(mine).not.toContain(t.tokens.auditor.split('_').slice(2).join('_'));
    expect(keys.join()).not.toContain(cookie);
    const ttl = await redis.ttl(keys[values.indexOf(mine!)]!);
    expect(ttl).toBeGreaterThan(28_700);
    expect(ttl).toBeLessThanOrEqual(28_800);
  });

  it('refuses a wrong, expired or revoked key at login with the 401 of the Bearer path', async () => {
    for (const apiKey of [
      `cwk_zzzzzzzzzzzz_${'A'.repeat(43)}`,
      'not-a-key',
      t.tokens.expired,
      t.tokens.revoked,
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey } });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toMatchObject({ code: 'CW_UNAUTHORIZED', where: 'body.apiKey' });
      expect(response.cookies).toEqual([]);
    }
    const missing = await t.app.inject({ method: 'POST', url: '/v1/session', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.where).toBe('body.apiKey');
  });

  it("stands for its key on /v1 routes: the key's role decides, as with Bearer", async () => {
    const auditor = await login(t.tokens.auditor);
    expect((await withCookie(auditor.cookie, 'GET', '/v1/crosswalk')).statusCode).toBe(200);
    const refused = await withCookie(auditor.cookie, 'GET', '/v1/connectors');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('the key is auditor');
    const admin = await login(t.tokens.admin);
    expect((await withCookie(admin.cookie, 'GET', '/v1/connectors')).statusCode).toBe(200);
    // No cookie, no Bearer: 401 as before; an unknown cookie: 401 naming the cookie.
    expect((await t.app.inject({ method: 'GET', url: '/v1/crosswalk' })).statusCode).toBe(401);
    const unknown = await withCookie('A'.repeat(43), 'GET', '/v1/crosswalk');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toMatchObject({ code: 'CW_UNAUTHORIZED', where: 'headers.cookie' });
  });

  it("keeps a scoped auditor's session inside the key's window and frameworks", async () => {
    const { token } = await t.runtime.keys.create({
      name: 'Q1 auditor',
      role: 'auditor',
      createdBy: 'test',
      scope: { from: '2026-01-01', to: '2026-04-01', frameworks: ['soc2'] },
    });
    const { cookie, body } = await login(token);
    expect(body.key).toMatchObject({ scope: { from: '2026-01-01', to: '2026-04-01', frameworks: ['soc2'] } });
    const inside = await withCookie(
      cookie,
      'GET',
      '/v1/controls/CHG-01/test?from=2026-02-01&to=2026-03-01&seed=s',
    );
    expect(inside.statusCode).toBe(200);
    const outside = await withCookie(
      cookie,
      'GET',
      '/v1/controls/CHG-01/test?from=2026-02-01&to=2026-05-01&seed=s',
    );
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'query.to' });
    const iso = await withCookie(
      cookie,
      'GET',
      '/v1/coverage?framework=iso27001&from=2026-02-01&to=2026-03-01',
    );
    expect(iso.statusCode).toBe(403);
  });

  it('refuses a write made with the cookie unless x-csrf-token is the session token; Bearer writes need none', async () => {
    const { cookie, csrfToken } = await login(t.tokens.operator);
    const url = '/v1/controls/CHG-01/remediations';
    const payload = { item: 'x', text: '' }; // invalid on purpose: a 400 means the request got past auth
    for (const csrf of [undefined, '', 'A'.repeat(43), `${csrfToken}x`]) {
      const refused = await withCookie(cookie, 'POST', url, {
        payload,
        ...(csrf === undefined ? {} : { csrf }),
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'headers.x-csrf-token' });
      expect(refused.json().error.message).toContain('x-csrf-token');
    }
    expect((await withCookie(cookie, 'POST', url, { payload, csrf: csrfToken })).statusCode).toBe(400);
    // Another session's token is not this one's.
    const other = await login(t.tokens.operator);
    expect((await withCookie(cookie, 'POST', url, { payload, csrf: other.csrfToken })).statusCode).toBe(403);
    const bearer = await t.app.inject({ method: 'POST', url, headers: t.bearer(t.tokens.operator), payload });
    expect(bearer.statusCode).toBe(400);
    // A Bearer header wins over a cookie: an auditor's cookie does not lend its role to an admin token, or back.
    const auditor = await login(t.tokens.auditor);
    const mixed = await t.app.inject({
      method: 'GET',
      url: '/v1/connectors',
      headers: t.bearer(t.tokens.auditor),
      cookies: { cw_session: (await login(t.tokens.admin)).cookie },
    });
    expect(mixed.statusCode).toBe(403);
    expect((await withCookie(auditor.cookie, 'GET', '/v1/crosswalk')).statusCode).toBe(200);
  });

  it('refuses logins from an address after 10 failures in 15 minutes, even with a valid key; others still log in', async () => {
    const from = (remoteAddress: string, apiKey: string) =>
      t.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey }, remoteAddress });
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await from('203.0.113.7', `cwk_zzzzzzzzzzzz_${'B'.repeat(43)}`)).statusCode).toBe(401);
    }
    const throttled = await from('203.0.113.7', t.tokens.auditor);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error).toMatchObject({ code: 'CW_TOO_MANY_ATTEMPTS', where: 'body.apiKey' });
    expect(throttled.cookies).toEqual([]);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(880);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect((await from('203.0.113.8', t.tokens.auditor)).statusCode).toBe(200);
    // Bearer use from the same address is not a login: untouched.
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/v1/crosswalk',
      headers: t.bearer(t.tokens.auditor),
      remoteAddress: '203.0.113.7',
    });
    expect(bearer.statusCode).toBe(200);
  });

  it('answers GET /v1/session with the login body, for a page reload', async () => {
    const { cookie, body } = await login(t.tokens.auditor);
    const again = await withCookie(cookie, 'GET', '/v1/session');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(body);
    const none = await t.app.inject({ method: 'GET', url: '/v1/session' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.where).toBe('headers.cookie');
  });

  it('ends every session of a revoked key at its next request', async () => {
    const { token, key } = await t.runtime.keys.create({ name: 'leaving', role: 'admin', createdBy: 'test' });
    const first = await login(token);
    const second = await login(token);
    expect((await withCookie(first.cookie, 'GET', '/v1/connectors')).statusCode).toBe(200);
    await t.runtime.keys.revoke(key.id, 'test');
    for (const { cookie } of [first, second]) {
      const refused = await withCookie(cookie, 'GET', '/v1/connectors');
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.where).toBe('headers.cookie');
      expect((await withCookie(cookie, 'GET', '/v1/session')).statusCode).toBe(401);
    }
  });

  it('ends no later than its key expires', async () => {
    const keyExpires = new Date(Date.now() + 3_600_000).toISOString();
    const { token } = await t.runtime.keys.create({
      name: 'short',
      role: 'auditor',
      createdBy: 'test',
      expiresAt: keyExpires,
    });
    const { body, response } = await login(token);
    expect(body.expiresAt).toBe(keyExpires);
    const maxAge = response.cookies.find((c) => c.name === 'cw_session')!.maxAge!;
    expect(maxAge).toBeGreaterThan(3_500);
    expect(maxAge).toBeLessThanOrEqual(3_600);
  });

  it('logs out on the server: CSRF token required, cookie cleared, the old cookie refused after', async () => {
    const { cookie, csrfToken } = await login(t.tokens.admin);
    const noToken = await withCookie(cookie, 'DELETE', '/v1/session');
    expect(noToken.statusCode).toBe(403);
    expect((await withCookie(cookie, 'GET', '/v1/session')).statusCode).toBe(200);
    const out = await withCookie(cookie, 'DELETE', '/v1/session', { csrf: csrfToken });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'cw_session')!;
    expect(cleared.value).toBe('');
    expect(cleared.expires!.getTime()).toBeLessThanOrEqual(Date.now());
    // The server forgot it: replaying the old cookie (as a stolen copy would) no longer works.
    expect((await withCookie(cookie, 'GET', '/v1/connectors')).statusCode).toBe(401);
    expect((await withCookie(cookie, 'GET', '/v1/session')).statusCode).toBe(401);
    // Logging out again (a second tab) is no error.
    expect((await withCookie(cookie, 'DELETE', '/v1/session')).statusCode).toBe(204);
  });

  it('sends the security headers on every answer: success, 401, 404 and the login itself', async () => {
    const answers = [
      await t.app.inject({ method: 'GET', url: '/healthz' }),
      await t.app.inject({ method: 'GET', url: '/v1/crosswalk' }),
      await t.app.inject({ method: 'GET', url: '/no/such/page' }),
      (await login(t.tokens.auditor)).response,
    ];
    for (const response of answers) {
      expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('DENY');
      // Plain HTTP and no https public URL: no HSTS.
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('gives the API docs page its own policy: data: images and inline styles, still no inline script', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script the page loads is a file of ours (no inline script to allow).
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});

describe.skipIf(!services)('sessions behind https', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      db: 7,
      keepQueues: true,
      env: { CROSSWALK_PUBLIC_URL: 'https://crosswalk.example' },
    });
  });
  afterAll(() => t?.close());

  it('marks the cookie Secure and sends HSTS when people reach the API over https', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { apiKey: t.tokens.auditor },
    });
    expect(response.statusCode).toBe(200);
    expect(response.cookies.find((c) => c.name === 'cw_session')!.secure).toBe(true);
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

/** The embedded API of `crosswalk demo --serve`: a filesystem locker and no Redis (nothing listens on port 1). */
describe('sessions without Redis', () => {
  it('keeps logins in memory: log in, read, write with the token, log out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-session-'));
    const runtime = createRuntime(
      parseServiceEnv({
        CROSSWALK_LOCKER_DIR: dir,
        CROSSWALK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        REDIS_URL: 'redis://127.0.0.1:1',
        LOG_LEVEL: 'silent',
      }),
    );
    const app = buildApp(runtime, { sessions: 'memory', docs: false });
    try {
      const { token } = await runtime.keys.create({ name: 'demo', role: 'operator', createdBy: 'test' });
      const login = await app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: token } });
      expect(login.statusCode).toBe(200);
      const cookies = { cw_session: login.cookies.find((c) => c.name === 'cw_session')!.value };
      const { csrfToken } = login.json();
      expect((await app.inject({ method: 'GET', url: '/v1/crosswalk', cookies })).statusCode).toBe(200);
      const write = (csrf?: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/controls/CHG-01/remediations',
          cookies,
          payload: { item: 'x', text: '' },
          ...(csrf ? { headers: { 'x-csrf-token': csrf } } : {}),
        });
      expect((await write()).statusCode).toBe(403);
      expect((await write(csrfToken)).statusCode).toBe(400);
      const out = await app.inject({
        method: 'DELETE',
        url: '/v1/session',
        cookies,
        headers: { 'x-csrf-token': csrfToken },
      });
      expect(out.statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/v1/crosswalk', cookies })).statusCode).toBe(401);
      // Failed logins are counted in memory too.
      for (let attempt = 0; attempt < 10; attempt++) {
        await app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: 'cwk_wrong' } });
      }
      const throttled = await app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: token } });
      expect(throttled.statusCode).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(880);
    } finally {
      await app.close();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
