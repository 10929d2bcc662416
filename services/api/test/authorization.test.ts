import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSenders, services, startTestApp, type TestApp } from './helpers.js';

type Caller = 'none' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'auditor' | 'operator' | 'admin';
const callers: Caller[] = [
  'none',
  'malformed',
  'unknown',
  'expired',
  'revoked',
  'auditor',
  'operator',
  'admin',
];

interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** Expected status by caller role; the callers without a valid key get `anonymous`. */
  anonymous: number;
  auditor: number;
  operator: number;
  admin: number;
}

const EXPORT_ID = '00000000-0000-4000-8000-000000000000';
const EVIDENCE_ID = 'github.pull_request.approval~20260302T100000000Z~00000000000000000000000000000000';

/**
 * Every route, every caller. Rows for the same connector run in caller order (admin last), so the one caller
 * that may change something (create, delete) does it after everyone else was refused.
 */
const table: Row[] = [
  { method: 'GET', url: '/healthz', anonymous: 200, auditor: 200, operator: 200, admin: 200 },
  { method: 'GET', url: '/readyz', anonymous: 200, auditor: 200, operator: 200, admin: 200 },
  { method: 'GET', url: '/metrics', anonymous: 200, auditor: 200, operator: 200, admin: 200 },
  { method: 'GET', url: '/docs/json', anonymous: 200, auditor: 200, operator: 200, admin: 200 },
  // The console's pages are public files (their data comes from /v1); these suites run without a built console.
  { method: 'GET', url: '/', anonymous: 302, auditor: 302, operator: 302, admin: 302 },
  { method: 'GET', url: '/console', anonymous: 302, auditor: 302, operator: 302, admin: 302 },
  { method: 'GET', url: '/console/controls', anonymous: 404, auditor: 404, operator: 404, admin: 404 },
  { method: 'GET', url: '/v1/connectors', anonymous: 401, auditor: 403, operator: 403, admin: 200 },
  {
    method: 'POST',
    url: '/v1/connectors',
    body: { id: 'created', type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_matrix' } },
    anonymous: 401,
    auditor: 403,
    operator: 403,
    admin: 201,
  },
  { method: 'GET', url: '/v1/connectors/matrix', anonymous: 401, auditor: 403, operator: 403, admin: 200 },
  {
    method: 'PATCH',
    url: '/v1/connectors/matrix',
    body: { controlOwner: 'secops' },
    anonymous: 401,
    auditor: 403,
    operator: 403,
    admin: 200,
  },
  { method: 'DELETE', url: '/v1/connectors/doomed', anonymous: 401, auditor: 403, operator: 403, admin: 204 },
  {
    method: 'POST',
    url: '/v1/connectors/matrix/collect',
    body: { collectors: ['org_members'] },
    anonymous: 401,
    auditor: 403,
    operator: 202,
    admin: 202,
  },
  {
    method: 'GET',
    url: '/v1/connectors/matrix/schedules',
    anonymous: 401,
    auditor: 403,
    operator: 200,
    admin: 200,
  },
  {
    method: 'GET',
    url: '/v1/connectors/matrix/runs',
    anonymous: 401,
    auditor: 403,
    operator: 200,
    admin: 200,
  },
  {
    method: 'GET',
    url: '/v1/evidence?framework=soc2-2017&control=CC8.1&from=2026-01-01&to=2026-04-01',
    anonymous: 401,
    auditor: 200,
    operator: 200,
    admin: 200,
  },
  {
    method: 'GET',
    url: `/v1/evidence/${EVIDENCE_ID}`,
    anonymous: 401,
    auditor: 404,
    operator: 404,
    admin: 404,
  },
  {
    method: 'GET',
    url: `/v1/evidence/${EVIDENCE_ID}/chain`,
    anonymous: 401,
    auditor: 404,
    operator: 404,
    admin: 404,
  },
  {
    method: 'GET',
    url: '/v1/controls?framework=soc2',
    anonymous: 401,
    auditor: 200,
    operator: 200,
    admin: 200,
  },
  { method: 'GET', url: '/v1/crosswalk', anonymous: 401, auditor: 200, operator: 200, admin: 200 },
  // The control register: anyone reads it; admins apply versions (a bad body is refused before anything is stored).
  { method: 'GET', url: '/v1/controls/register', anonymous: 401, auditor: 200, operator: 200, admin: 200 },
  {
    method: 'GET',
    url: '/v1/controls/register/versions',
    anonymous: 401,
    auditor: 200,
    operator: 200,
    admin: 200,
  },
  {
    method: 'POST',
    url: '/v1/controls/register',
    body: { register: { version: 1, controls: [] } },
    anonymous: 401,
    auditor: 403,
    operator: 403,
    admin: 400,
  },
  { method: 'GET', url: '/v1/controls/soa', anonymous: 401, auditor: 200, operator: 200, admin: 200 },
  // Testing a control is an audit (auditors and admins); remediations are entered by operators and admins.
  {
    method: 'GET',
    url: '/v1/controls/overview?from=2026-03-01&to=2026-04-01',
    anonymous: 401,
    auditor: 200,
    operator: 403,
    admin: 200,
  },
  {
    method: 'GET',
    url: '/v1/controls/CHG-01/test?from=2026-03-01&to=2026-04-01&seed=s',
    anonymous: 401,
    auditor: 200,
    operator: 403,
    admin: 200,
  },
  {
    method: 'POST',
    url: '/v1/controls/CHG-01/remediations',
    body: { item: 'x', text: '' },
    anonymous: 401,
    auditor: 403,
    operator: 400,
    admin: 400,
  },
  // Flags: any key raises one (a scoped auditor inside its scope) and lists them; operators and admins answer.
  {
    method: 'POST',
    url: '/v1/controls/CHG-01/flags',
    body: { item: 'x', comment: '' },
    anonymous: 401,
    auditor: 400,
    operator: 400,
    admin: 400,
  },
  {
    method: 'POST',
    url: '/v1/controls/CHG-01/flags/00000000-0000-4000-8000-000000000000/answers',
    body: { type: 'remediation', text: 'x' },
    anonymous: 401,
    auditor: 403,
    operator: 404,
    admin: 404,
  },
  { method: 'GET', url: '/v1/flags', anonymous: 401, auditor: 200, operator: 200, admin: 200 },
  // Exports are for auditors and admins: operators run collections, not audits.
  {
    method: 'POST',
    url: '/v1/exports',
    body: { frameworks: ['soc2'], from: '2026-03-01', to: '2026-04-01' },
    anonymous: 401,
    auditor: 202,
    operator: 403,
    admin: 202,
  },
  { method: 'GET', url: '/v1/exports', anonymous: 401, auditor: 200, operator: 403, admin: 200 },
  { method: 'GET', url: `/v1/exports/${EXPORT_ID}`, anonymous: 401, auditor: 404, operator: 403, admin: 404 },
  {
    method: 'GET',
    url: `/v1/exports/${EXPORT_ID}/bundle.zip`,
    anonymous: 401,
    auditor: 404,
    operator: 403,
    admin: 404,
  },
  {
    method: 'GET',
    url: '/v1/coverage?framework=soc2&from=2026-03-01&to=2026-04-01',
    anonymous: 401,
    auditor: 200,
    operator: 200,
    admin: 200,
  },
  // API keys are the admins' (as `crosswalk keys`); a key that does not exist cannot be revoked.
  { method: 'GET', url: '/v1/keys', anonymous: 401, auditor: 403, operator: 403, admin: 200 },
  {
    method: 'POST',
    url: '/v1/keys',
    body: { name: 'matrix auditor', role: 'auditor', scope: { from: '2026-01-01', to: '2026-04-01' } },
    anonymous: 401,
    auditor: 403,
    operator: 403,
    admin: 201,
  },
  { method: 'DELETE', url: '/v1/keys/nosuchkey000', anonymous: 401, auditor: 403, operator: 403, admin: 404 },
  // Console login takes the key in its body, not a header: a Bearer header opens no session (session.test.ts
  // drives the cookie itself). Logging out without a session is a no-op.
  {
    method: 'POST',
    url: '/v1/session',
    body: { apiKey: 'cwk_notakey' },
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  { method: 'GET', url: '/v1/session', anonymous: 401, auditor: 401, operator: 401, admin: 401 },
  { method: 'DELETE', url: '/v1/session', anonymous: 204, auditor: 204, operator: 204, admin: 204 },
  // Webhooks take no API key: the sender's signature is the credential, whoever else calls.
  {
    method: 'POST',
    url: '/v1/webhooks/matrix/github',
    body: { zen: 'Design for failure.' },
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  // Okta's hook authenticates with its own Authorization value, so no API key (in the same header) opens it.
  {
    method: 'POST',
    url: '/v1/webhooks/matrix-okta/okta',
    body: { eventType: 'com.okta.event_hook', eventId: 'e-1', data: { events: [] } },
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  {
    method: 'GET',
    url: '/v1/webhooks/matrix-okta/okta',
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  {
    method: 'POST',
    url: '/v1/webhooks/matrix-jira/jira',
    body: { webhookEvent: 'jira:issue_updated', issue: { key: 'IT-1' } },
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  // Graph's clientState is in the body: no API key opens it, and one without the clientState is refused.
  {
    method: 'POST',
    url: '/v1/webhooks/matrix-entra/entra',
    body: { value: [{ subscriptionId: 's-1', changeType: 'updated', resource: 'Users/u-1' }] },
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
  {
    method: 'POST',
    url: '/v1/webhooks/matrix/generic/org_members',
    body: {},
    anonymous: 401,
    auditor: 401,
    operator: 401,
    admin: 401,
  },
];

describe.skipIf(!services)('Authorization', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 11 });
    await t.runtime.configs.create(
      'doomed',
      { type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_matrix' } },
      'test',
    );
    // matrix has no webhook secret, so its deliveries can never be verified, whoever sends them.
    await createWebhookSenders(
      t.runtime,
      { github: 'matrix', okta: 'matrix-okta', jira: 'matrix-jira', entra: 'matrix-entra' },
      {
        okta: 'okta-matrix-hook-secret-0123',
        jira: 'jira-matrix-hook-secret-0123',
        entra: 'entra-matrix-client-state-0123',
      },
    );
  });
  afterAll(() => t?.close());

  function headersFor(caller: Caller): Record<string, string> {
    switch (caller) {
      case 'none':
        return {};
      case 'malformed':
        return { authorization: 'Basic YWRtaW46YWRtaW4=' };
      case 'unknown':
        return t.bearer(`cwk_zzzzzzzzzzzz_${'A'.repeat(43)}`);
      default:
        return t.bearer(t.tokens[caller]);
    }
  }

  it('answers every route for every caller with the status in the table', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const row of table) {
      for (const caller of callers) {
        const want =
          caller === 'auditor' || caller === 'operator' || caller === 'admin' ? row[caller] : row.anonymous;
        const response = await t.app.inject({
          method: row.method,
          url: row.url,
          headers: headersFor(caller),
          ...(row.body === undefined ? {} : { payload: row.body as object }),
        });
        outcomes.push(`${row.method} ${row.url} as ${caller}: ${response.statusCode}`);
        expected.push(`${row.method} ${row.url} as ${caller}: ${want}`);
        if (response.statusCode === 401 || response.statusCode === 403) {
          expect(response.json().error.code).toBe(
            response.statusCode === 401 ? 'CW_UNAUTHORIZED' : 'CW_FORBIDDEN',
          );
        }
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('has a row for every route the app registers, so a new route cannot skip this test', async () => {
    const pattern = (url: string) =>
      new RegExp(
        `^${url
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/:[A-Za-z]+/g, '[^/?]+')
          .replace(/\\\*$/, '.*')}(\\?.*)?$`,
      );
    const missing = t.routes
      .filter(
        (route) => route.method !== 'HEAD' && !(route.url.startsWith('/docs') && route.url !== '/docs/json'),
      )
      .filter(
        (route) => !table.some((row) => row.method === route.method && pattern(route.url).test(row.url)),
      )
      .map((route) => `${route.method} ${route.url}`);
    expect(t.routes.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('names the Bearer scheme on a 401 for a missing API key', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/crosswalk' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses before reading the body: a bad body from an unauthenticated caller is a 401, not a 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(401);
  });
});
