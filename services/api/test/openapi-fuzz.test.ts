import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Signature } from '../src/index.js';
import { createWebhookSenders, STACK_TRACE, services, startTestApp, type TestApp } from './helpers.js';

/**
 * Every route of the OpenAPI document the app serves, with requests generated from each route's own schemas
 * (path, query, header parameters and JSON body) and from hostile values (prototype names, bodies nested
 * thousands deep, NUL, 100 kB strings, bytes that are not UTF-8, wrong types), under every role's key, a revoked
 * key and none, webhooks signed or not. The property: never a 5xx, never a stack trace, and every 4xx in the one
 * error shape, naming the request field at fault. Bounded: RUNS requests per route (about 1,000 in all).
 */

const RUNS = 36;
const SECRET = 'whsec-openapi-fuzz-0123456789abcdef';
const OKTA_SECRET = 'okta-openapi-fuzz-authorization-0123';
const JIRA_SECRET = 'jira-openapi-fuzz-secret-0123456789';
const FIELD_PATH = /^(url|headers|params|query|body)(\.\S+)?$/;

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

/** `{"a":{"a":...}}` `depth` deep, as text (building it as an object and stringifying would overflow first). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

/** Values no schema asks for, as text (query, header and path values are text). */
const hostileText = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '%00',
    '%',
    '%E0%A4%A',
    '\uFFFD',
    '\uD800',
    '../../etc/passwd',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e999',
    '99999-01-01',
    '1970-01-01',
    '2999-01-01',
    '[object Object]',
    'x'.repeat(2_000),
  ),
  printable(40),
);

/** Values of the wrong type or shape for any JSON field. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, [], {}, [null], { __proto__: { polluted: 1 } }),
  fc.constant('y'.repeat(100_000)),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value for one schema: what it asks for (as near as a generator gets) half the time, hostile otherwise. */
function valueFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(conforming(schema, depth), hostileJson);
}

function conforming(schema: Schema | undefined, depth: number): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union && union.length > 0) return fc.oneof(...union.map((s) => conforming(s, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const names = Object.keys(properties);
      if (names.length === 0)
        return fc.dictionary(printable(10), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      return fc.record(
        Object.fromEntries(names.map((name) => [name, valueFor(properties[name], depth + 1)])),
        { requiredKeys: [] },
      );
    }
    case 'array':
      return fc.array(valueFor(schema.items, depth + 1), { maxLength: 4 });
    case 'integer':
    case 'number':
      return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 2_000, 2_000) });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.oneof(
        schema.pattern
          ? fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length < 300)
          : printable(30),
        fc.constantFrom(
          'soc2',
          'iso27001',
          'CC8.1',
          'A.8.32',
          '2026-03-01',
          '2026-04-01',
          'fuzz',
          'org_members',
        ),
      );
  }
}

/** Percent-encoding; a lone surrogate becomes the bytes it would be in UTF-8 (`%ED%A0%80`): not UTF-8 at all. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((c) => (/[\uD800-\uDFFF]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
};

const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content;
      found.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters as Parameter[] | undefined) ?? [],
        ...(content ? { body: Object.values(content)[0]?.schema ?? {} } : {}),
      });
    }
  }
  return found;
}

describe.skipIf(!services)(
  'Every route of the OpenAPI document, under generated and hostile requests',
  () => {
    let t: TestApp;
    let routes: Operation[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();

    beforeAll(async () => {
      t = await startTestApp({ db: 4 });
      await createWebhookSenders(
        t.runtime,
        { github: 'fuzz', okta: 'fuzz-okta', jira: 'fuzz-jira' },
        { github: SECRET, okta: OKTA_SECRET, jira: JIRA_SECRET },
      );
      const doc = await t.app.inject({ method: 'GET', url: '/docs/json' });
      routes = operations(doc.json());
    });
    afterAll(async () => {
      // The count and the spread of answers, for the record of what the property covered.
      console.info(
        `openapi-fuzz: ${sent} requests over ${routes.length} routes`,
        Object.fromEntries(statuses),
      );
      await t?.close();
    });

    it('reads every route the app registered from its OpenAPI document', () => {
      const documented = new Set(routes.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
      const registered = t.routes
        // The API docs and the console's pages are files for a browser, not API routes.
        .filter(
          (r) =>
            r.method !== 'HEAD' &&
            !r.url.startsWith('/docs') &&
            !r.url.startsWith('/console') &&
            r.url !== '/',
        )
        .map((r) => `${r.method} ${r.url}`);
      for (const route of registered) expect(documented, route).toContain(route);
    });

    it('answers every generated request below 500, and every 4xx in the one error shape naming its field', async () => {
      expect(routes.length).toBeGreaterThan(20);
      for (const route of routes) {
        const pathParams = route.parameters.filter((p) => p.in === 'path');
        const queryParams = route.parameters.filter((p) => p.in === 'query');
        const headerParams = route.parameters.filter((p) => p.in === 'header');
        const segment = (p: Parameter) =>
          fc.oneof(
            p.name === 'connectorId' || p.name === 'id'
              ? fc.constantFrom('fuzz', 'fuzz-okta', 'fuzz-jira')
              : conforming(p.schema, 0).map(asText),
            hostileText,
          );
        const request = fc.record({
          params: fc.tuple(...pathParams.map(segment)),
          query: fc.array(
            fc.tuple(
              fc.oneof(fc.constantFrom(...queryParams.map((p) => p.name), '__proto__', 'x'), printable(8)),
              fc.oneof(...(queryParams.length ? queryParams.map((p) => valueFor(p.schema)) : [hostileJson])),
            ),
            { maxLength: 5 },
          ),
          headers: fc.array(
            fc.tuple(
              fc.constantFrom(...headerParams.map((p) => p.name), 'x-github-event', 'x-request-id'),
              fc.oneof(hostileText, fc.constantFrom('ping', 'pull_request', 'organization')),
            ),
            { maxLength: 3 },
          ),
          body: route.body
            ? fc.oneof(
                valueFor(route.body).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
                fc.constant(Buffer.from(nested(10_000))),
                fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from([0xff, 0xfe, ...b])),
                fc.constant(undefined),
              )
            : fc.constant(undefined),
          contentType: fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
            undefined,
          ),
          who: fc.constantFrom('admin', 'operator', 'auditor', 'revoked', 'none', 'garbage'),
          sign: fc.boolean(),
        });

        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            let i = 0;
            const path = route.path.replace(/\{(\w+)\}/g, () => encode(asText(r.params[i++])));
            const search = r.query.map(([k, v]) => `${encode(k)}=${encode(asText(v))}`).join('&');
            const headers: Record<string, string> = {};
            for (const [name, value] of r.headers) {
              // A header value cannot carry control characters on the wire.
              headers[name] = asText(value).replace(/[^\x20-\x7e]/g, '?');
            }
            if (r.who === 'garbage') headers.authorization = 'Bearer cwk_aaaaaaaaaaaa_x';
            else if (r.who !== 'none') headers.authorization = `Bearer ${t.tokens[r.who]}`;
            const withBody = r.body !== undefined && route.method !== 'GET' && route.method !== 'DELETE';
            if (withBody && r.contentType) headers['content-type'] = r.contentType;
            if (route.path.startsWith('/v1/webhooks/') && r.sign) {
              const bytes = withBody ? r.body! : Buffer.alloc(0);
              headers['x-hub-signature-256'] = sha256Signature(SECRET, bytes);
              headers['x-crosswalk-signature'] = sha256Signature(SECRET, bytes);
              headers['x-hub-signature'] = sha256Signature(JIRA_SECRET, bytes);
              headers.authorization = OKTA_SECRET;
            }
            const url = `${path}${search ? `?${search}` : ''}`;
            const response = await t.app.inject({
              method: route.method as 'GET',
              url,
              headers,
              ...(withBody ? { payload: r.body } : {}),
            });
            sent++;
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
            const what = `${route.method} ${url.slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
            expect(response.statusCode, what).toBeLessThan(500);
            expect(response.body, what).not.toMatch(STACK_TRACE);
            expect(response.body, what).not.toMatch(/FST_|native code/);
            if (response.statusCode >= 400) {
              const { error } = response.json();
              expect(error.code, what).toMatch(/^CW_[A-Z_]+$/);
              expect(error.where, what).toMatch(FIELD_PATH);
              expect(error.issues?.length, what).toBeGreaterThan(0);
              for (const issue of error.issues) expect(issue.path, what).toMatch(FIELD_PATH);
            }
          }),
          { numRuns: RUNS },
        );
      }
    }, 240_000);
  },
);
