import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Signature } from '../src/index.js';
import { createWebhookSenders, STACK_TRACE, services, startTestApp, type TestApp } from './helpers.js';

const SECRET = 'whsec-fuzz-0123456789abcdef';
const OKTA_SECRET = 'okta-fuzz-authorization-0123456789';
const JIRA_SECRET = 'jira-fuzz-secret-0123456789abcdef';

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `:id` is replaced by a generated path segment. */
  url: string;
  /** Query parameter names the route knows, mixed into generated query strings. */
  params?: string[];
  /** Top-level body fields the route knows, mixed into generated bodies. */
  fields?: string[];
  /**
   * How a generated request is authenticated when it is "signed": an HMAC header over the body, or Okta's
   * Authorization value (for its POST and its verification GET).
   */
  signature?: 'x-hub-signature-256' | 'x-crosswalk-signature' | 'x-hub-signature' | 'okta-authorization';
  /** The connector whose secret signs, used as the `:id` segment half of the time (default `fuzz`, GitHub). */
  connector?: string;
}

const routes: Route[] = [
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/readyz' },
  { method: 'GET', url: '/metrics' },
  { method: 'GET', url: '/v1/connectors' },
  {
    method: 'POST',
    url: '/v1/connectors',
    fields: ['id', 'type', 'org', 'auth', 'baseUrl', 'webhookSecret'],
  },
  { method: 'GET', url: '/v1/connectors/:id' },
  { method: 'PATCH', url: '/v1/connectors/:id', fields: ['id', 'type', 'org', 'auth', 'repositories'] },
  { method: 'DELETE', url: '/v1/connectors/:id' },
  { method: 'POST', url: '/v1/connectors/:id/collect', fields: ['collectors', 'since', 'until'] },
  { method: 'GET', url: '/v1/connectors/:id/runs', params: ['from', 'to', 'cursor', 'limit'] },
  {
    method: 'GET',
    url: '/v1/evidence',
    params: ['framework', 'control', 'kind', 'from', 'to', 'cursor', 'limit'],
  },
  { method: 'GET', url: '/v1/evidence/:id' },
  { method: 'GET', url: '/v1/controls', params: ['framework'] },
  { method: 'GET', url: '/v1/crosswalk' },
  { method: 'POST', url: '/v1/exports', fields: ['frameworks', 'controls', 'from', 'to'] },
  { method: 'GET', url: '/v1/exports', params: ['from', 'cursor', 'limit'] },
  { method: 'GET', url: '/v1/exports/:id' },
  { method: 'GET', url: '/v1/exports/:id/bundle.zip' },
  { method: 'GET', url: '/v1/coverage', params: ['framework', 'control', 'from', 'to'] },
  { method: 'POST', url: '/v1/webhooks/:id/github', signature: 'x-hub-signature-256' },
  { method: 'POST', url: '/v1/webhooks/:id/generic/org_members', signature: 'x-crosswalk-signature' },
  {
    method: 'POST',
    url: '/v1/webhooks/:id/okta',
    signature: 'okta-authorization',
    connector: 'fuzz-okta',
    fields: ['eventType', 'eventId', 'data', 'eventTime'],
  },
  { method: 'GET', url: '/v1/webhooks/:id/okta', signature: 'okta-authorization', connector: 'fuzz-okta' },
  {
    method: 'POST',
    url: '/v1/webhooks/:id/jira',
    signature: 'x-hub-signature',
    connector: 'fuzz-jira',
    fields: ['webhookEvent', 'issue', 'timestamp', 'changelog'],
  },
];

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

/** Values that are almost right as often as they are wrong: that is where parsers and validators break. */
const nearMiss = fc.oneof(
  printable(40),
  fc.constantFrom(
    '',
    'soc2',
    'soc2-2017',
    'iso',
    'CC8.1',
    'A.8.32',
    'github',
    'github.pull_request.approval',
    '2026-01-01',
    '2026-02-30',
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00+01:00',
    '99999-01-01',
    '-1',
    '0',
    '1001',
    '1e3',
    'NaN',
    'null',
    'W10',
    'WyIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMFoiLCJ4Il0',
    '__proto__',
    'constructor',
    '%',
    '%E0%A4%A',
    '\u0000',
    '../../etc/passwd',
    'github.pull_request.approval~20260302T100000000Z~00000000000000000000000000000000',
  ),
);

const segment = (route: Route) =>
  fc.oneof(
    fc.constant(route.connector ?? 'fuzz'),
    fc.constantFrom('fuzz', 'nobody', '%2e%2e', '%', '%00', 'a'.repeat(300), '__proto__', 'x~y'),
    nearMiss.map((s) => encodeURIComponent(s)),
  );

function query(route: Route) {
  const name = fc.oneof(fc.constantFrom(...(route.params ?? ['x']), '__proto__', 'limit[]'), printable(10));
  return fc.oneof(
    fc.constant(''),
    fc
      .array(fc.tuple(name, nearMiss), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
    printable(60),
  );
}

function body(route: Route) {
  const field = fc.constantFrom(...(route.fields ?? ['x']), '__proto__', 'constructor');
  return fc.oneof(
    fc.constant(undefined),
    fc.json({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .dictionary(field, fc.oneof(nearMiss, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 6 })
      .map((v) => JSON.stringify(v)),
    printable(200),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.constantFrom('{', '{"a":', '[1,2', '"unterminated', '{"__proto__":{"polluted":1}}', 'null', '1e999'),
  );
}

function headers(t: TestApp) {
  return fc.record(
    {
      authorization: fc.oneof(
        fc.constant(`Bearer ${t.tokens.admin}`),
        fc.constant(`Bearer ${t.tokens.auditor}`),
        printable(80).map((s) => `Bearer ${s}`),
        printable(80),
      ),
      'content-type': fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=utf-16',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/octet-stream',
          '*/*',
        ),
        printable(40),
      ),
      'x-github-event': fc.oneof(
        fc.constantFrom('pull_request', 'ping', 'organization', 'star'),
        printable(30),
      ),
      'x-github-delivery': printable(60),
      'x-crosswalk-delivery': printable(60),
      'x-atlassian-webhook-identifier': printable(60),
      'x-okta-verification-challenge': fc.oneof(printable(40), fc.constant('a'.repeat(600))),
      'x-request-id': printable(200),
      accept: fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml'),
    },
    { requiredKeys: [] },
  );
}

describe.skipIf(!services)('Malformed input to every route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 12 });
    await createWebhookSenders(
      t.runtime,
      { github: 'fuzz', okta: 'fuzz-okta', jira: 'fuzz-jira' },
      { github: SECRET, okta: OKTA_SECRET, jira: JIRA_SECRET },
    );
  });
  afterAll(() => t?.close());

  for (const route of routes) {
    it(`${route.method} ${route.url}: never a 500, never a stack trace`, async () => {
      await fc.assert(
        fc.asyncProperty(
          segment(route),
          query(route),
          body(route),
          headers(t),
          fc.boolean(),
          async (id, search, payload, extra, sign) => {
            const url = `${route.url.replace(':id', id)}${search ? `?${search}` : ''}`;
            const all: Record<string, string> = { ...extra };
            if (route.signature === 'okta-authorization' && sign) {
              // Okta's hook secret for connector `fuzz-okta`, so malformed deliveries get past verification.
              all.authorization = OKTA_SECRET;
            } else if (route.signature && sign && payload !== undefined) {
              // Correctly signed for the route's connector, so malformed deliveries get past verification.
              const secret = route.signature === 'x-hub-signature' ? JIRA_SECRET : SECRET;
              all[route.signature] = sha256Signature(secret, Buffer.from(payload));
            }
            if (route.method === 'GET' || payload === undefined) delete all['content-type'];
            const response = await t.app.inject({
              method: route.method,
              url,
              headers: all,
              ...(route.method === 'GET' || payload === undefined ? {} : { payload }),
            });
            expect(
              response.statusCode,
              `${route.method} ${url} -> ${response.body.slice(0, 300)}`,
            ).toBeLessThan(500);
            expect(response.body).not.toMatch(STACK_TRACE);
            if (response.statusCode >= 400) {
              expect(response.json().error.code).toMatch(/^CW_[A-Z_]+$/);
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});
