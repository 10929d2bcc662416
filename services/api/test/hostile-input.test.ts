import { randomBytes, randomUUID } from 'node:crypto';
import { createRuntime, parseServiceEnv, type Runtime } from '@crosswalk/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp, sha256Signature } from '../src/index.js';
import { createWebhookSenders, services, signedDelivery, startTestApp, type TestApp } from './helpers.js';

const SECRET = 'whsec-hostile-0123456789abcdef';
const JIRA_SECRET = 'jira-hostile-secret-0123456789abcdef';
const FIELD_PATH = /^(url|headers|params|query|body)(\.\S+)?$/;

/** `{"a":{"a":...1...}}`, `depth` levels: built as text, since building it as an object would overflow first. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Every 4xx in one shape: a code, a message, the field at fault in `where`, and each bad field in `issues`. */
function expectFieldError(response: { statusCode: number; json(): unknown }, status: number, where: string) {
  expect(response.statusCode).toBe(status);
  const { error } = response.json() as {
    error: { code: string; message: string; where: string; issues: { path: string }[] };
  };
  expect(error.code).toMatch(/^CW_[A-Z_]+$/);
  expect(error.where).toBe(where);
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) expect(issue.path).toMatch(FIELD_PATH);
  expect(JSON.stringify(error)).not.toMatch(/FST_|native code/);
}

describe.skipIf(!services)('Hostile input', () => {
  let t: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await startTestApp({ db: 5 });
    admin = t.bearer(t.tokens.admin);
    await createWebhookSenders(
      t.runtime,
      { github: 'gh', okta: 'okta', jira: 'jira' },
      { github: SECRET, jira: JIRA_SECRET },
    );
  });
  afterAll(() => t?.close());

  /** A signed delivery to the generic webhook of `gh`'s org_members collector (no content type unless given). */
  const generic = (body: string, contentType?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/gh/generic/org_members',
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        'x-crosswalk-delivery': randomUUID(),
        'x-crosswalk-signature': sha256Signature(SECRET, Buffer.from(body)),
      },
      ...(body ? { payload: body } : {}),
    });
  const collect = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/v1/connectors/gh/collect', headers: admin, payload });

  describe('when a framework is named after a property of every object', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      it(`refuses "${name}" as an unknown framework on every route that takes one`, async () => {
        const q = encodeURIComponent(name);
        for (const [url, where] of [
          [`/v1/evidence?framework=${q}`, 'query.framework'],
          [`/v1/controls?framework=${q}`, 'query.framework'],
          [`/v1/coverage?framework=${q}&from=2026-01-01&to=2026-02-01`, 'query.framework'],
        ] as const) {
          const response = await t.app.inject({ method: 'GET', url, headers: admin });
          expectFieldError(response, 400, where);
          expect(response.json().error.code).toBe('CW_FRAMEWORK_UNKNOWN');
          expect(response.json().error.message).toContain(`"${name}"`);
        }
        const exported = await t.app.inject({
          method: 'POST',
          url: '/v1/exports',
          headers: admin,
          payload: { frameworks: [name], from: '2026-01-01', to: '2026-02-01' },
        });
        expectFieldError(exported, 400, 'body.frameworks');
      });
    }
  });

  describe('when a body nests 10,000 deep', () => {
    it('answers 400 naming the body on PATCH and POST of a connector, before any recursive work', async () => {
      for (const [method, url] of [
        ['PATCH', '/v1/connectors/gh'],
        ['POST', '/v1/connectors'],
        ['POST', '/v1/connectors/gh/collect'],
      ] as const) {
        const response = await t.app.inject({
          method,
          url,
          headers: { ...admin, 'content-type': 'application/json' },
          payload: nested(10_000),
        });
        expectFieldError(response, 400, 'body');
      }
      // The connector is unchanged.
      const view = await t.app.inject({ method: 'GET', url: '/v1/connectors/gh', headers: admin });
      expect(view.json().config.org).toBe('acme');
    });

    it('answers 400 to a signed webhook delivery nesting that deep, and enqueues nothing', async () => {
      const body = `{"action":"opened","pull_request":${nested(10_000)}}`;
      const response = await t.app.inject(
        signedDelivery('github', { connector: 'gh', secret: SECRET, body, event: 'pull_request' }),
      );
      expectFieldError(response, 400, 'body');
    });
  });

  describe('when a request is refused', () => {
    const exportOf = (body: Record<string, unknown>) => ({
      method: 'POST' as const,
      url: '/v1/exports',
      payload: { frameworks: ['soc2'], from: '2026-01-01', to: '2026-02-01', ...body },
    });
    it.each([
      [
        'query.control',
        {
          method: 'GET' as const,
          url: '/v1/coverage?framework=soc2&control=CC99.9&from=2026-01-01&to=2026-02-01',
        },
      ],
      ['body.from', exportOf({ from: 'yesterday' })],
      ['body.to', exportOf({ from: '2020-01-01' })],
      ['body.controls', exportOf({ controls: ['CC99.9'] })],
    ])('names the field of an export or coverage request, not its value: %s', async (where, request) => {
      expectFieldError(await t.app.inject({ ...request, headers: admin }), 400, where);
    });

    it.each([
      ['bad percent-encoding', '/v1/evidence/%', 400],
      ['an over-long path segment', `/v1/connectors/${'a'.repeat(300)}`, 400],
      ['an unknown route', '/v1/nothing-here', 404],
    ])("never names fastify's own codes: %s names the URL", async (_name, url, status) => {
      expectFieldError(await t.app.inject({ method: 'GET', url, headers: admin }), status, 'url');
    });

    it('names the header of a missing or wrong credential', async () => {
      expectFieldError(
        await t.app.inject({ method: 'GET', url: '/v1/evidence' }),
        401,
        'headers.authorization',
      );
      const auditor = await t.app.inject({
        method: 'GET',
        url: '/v1/connectors',
        headers: t.bearer(t.tokens.auditor),
      });
      expectFieldError(auditor, 403, 'headers.authorization');
      const unsigned = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks/gh/github',
        headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' },
        payload: '{}',
      });
      expectFieldError(unsigned, 401, 'headers.x-hub-signature-256');
    });

    it('names the first bad field of a validation failure, and every bad field in issues', async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/evidence?limit=abc&from=never',
        headers: admin,
      });
      expect(response.statusCode).toBe(400);
      const paths = response.json().error.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['query.limit', 'query.from']));
      expect(paths).toContain(response.json().error.where);
    });
  });

  describe('when a webhook delivery comes in a content type its sender never sends', () => {
    const github = (contentType: string | null, body = '{"zen":"Keep it logically awesome."}') =>
      t.app.inject(signedDelivery('github', { connector: 'gh', secret: SECRET, body, contentType }));

    it('refuses a signed GitHub delivery as text/plain or without a content type with 415', async () => {
      expectFieldError(await github('text/plain'), 415, 'headers.content-type');
      expectFieldError(await github(null), 415, 'headers.content-type');
      expect((await github('text/plain')).json().error.code).toBe('CW_MEDIA_TYPE_UNSUPPORTED');
      expect(await t.runtime.webhookQueue.queue.getJobCounts()).toMatchObject({ waiting: 0 });
    });

    it("takes both of GitHub's content types, with or without a charset", async () => {
      expect((await github('application/json')).statusCode).toBe(202);
      expect((await github('Application/JSON; charset=utf-8')).statusCode).toBe(202);
      const form = `payload=${encodeURIComponent('{"zen":"Design for failure."}')}`;
      expect((await github('application/x-www-form-urlencoded', form)).statusCode).toBe(202);
    });

    it('refuses a Jira delivery that is not application/json', async () => {
      const body = '{"webhookEvent":"jira:issue_updated"}';
      const response = await t.app.inject(
        signedDelivery('jira', { connector: 'jira', secret: JIRA_SECRET, body, contentType: 'text/plain' }),
      );
      expectFieldError(response, 415, 'headers.content-type');
    });

    it('takes an empty generic delivery without a content type, and refuses a typeless body', async () => {
      expect((await generic('')).statusCode).toBe(202);
      expectFieldError(await generic('{}'), 415, 'headers.content-type');
      expectFieldError(await generic('{}', 'text/plain'), 415, 'headers.content-type');
    });
  });

  describe('when a collection window reaches over decades', () => {
    it('refuses a collect from 1970 to 2999, and one starting in the future', async () => {
      for (const [since, until] of [
        ['1970-01-01', '2999-01-01'],
        ['2020-01-01', '2026-01-01'],
        ['2998-01-01', '2999-01-01'],
      ]) {
        expectFieldError(await collect({ since, until }), 400, 'body.until');
      }
      const fine = await collect({ collectors: ['org_members'], since: '2025-01-01', until: '2026-01-01' });
      expect(fine.statusCode).toBe(202);
    });

    it('refuses a signed generic webhook asking for a 56-year window', async () => {
      const body = JSON.stringify({ since: '1970-01-01', until: '2026-01-01' });
      expectFieldError(await generic(body, 'application/json'), 400, 'body.until');
    });
  });
});

describe.skipIf(!services)('During a storage outage', () => {
  let t: TestApp;
  let runtime: Runtime;
  let app: App;
  const DOWN = 'http://127.0.0.1:1';

  beforeAll(async () => {
    t = await startTestApp({ db: 5, keepQueues: true });
    // The same bucket and Redis, but an S3 endpoint nothing answers on.
    runtime = createRuntime(
      parseServiceEnv({
        REDIS_URL: t.runtime.env.REDIS_URL,
        CROSSWALK_SECRET_KEY: randomBytes(32).toString('base64'),
        CROSSWALK_S3_BUCKET: t.bucket,
        CROSSWALK_S3_ENDPOINT: DOWN,
        CROSSWALK_S3_FORCE_PATH_STYLE: 'true',
        CROSSWALK_S3_ACCESS_KEY_ID: 'x',
        CROSSWALK_S3_SECRET_ACCESS_KEY: 'y',
        LOG_LEVEL: 'silent',
      }),
    );
    app = buildApp(runtime, { docs: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await t?.close();
  });

  it('answers 503 naming no endpoint, bucket or object key, to a webhook and to an API key', async () => {
    const body = '{}';
    const answers = [
      await app.inject(signedDelivery('github', { connector: 'gh', secret: SECRET, body })),
      await app.inject({ method: 'GET', url: '/v1/evidence', headers: t.bearer(t.tokens.auditor) }),
    ];
    for (const response of answers) {
      expect(response.statusCode).toBe(503);
      const { error } = response.json();
      expect(error.code).toBe('CW_LOCKER_UNAVAILABLE');
      expect(error.where).toBe(response.headers['x-request-id']);
      expect(response.body).not.toContain('127.0.0.1');
      expect(response.body).not.toContain(t.bucket);
      expect(response.body).not.toMatch(/keys\/|config\/|\.json/);
    }
  });
});
