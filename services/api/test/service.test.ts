import { randomBytes } from 'node:crypto';
import { createRuntime, parseServiceEnv } from '@crosswalk/runtime';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, githubSender, type RunningServer, startServer, type WebhookSender } from '../src/index.js';
import { evidencePlugin } from '../src/plugins/evidence.js';
import { runtimePlugin } from '../src/plugins/runtime.js';
import { STACK_TRACE, services, startTestApp, type TestApp } from './helpers.js';

describe.skipIf(!services)('The service', () => {
  let t: TestApp;
  let server: RunningServer;

  beforeAll(async () => {
    t = await startTestApp({ db: 11, keepQueues: true });
    server = await startServer(t.runtime, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('listens, answers /healthz and names every request', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'lb-1234.abc' } });
    expect(given.headers.get('x-request-id')).toBe('lb-1234.abc');
    const forged = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'a b\tc' } });
    expect(forged.headers.get('x-request-id')).not.toBe('a b\tc');
  });

  it('answers /readyz when Redis and the locker answer', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      checks: { redis: { ok: true }, locker: { ok: true }, schedules: { ok: true, missing: 0 } },
    });
  });

  it('serves Prometheus metrics without a key: its own, never the counters only workers keep', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE crosswalk_webhook_deliveries_total counter');
    expect(text).toContain('# TYPE crosswalk_queue_jobs gauge');
    expect(text).toMatch(/^crosswalk_schedules_missing \d+$/m);
    // Jobs, runs and records are counted by the worker that does them (its own CROSSWALK_METRICS_PORT): here they
    // would only ever print HELP and TYPE with no sample.
    for (const name of [
      'crosswalk_jobs_total',
      'crosswalk_runs_total',
      'crosswalk_records_stored_total',
      'crosswalk_source_requests_total',
      'crosswalk_rate_limit_waits_total',
    ]) {
      expect(text).not.toContain(`# TYPE ${name} `);
    }
  });

  it('publishes an OpenAPI document of every route, generated from the zod schemas', async () => {
    const doc = (await (await fetch(`${server.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown; parameters?: { name: string }[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'POST /v1/connectors',
        'GET /v1/connectors',
        'GET /v1/connectors/{id}',
        'PATCH /v1/connectors/{id}',
        'DELETE /v1/connectors/{id}',
        'POST /v1/connectors/{id}/collect',
        'GET /v1/connectors/{id}/runs',
        'GET /v1/connectors/{id}/schedules',
        'GET /v1/evidence',
        'GET /v1/evidence/{id}',
        'GET /v1/evidence/{id}/chain',
        'GET /v1/controls',
        'GET /v1/crosswalk',
        'POST /v1/exports',
        'GET /v1/exports',
        'GET /v1/exports/{id}',
        'GET /v1/exports/{id}/bundle.zip',
        'GET /v1/coverage',
        'GET /v1/controls/overview',
        'GET /v1/controls/register',
        'POST /v1/controls/register',
        'GET /v1/controls/register/versions',
        'GET /v1/controls/soa',
        'GET /v1/controls/{id}/test',
        'POST /v1/controls/{id}/remediations',
        'POST /v1/controls/{id}/flags',
        'POST /v1/controls/{id}/flags/{flagId}/answers',
        'GET /v1/flags',
        'GET /v1/keys',
        'POST /v1/keys',
        'DELETE /v1/keys/{id}',
        'POST /v1/session',
        'GET /v1/session',
        'DELETE /v1/session',
        'POST /v1/webhooks/{connectorId}/github',
        'POST /v1/webhooks/{connectorId}/okta',
        'GET /v1/webhooks/{connectorId}/okta',
        'POST /v1/webhooks/{connectorId}/jira',
        'POST /v1/webhooks/{connectorId}/entra',
        'POST /v1/webhooks/{connectorId}/generic/{collector}',
      ].sort(),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/evidence']!.get!.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(doc.paths['/v1/webhooks/{connectorId}/github']!.post!.security).toBeUndefined();
    expect(doc.paths['/v1/webhooks/{connectorId}/okta']!.get!.security).toBeUndefined();
    expect(doc.paths['/v1/evidence']!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['framework', 'control', 'kind', 'from', 'to', 'cursor', 'limit']),
    );
    const ui = await fetch(`${server.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<html');
  });

  it('answers an unexpected failure with 500 CW_INTERNAL and a generic message, the detail in the log only', async () => {
    const leak = 'exploded at /work/main/services/api/src/x.ts:12 with ghp_NotForClients';
    const exploding: WebhookSender = {
      ...githubSender,
      name: 'exploding',
      url: '/:connectorId/exploding',
      connectorTypes: undefined,
      verify: () => true,
      dispatch: async () => {
        throw new Error(leak);
      },
    };
    await t.runtime.configs.create(
      'svc',
      { type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_svc' } },
      'test',
    );
    const app = buildApp(t.runtime, { docs: false, senders: [exploding] });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/webhooks/svc/exploding',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': 'd-1',
        },
        payload: '{}',
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: {
          code: 'CW_INTERNAL',
          message: 'internal error: the server log has the detail under this request id',
          where: response.headers['x-request-id'],
        },
      });
      expect(response.body).not.toMatch(STACK_TRACE);
      expect(
        t.logs.some(
          (line) => line.includes('exploded at') && line.includes(String(response.headers['x-request-id'])),
        ),
      ).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('refuses to start a protected feature registered without the API-key plugin in front of it', async () => {
    const app = Fastify({ logger: false });
    app.register(runtimePlugin, { runtime: t.runtime });
    app.register(evidencePlugin, { prefix: '/v1/evidence' });
    await expect(app.ready()).rejects.toThrow(/crosswalk-auth/);
    await app.close().catch(() => {});
  });

  it('answers /readyz 503 naming what is unreachable', async () => {
    const runtime = createRuntime(
      parseServiceEnv({
        REDIS_URL: 'redis://127.0.0.1:1',
        CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
        CROSSWALK_S3_BUCKET: 'nowhere',
        CROSSWALK_S3_ENDPOINT: 'http://127.0.0.1:1',
        CROSSWALK_S3_FORCE_PATH_STYLE: 'true',
        CROSSWALK_S3_ACCESS_KEY_ID: 'x',
        CROSSWALK_S3_SECRET_ACCESS_KEY: 'y',
        LOG_LEVEL: 'silent',
      }),
    );
    const app = buildApp(runtime, { docs: false });
    try {
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'unavailable',
        checks: {
          redis: { ok: false, error: 'CW_REDIS_UNAVAILABLE' },
          locker: { ok: false, error: 'CW_LOCKER_UNAVAILABLE' },
          // Unknown, not missing: the check could not run.
          schedules: { ok: false, missing: 0 },
        },
      });
    } finally {
      await app.close();
      await runtime.close();
    }
  });
});
