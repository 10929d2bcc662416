import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import {
  oktaRateLimitRule,
  provenancePath,
  RequestRecorder,
  rateLimitWaitMs as waitMs,
} from '@crosswalk/connector-kit';
import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, RATE_LIMIT_WAIT_EVENT } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { adminHostFor } from '../src/client.js';
import { accessReviews } from '../src/collectors/access-reviews.js';
import { policies } from '../src/collectors/policies.js';
import { userLifecycle } from '../src/collectors/user-lifecycle.js';
import { usersSnapshot } from '../src/collectors/users-snapshot.js';
import { parseOktaConfig, requestSettings } from '../src/config.js';
import { redact } from '../src/errors.js';
import { OktaTransport } from '../src/transport.js';

const rateLimitWaitMs = (headers: Headers, now?: number) => waitMs(oktaRateLimitRule, headers, now);

import { type FakeOkta, invalidToken, rateLimited } from '../src/sandbox/index.js';
import {
  ALL_SCOPES,
  acme,
  collect,
  configFor,
  errorText,
  manyLifecycleEvents,
  oauthConfigFor,
  SERVICE_APP,
  startFake,
  TOKEN,
} from './helpers.js';

const fake = closedAfterEach((...args: Parameters<typeof startFake>) => startFake(...args));

const silent = { info() {}, warn() {}, debug() {} };

describe('the Okta client', () => {
  describe('when a list spans several pages', () => {
    it('follows the Link header page by page: 2,500 System Log events take three requests of 1,000', async () => {
      // The events' shape is checked by every other test; 2,500 more checks would only time the checker.
      const server = await fake(manyLifecycleEvents(2500), { validate: false });
      const result = await collect(userLifecycle, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.drafts).toHaveLength(2500);
      const pages = server.received('/api/v1/logs');
      expect(pages.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(pages[0]!.path).toContain('limit=1000');
      expect(pages[1]!.path).toContain('after=');
      // Each record cites the page that carried its event, with Okta's request id.
      expect(result.drafts[0]!.requests.map((r) => r.requestId)).toEqual([pages[0]!.requestId]);
      expect(result.drafts[2499]!.requests.map((r) => r.requestId)).toEqual([pages[2]!.requestId]);
      expect(new Set(result.drafts.map((d) => d.source.ref)).size).toBe(2500);
    });

    it('pages users, role assignees, apps, app users and governance lists the same way', async () => {
      const server = await fake(acme());
      const config = configFor(server, { requests: { pageSize: 2, retryBaseDelayMs: 10 } });
      const snapshot = await collect(usersSnapshot, config);
      expect(snapshot.error).toBeUndefined();
      expect((snapshot.drafts[0]!.payload as { users: unknown[] }).users).toHaveLength(6);
      expect(server.received('/api/v1/users').length).toBeGreaterThanOrEqual(3);
      const reviews = await collect(accessReviews, configFor(server, { requests: { pageSize: 1 } }));
      expect(reviews.error).toBeUndefined();
      expect((reviews.drafts[0]!.payload as { reviews: unknown[] }).reviews).toHaveLength(4);
      expect(server.received('/governance/api/v1/reviews')).toHaveLength(4);
    });

    it('never follows a pagination link to another host: the credential would go there', async () => {
      const server = await fake(manyLifecycleEvents(5));
      server.linkOrigin = 'http://okta.attacker.example:8443';
      const result = await collect(userLifecycle, configFor(server, { requests: { logPageSize: 2 } }));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
      expect((result.error as Error).message).toContain(
        'points to okta.attacker.example:8443/api/v1/logs, outside the configured orgUrl',
      );
      // The first page was read; nothing was asked of the other host.
      expect(server.requests).toHaveLength(1);
    });

    it("asks a link on the org's admin host (where Okta's governance API points) again on the org host", async () => {
      const server = await fake(acme(), { hostname: 'localhost', governanceAdminLinks: true });
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      const result = await collect(accessReviews, configFor(server, { requests: { pageSize: 1 } }));
      expect(result.error).toBeUndefined();
      expect(result.drafts).toHaveLength(1);
      expect(server.received('/governance/api/v1/campaigns').length).toBeGreaterThan(1);
      expect(adminHostFor('acme.okta.com')).toBe('acme-admin.okta.com');
      expect(adminHostFor('acme.oktapreview.com')).toBe('acme-admin.oktapreview.com');
    });
  });

  describe('when Okta rate-limits a request', () => {
    it('waits for X-Rate-Limit-Reset after a 429, retries, and the run completes', async () => {
      const server = await fake(acme());
      server.fault({ path: '/api/v1/logs', ...rateLimited(1) });
      const started = Date.now();
      const result = await collect(userLifecycle, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.drafts).toHaveLength(5);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect(server.received('/api/v1/logs').map((r) => r.status)).toEqual([429, 200]);
      // The refused attempt is part of the provenance, followed by the attempt that answered.
      expect(result.drafts[0]!.requests.map((r) => r.status)).toEqual([429, 200]);
      const wait = result.logs.find((l) => l.fields.event === RATE_LIMIT_WAIT_EVENT);
      expect(wait?.message).toMatch(/^Okta rate limit \(429\) for GET \/api\/v1\/logs; waiting 1s/);
    });

    it("measures the wait against Okta's Date header, so a skewed local clock does not matter", () => {
      const headers = new Headers({
        'x-rate-limit-reset': '1772951460',
        date: 'Sun, 08 Mar 2026 06:30:00 GMT',
      });
      expect(rateLimitWaitMs(headers, Date.parse('2026-03-08T09:00:00.000Z'))).toBe(60_000);
      expect(rateLimitWaitMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
      // Duplicated headers are a known Okta fault (OKTA-112507): not trusted.
      expect(
        rateLimitWaitMs(new Headers({ 'x-rate-limit-reset': '1772951460, 1772951461' })),
      ).toBeUndefined();
    });

    it('pauses before the next request to an endpoint whose X-Rate-Limit-Remaining reached 0', async () => {
      const server = await fake(acme());
      server.fault({
        path: '/api/v1/authenticators',
        status: 200,
        body: [],
        headers: () => ({
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 2),
        }),
      });
      const waits: number[] = [];
      const logs: Record<string, unknown>[] = [];
      const transport = new OktaTransport({
        origin: server.url,
        settings: requestSettings(parseOktaConfig(configFor(server))),
        recorder: new RequestRecorder(),
        log: { ...silent, warn: (fields) => logs.push(fields) },
        secrets: [TOKEN],
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      const headers = { Authorization: `SSWS ${TOKEN}` };
      await transport.fetch({ url: `${server.url}/api/v1/authenticators`, headers });
      await transport.fetch({ url: `${server.url}/api/v1/users`, headers });
      expect(waits).toEqual([]);
      await transport.fetch({ url: `${server.url}/api/v1/authenticators`, headers });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(500);
      expect(waits[0]).toBeLessThanOrEqual(2000);
      expect(logs[0]).toMatchObject({ event: RATE_LIMIT_WAIT_EVENT, path: '/api/v1/authenticators' });
    });

    it('gives up with a retryable CW_SOURCE_UNAVAILABLE when the reset is further off than the allowed wait', async () => {
      const server = await fake(acme());
      server.fault({ path: '/api/v1/logs', ...rateLimited(600) });
      const result = await collect(userLifecycle, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as { retryable: boolean }).retryable).toBe(true);
      expect((result.error as Error).message).toMatch(
        /^Okta's rate limit did not reset within the allowed wait \(429 E0000047 .*\) for GET \/api\/v1\/logs\?/,
      );
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('when Okta fails', () => {
    it('retries a 5xx with backoff and succeeds', async () => {
      const server = await fake(acme());
      server.fault({
        path: '/api/v1/authenticators',
        status: 503,
        times: 2,
        body: { errorCode: 'E0000009', errorSummary: 'Internal Server Error' },
      });
      const result = await collect(policies, configFor(server));
      expect(result.error).toBeUndefined();
      expect(server.received('/api/v1/authenticators').map((r) => r.status)).toEqual([503, 503, 200]);
    });

    it('fails with a retryable CW_SOURCE_UNAVAILABLE once the retries are spent', async () => {
      const server = await fake(acme());
      server.fault({
        path: '/api/v1/users',
        status: 500,
        times: 10,
        body: { errorCode: 'E0000009', errorSummary: 'Internal Server Error' },
      });
      const result = await collect(
        usersSnapshot,
        configFor(server, { requests: { retries: 1, retryBaseDelayMs: 1 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as Error).message).toBe(
        'Okta failed (500 E0000009 Internal Server Error) for GET /api/v1/users?limit=200',
      );
      expect(server.received('/api/v1/users')).toHaveLength(2);
    });

    it('names an unreachable org, after its retries', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const result = await collect(userLifecycle, {
        ...configFor({ url: `http://127.0.0.1:${port}` } as FakeOkta),
        requests: { retries: 1, retryBaseDelayMs: 1 },
      });
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as Error).message).toEqual(
        expect.stringMatching(
          new RegExp(
            `^could not reach Okta at 127\\.0\\.0\\.1:${port} for GET /api/v1/logs\\?.*: ECONNREFUSED$`,
          ),
        ),
      );
      expect(result.logs.filter((l) => /^could not reach Okta .*; retrying/.test(l.message))).toHaveLength(1);
    });
  });

  describe('when the host name does not resolve', () => {
    it('fails at once with CW_SOURCE_UNREACHABLE naming the host, without retrying', async () => {
      const host = 'acme.crosswalk-no-such-host.invalid';
      const result = await collect(userLifecycle, {
        ...configFor({ url: `https://${host}` } as FakeOkta),
        requests: { retries: 3, retryBaseDelayMs: 2_000 },
      });
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNREACHABLE')).toBe(true);
      expect((result.error as Error).message).toBe(
        `Okta is unreachable: the host name ${host} does not resolve (check the configured URL and this machine's DNS)`,
      );
      expect(result.logs.filter((l) => /retrying/.test(l.message))).toEqual([]);
    });
  });

  describe('when the credentials are wrong', () => {
    it('fails an expired API token (401 E0000011) with CW_SOURCE_AUTH, once per collector, the token nowhere', async () => {
      const server = await fake(acme(), { token: '00SomeOtherTokenTheServerAccepts000000000' });
      for (const collector of [policies, userLifecycle, usersSnapshot, accessReviews]) {
        const result = await collect(collector, configFor(server));
        expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH'), collector.id).toBe(true);
        expect((result.error as Error).message).toMatch(
          /^Okta rejected the credentials \(401 E0000011 Invalid token provided\) for GET \/\S+.*: the API token is invalid, expired or revoked/,
        );
        expect((result.error as { retryable: boolean }).retryable).toBe(false);
        expect(errorText(result.error)).not.toContain(TOKEN);
        expect(JSON.stringify(result.logs)).not.toContain(TOKEN);
      }
      // 401 is not retried: one request per collector.
      expect(server.requests).toHaveLength(4);
    });

    it('names the missing scope from the WWW-Authenticate challenge when Okta answers 403', async () => {
      const server = await fake(acme());
      const config = oauthConfigFor(server);
      const result = await collect(userLifecycle, {
        ...config,
        auth: { ...(config.auth as object), scopes: ['okta.users.read'] } as typeof config.auth,
      });
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((result.error as Error).message).toMatch(
        /^Okta refused GET \/api\/v1\/logs\?.* \(403 E0000006 You do not have permission.*\): missing scope okta\.logs\.read$/,
      );
    });

    it('explains a refused token request, and still collects what the granted scopes allow', async () => {
      const granted = ALL_SCOPES.filter((scope) => !scope.startsWith('okta.governance'));
      const server = await fake(acme(), {
        oauth: {
          clientId: SERVICE_APP.clientId,
          publicKey: SERVICE_APP.publicKeyPem,
          grantedScopes: granted,
        },
      });
      const reviews = await collect(accessReviews, oauthConfigFor(server));
      expect(isCrosswalkError(reviews.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((reviews.error as Error).message).toMatch(
        /^Okta refused POST \/oauth2\/v1\/token \(400 invalid_scope: The following scopes are not allowed: okta\.governance\.accessCertifications\.read\): grant the service app/,
      );
      // Each collector asks only for its own scopes, so the rest of the org is still collected.
      const snapshot = await collect(usersSnapshot, oauthConfigFor(server));
      expect(snapshot.error).toBeUndefined();
      expect(server.received('/oauth2/v1/token').map((r) => r.status)).toEqual([400, 200]);
    });

    it('refuses a private key the service app does not have (invalid_client), without the key in the error', async () => {
      const server = await fake(acme());
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const result = await collect(
        policies,
        oauthConfigFor(server, {
          auth: { kind: 'oauth', clientId: SERVICE_APP.clientId, privateKey: other },
        }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((result.error as Error).message).toContain(
        'Okta refused POST /oauth2/v1/token (401 invalid_client',
      );
      expect(errorText(result.error)).not.toContain('PRIVATE KEY');
      expect(errorText(result.error)).not.toContain(other.split('\n')[1]!);
    });

    it('asks for a new access token once when Okta stops accepting the one it has', async () => {
      const server = await fake(acme());
      // The issued token expires between two requests of the run.
      server.fault({
        path: '/api/v1/authenticators',
        ...invalidToken(),
        onHit: () => server.expireAccessTokens(),
      });
      const result = await collect(policies, oauthConfigFor(server));
      expect(result.error).toBeUndefined();
      expect(server.received('/oauth2/v1/token')).toHaveLength(2);
      expect(server.received('/api/v1/authenticators').map((r) => r.status)).toEqual([401, 200]);
    });
  });

  describe('provenance and secrets', () => {
    it('keeps path and query for people and drops parameters that could carry a credential', () => {
      expect(
        provenancePath(
          'https://acme.okta.com/api/v1/logs?since=2026-03-01T00%3A00%3A00.000Z&filter=eventType%20eq%20%22x%22&token=abc',
        ),
      ).toBe('/api/v1/logs?since=2026-03-01T00:00:00.000Z&filter=eventType eq "x"');
      expect(provenancePath('https://acme.okta.com/oauth2/v1/token?client_assertion=eyJ')).toBe(
        '/oauth2/v1/token',
      );
    });

    it('scrubs API tokens, bearer tokens, JWTs and private keys from any message', () => {
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIwb2EifQ.c2lnbmF0dXJlX2hlcmU';
      const text = `SSWS ${TOKEN} Bearer abc.def ${jwt} -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- 00${'x'.repeat(40)}`;
      const clean = redact(text, []);
      for (const secret of [TOKEN, 'abc.def', jwt, 'MIIE', `00${'x'.repeat(40)}`])
        expect(clean).not.toContain(secret);
      expect(redact('my secret value', ['secret value'])).toBe('my [redacted]');
    });

    it('refuses to send any request outside the configured org, whoever asks', async () => {
      const server = await fake(acme());
      const transport = new OktaTransport({
        origin: server.url,
        settings: requestSettings(parseOktaConfig(configFor(server))),
        recorder: new RequestRecorder(),
        log: silent,
        secrets: [TOKEN],
      });
      await expect(
        transport.fetch({
          url: 'http://127.0.0.2:9/api/v1/users',
          headers: { Authorization: `SSWS ${TOKEN}` },
        }),
      ).rejects.toMatchObject({
        code: 'CW_SOURCE_DATA',
        message: expect.stringContaining('refusing to send a request to 127.0.0.2:9/api/v1/users'),
      });
      expect(server.requests).toEqual([]);
    });
  });
});
