import { provenancePath } from '@crosswalk/connector-kit';
import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, RATE_LIMIT_WAIT_EVENT } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { deprovisioningTickets } from '../src/collectors/tickets.js';
import { redact } from '../src/errors.js';
import {
  API_TOKEN,
  acmeSite,
  collect,
  configFor,
  EMAIL,
  errorText,
  type FakeJiraOptions,
  startFakeJira,
  tooManyRequests,
} from './helpers.js';

const fake = closedAfterEach(
  (options: Partial<FakeJiraOptions> = {}, site: ReturnType<typeof acmeSite> = acmeSite()) =>
    startFakeJira(site, options),
);

const SEARCH = '/rest/api/3/search/jql';
const BASIC = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');

describe('the Jira client', () => {
  describe('when Jira rate-limits a request', () => {
    it('waits out a 429 for its Retry-After, and the record cites both attempts', async () => {
      const server = await fake();
      server.fault({ method: 'POST', path: SEARCH, ...tooManyRequests(1) });
      const started = Date.now();
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(result.error).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(server.received(SEARCH).map((r) => r.status)).toEqual([429, 200]);
      const requests = result.records[0]!.provenance.requests.filter((r) => r.path === SEARCH);
      expect(requests.map((r) => [r.status, r.requestId])).toEqual([
        [429, server.received(SEARCH)[0]!.requestId],
        [200, server.received(SEARCH)[1]!.requestId],
      ]);
      const wait = result.logs.find((l) => l.fields.event === RATE_LIMIT_WAIT_EVENT);
      expect(wait).toMatchObject({ level: 'warn', fields: { path: SEARCH, waitMs: 1000 } });
      expect(wait!.message).toMatch(
        /^Jira rate limit \(429\) for POST \/rest\/api\/3\/search\/jql; waiting 1s/,
      );
    });

    it('waits out a 503 the same way', async () => {
      const server = await fake();
      server.fault({ method: 'POST', path: SEARCH, ...tooManyRequests(0), status: 503 });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(result.error).toBeUndefined();
      expect(server.received(SEARCH).map((r) => r.status)).toEqual([503, 200]);
    });

    it('gives up with a retryable CW_SOURCE_UNAVAILABLE when Retry-After exceeds the allowed wait', async () => {
      const server = await fake();
      server.fault({ method: 'POST', path: SEARCH, ...tooManyRequests(120) });
      const result = await collect(
        deprovisioningTickets,
        configFor(server, { requests: { maxRateLimitWaitSeconds: 5 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as { retryable: boolean }).retryable).toBe(true);
      expect((result.error as Error).message).toContain('resets in 120s > 5s');
      expect(server.received(SEARCH)).toHaveLength(1);
    });
  });

  describe('when Jira fails', () => {
    it('fails with CW_SOURCE_UNAVAILABLE once the retries are spent', async () => {
      const server = await fake();
      server.fault({
        method: 'POST',
        path: SEARCH,
        status: 500,
        times: 5,
        body: { errorMessages: ['Oops'] },
      });
      const result = await collect(
        deprovisioningTickets,
        configFor(server, { requests: { retries: 1, backoffMs: 10 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as Error).message).toBe(`Jira failed (500 Oops) for POST ${SEARCH}`);
      expect(server.received(SEARCH)).toHaveLength(2);
    });

    it('fails with CW_SOURCE_UNAVAILABLE when Jira cannot be reached', async () => {
      // Started apart from the others: it is closed before the test ends.
      const server = await startFakeJira(acmeSite());
      const url = server.url;
      await server.close();
      const result = await collect(deprovisioningTickets, {
        ...configFor(server),
        siteUrl: url,
        requests: { retries: 1, backoffMs: 10 },
      });
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as Error).message).toMatch(
        /^could not reach Jira at 127\.0\.0\.1:\d+ for POST \/rest\/api\/3\/search\/jql/,
      );
    });
  });

  describe('when the host name does not resolve', () => {
    it('fails at once with CW_SOURCE_UNREACHABLE naming the host, without retrying', async () => {
      const server = await fake();
      const host = 'acme.crosswalk-no-such-host.invalid';
      const result = await collect(deprovisioningTickets, {
        ...configFor(server),
        siteUrl: `https://${host}`,
        requests: { retries: 3, backoffMs: 2_000 },
      });
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNREACHABLE')).toBe(true);
      expect((result.error as Error).message).toBe(
        `Jira is unreachable: the host name ${host} does not resolve (check the configured URL and this machine's DNS)`,
      );
      expect(result.logs.filter((l) => /retrying/.test(l.message))).toEqual([]);
    });
  });

  describe('when the credentials are wrong', () => {
    it('fails with CW_SOURCE_AUTH "Jira rejected the credentials", without the token anywhere', async () => {
      const server = await fake({
        basic: { email: EMAIL, apiToken: 'ATATT3xSomeOtherTokenTheSiteAccepts0000' },
      });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((result.error as Error).message).toMatch(
        /^Jira rejected the credentials \(401 Client must be authenticated to access this resource\.\)/,
      );
      const text = errorText(result.error);
      expect(text).not.toContain(API_TOKEN);
      expect(text).not.toContain(BASIC);
      expect(JSON.stringify(result.logs)).not.toContain(API_TOKEN);
      // 401 is not retried.
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.authorization).toBe(`Basic ${BASIC}`);
    });

    it('says which permission a 403 needs', async () => {
      const server = await fake();
      server.fault({
        method: 'POST',
        path: SEARCH,
        status: 403,
        body: { errorMessages: ['You do not have permission to view these issues.'], errors: {} },
      });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((result.error as Error).message).toContain('Browse projects');
      expect((result.error as Error).message).toContain('read:jira-work');
    });

    it('never echoes a credential Jira puts in its own message', async () => {
      const server = await fake();
      server.fault({
        method: 'POST',
        path: SEARCH,
        status: 400,
        body: {
          errorMessages: [`Header Authorization: Basic ${BASIC} is not allowed with token ${API_TOKEN}`],
        },
      });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(errorText(result.error)).not.toContain(API_TOKEN);
      expect(errorText(result.error)).not.toContain(BASIC);
      expect(
        redact('token ATATT3xAnotherLookingToken1234567890 and eyJhbGciOiJI.eyJzdWIiOiIx.c2ln', []),
      ).toBe('token [redacted] and [redacted]');
    });
  });

  describe('when Jira links elsewhere', () => {
    it('refuses to follow a changelog nextPage link to another host', async () => {
      const server = await fake();
      server.linkOrigin = 'http://evil.example';
      const result = await collect(
        deprovisioningTickets,
        configFor(server, { requests: { changelogPageSize: 10 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
      expect((result.error as Error).message).toContain(
        'refusing to send a request to evil.example/rest/api/3/issue/IT-8/changelog (changelog of IT-8): it is outside the configured Jira URL',
      );
      expect(server.received(/\/changelog$/)).toHaveLength(1);
    });

    it('does not follow a redirect', async () => {
      const server = await fake();
      server.fault({
        method: 'POST',
        path: SEARCH,
        status: 302,
        headers: { location: 'http://evil.example/' },
      });
      const result = await collect(deprovisioningTickets, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
      expect((result.error as Error).message).toMatch(/^Jira answered 302/);
    });
  });

  describe('with OAuth 2.0', () => {
    it('sends the bearer token to the API gateway path and links records to the site people browse', async () => {
      const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjcm9zc3dhbGsifQ.c2lnbmF0dXJlLXRoYXQtbXVzdC1ub3QtbGVhaw';
      const server = await fake({ bearer: token, prefix: '/ex/jira/11223344-a1b2-c3d4-e5f6-a1b2c3d4e5f6' });
      const result = await collect(
        deprovisioningTickets,
        configFor(server, {
          auth: { kind: 'oauth', accessToken: token },
          webUrl: 'https://acme.atlassian.net',
        }),
      );
      expect(result.error).toBeUndefined();
      expect(server.requests[0]!.authorization).toBe(`Bearer ${token}`);
      const record = result.records[0]!;
      expect(record.source.instance).toBe('acme.atlassian.net');
      expect(record.source.url).toBe(`https://acme.atlassian.net/browse/${record.source.ref}`);
      expect(record.provenance.requests[0]!.path).toBe(
        '/ex/jira/11223344-a1b2-c3d4-e5f6-a1b2c3d4e5f6/rest/api/3/search/jql',
      );
      expect(JSON.stringify(result.records)).not.toContain(token);
    });
  });

  it('keeps secrets out of provenance paths', () => {
    expect(
      provenancePath('https://x.example/rest/api/3/issue/IT-1/changelog?startAt=0&token=abc&os_password=p'),
    ).toBe('/rest/api/3/issue/IT-1/changelog?startAt=0');
  });
});
