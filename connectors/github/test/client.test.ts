import { generateKeyPairSync } from 'node:crypto';
import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { graphqlUrlFor, webUrlFor } from '../src/client.js';
import { orgMembers } from '../src/collectors/org-members.js';
import { pullRequestApprovals } from '../src/collectors/pull-request-approvals.js';
import { redact } from '../src/errors.js';
import { primaryRateLimit, secondaryRateLimit } from '../src/sandbox/index.js';
import { acme, collect, configFor, errorText, startFake, TOKEN } from './helpers.js';

const fake = closedAfterEach((options: Parameters<typeof startFake>[1] = {}) => startFake(acme(), options));

describe('the GitHub client', () => {
  describe('when GitHub rate-limits a request', () => {
    it('waits out a secondary limit (403 with Retry-After) and the run recovers', async () => {
      const server = await fake();
      server.fault({ path: '/orgs/acme/members', ...secondaryRateLimit(1) });
      const result = await collect(orgMembers, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.drafts).toHaveLength(1);
      const requests = result.drafts[0]!.requests.filter((r) => r.path.startsWith('/orgs/acme/members?'));
      // The refused attempt is part of the provenance, followed by the attempt that answered.
      expect(requests.map((r) => r.status).slice(0, 2)).toEqual([403, 200]);
      expect(result.logs.some((l) => l.level === 'warn' && /secondary rate limit/.test(l.message))).toBe(
        true,
      );
    });

    it('waits for the primary limit to reset (x-ratelimit-remaining 0)', async () => {
      const server = await fake();
      server.fault({ method: 'POST', path: '/graphql', ...primaryRateLimit(1) });
      const result = await collect(pullRequestApprovals, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.drafts.length).toBeGreaterThan(0);
      expect(
        server
          .received('/graphql')
          .map((r) => r.status)
          .slice(0, 2),
      ).toEqual([403, 200]);
    });

    it("waits out GraphQL's RATE_LIMITED error, which GitHub sends in a 200, until the reset", async () => {
      const server = await fake();
      const limited = primaryRateLimit(1);
      server.fault({
        method: 'POST',
        path: '/graphql',
        status: 200,
        headers: limited.headers!,
        body: {
          data: null,
          errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }],
        },
      });
      const result = await collect(pullRequestApprovals, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.drafts.length).toBeGreaterThan(0);
      // Both attempts are in the first record's provenance: the limited one, then the one that answered.
      expect(result.drafts[0]!.requests.slice(0, 2).map((r) => [r.path, r.status])).toEqual([
        ['/graphql', 200],
        ['/graphql', 200],
      ]);
      expect(result.logs.some((l) => l.level === 'warn' && /GraphQL rate limit/.test(l.message))).toBe(true);
    });

    it('gives up with a retryable CW_SOURCE_UNAVAILABLE when the wait would exceed the configured ceiling', async () => {
      const server = await fake();
      server.fault({ path: '/orgs/acme', ...secondaryRateLimit(120) });
      const result = await collect(
        orgMembers,
        configFor(server, { requests: { maxRateLimitWaitSeconds: 5 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((result.error as { retryable: boolean }).retryable).toBe(true);
    });
  });

  describe('when GitHub fails', () => {
    it('retries a 5xx and succeeds', async () => {
      const server = await fake();
      server.fault({ method: 'POST', path: '/graphql', status: 502, body: { message: 'Server Error' } });
      const result = await collect(pullRequestApprovals, configFor(server));
      expect(result.error).toBeUndefined();
      expect(
        server
          .received('/graphql')
          .map((r) => r.status)
          .slice(0, 2),
      ).toEqual([502, 200]);
    });

    it('fails with CW_SOURCE_UNAVAILABLE once the retries are spent', async () => {
      const server = await fake();
      server.fault({ path: '/orgs/acme', status: 503, times: 10, body: { message: 'Service Unavailable' } });
      const result = await collect(orgMembers, configFor(server, { requests: { retries: 1 } }));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect(server.received('/orgs/acme').filter((r) => r.path === '/orgs/acme')).toHaveLength(2);
    });
  });

  describe('when the host name does not resolve', () => {
    it('fails at once with CW_SOURCE_UNREACHABLE naming the host, without retrying', async () => {
      const host = 'api.crosswalk-no-such-host.invalid';
      const started = Date.now();
      const result = await collect(orgMembers, {
        type: 'github',
        org: 'acme',
        baseUrl: `https://${host}`,
        auth: { kind: 'token', token: TOKEN },
        controlOwner: 'secops@acme.example',
        requests: { retries: 3 },
      });
      // Octokit's retries (1 s, 4 s, 9 s) would take 14 s or more; a lookup that fails takes well under.
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(isCrosswalkError(result.error, 'CW_SOURCE_UNREACHABLE')).toBe(true);
      expect((result.error as Error).message).toBe(
        `GitHub is unreachable: the host name ${host} does not resolve (check the configured URL and this machine's DNS)`,
      );
      expect(errorText(result.error)).not.toContain(TOKEN);
      expect(result.logs.filter((l) => /retry/i.test(l.message))).toEqual([]);
    });
  });

  describe('when the credentials are wrong', () => {
    it('fails with CW_SOURCE_AUTH "GitHub rejected the credentials", without the token anywhere', async () => {
      const server = await fake({ token: 'ghp_SomeOtherTokenTheServerAccepts00000000' });
      for (const collector of [orgMembers, pullRequestApprovals]) {
        const result = await collect(collector, configFor(server));
        expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
        expect((result.error as Error).message).toMatch(
          /^GitHub rejected the credentials \(401 Bad credentials\)/,
        );
        expect(errorText(result.error)).not.toContain(TOKEN);
        expect(JSON.stringify(result.logs)).not.toContain(TOKEN);
      }
      // 401 is not retried: one attempt per collector.
      expect(server.requests).toHaveLength(2);
    });

    it('names the missing permission from x-accepted-github-permissions on a 403', async () => {
      const server = await fake();
      server.fault({
        path: '/orgs/acme/members',
        status: 403,
        headers: { 'x-accepted-github-permissions': 'members=read' },
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
        },
      });
      const result = await collect(orgMembers, configFor(server));
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      expect((result.error as Error).message).toContain('missing permission members=read');
      expect(errorText(result.error)).not.toContain(TOKEN);
    });

    it('names the missing scope from x-accepted-oauth-scopes for a classic token', async () => {
      const server = await fake();
      server.fault({
        path: '/orgs/acme',
        status: 403,
        headers: { 'x-accepted-oauth-scopes': 'admin:org, read:org', 'x-oauth-scopes': 'repo' },
        body: {
          message: 'Must have admin rights to Repository.',
          documentation_url: 'https://docs.github.com/rest',
        },
      });
      const result = await collect(orgMembers, configFor(server));
      expect((result.error as Error).message).toContain(
        'missing scope: needs one of admin:org, read:org (the token has: repo)',
      );
    });
  });

  describe('when paginating', () => {
    it('follows Link headers across several pages', async () => {
      const server = await fake();
      const result = await collect(
        orgMembers,
        configFor(server, { requests: { pageSize: 1, graphqlSpacingMs: 0 } }),
      );
      expect(result.error).toBeUndefined();
      const memberPages = server.received(/^\/orgs\/acme\/members\?.*role=member/);
      expect(memberPages.length).toBe(3);
      expect(result.drafts[0]!.payload).toMatchObject({
        members: expect.arrayContaining([expect.anything()]),
      });
    });

    it('refuses a Link to another host: CW_SOURCE_DATA naming it, and no request goes there', async () => {
      const server = await fake();
      const elsewhere = await fake();
      server.linkOrigin = elsewhere.origin;
      const result = await collect(
        orgMembers,
        configFor(server, { requests: { pageSize: 1, graphqlSpacingMs: 0 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
      expect((result.error as Error).message).toContain(
        `refusing to send a request to ${new URL(elsewhere.origin).host}`,
      );
      expect(elsewhere.requests).toHaveLength(0);
    });
  });

  describe('on GitHub Enterprise Server', () => {
    it('serves REST under /api/v3 and GraphQL at /api/graphql', async () => {
      const server = await fake({ prefix: '/api/v3' });
      expect(server.url).toMatch(/\/api\/v3$/);
      const members = await collect(orgMembers, configFor(server));
      const pulls = await collect(pullRequestApprovals, configFor(server));
      expect(members.error).toBeUndefined();
      expect(pulls.error).toBeUndefined();
      expect(pulls.drafts.length).toBeGreaterThan(0);
      expect(pulls.drafts[0]!.requests[0]).toMatchObject({
        method: 'POST',
        path: '/api/graphql',
        status: 200,
      });
      expect(members.drafts[0]!.requests[0]!.path).toBe('/api/v3/orgs/acme');
    });

    it('derives the GraphQL and web URLs from the REST base URL', () => {
      expect(graphqlUrlFor('https://api.github.com')).toBe('https://api.github.com/graphql');
      expect(graphqlUrlFor('https://ghe.acme.example/api/v3')).toBe('https://ghe.acme.example/api/graphql');
      expect(webUrlFor('https://api.github.com')).toBe('https://github.com');
      expect(webUrlFor('https://ghe.acme.example/api/v3')).toBe('https://ghe.acme.example');
      expect(webUrlFor('https://api.acme.ghe.com')).toBe('https://acme.ghe.com');
    });
  });

  describe('as a GitHub App installation', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });

    it('signs a JWT with the private key, buys an installation token and uses it', async () => {
      const server = await fake({ app: { appId: 123, installationId: 456, publicKey } });
      const result = await collect(
        orgMembers,
        configFor(server, { auth: { kind: 'app', appId: 123, privateKey, installationId: '456' } }),
      );
      expect(result.error).toBeUndefined();
      const tokenRequest = server.received('/app/installations/456/access_tokens');
      expect(tokenRequest.map((r) => r.status)).toEqual([201]);
      const orgRequest = server.received('/orgs/acme')[0]!;
      expect(orgRequest.authorization).toMatch(/^token ghs_/);
    });

    it('keeps the private key out of the error when GitHub refuses the App', async () => {
      const server = await fake({ app: { appId: 123, installationId: 456, publicKey } });
      const result = await collect(
        orgMembers,
        configFor(server, { auth: { kind: 'app', appId: 123, privateKey, installationId: 999 } }),
      );
      expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
      const text = errorText(result.error);
      expect(text).not.toContain(privateKey.split('\n')[1]!);
      expect(text).not.toContain('PRIVATE KEY');
    });
  });
});

describe('redaction', () => {
  it('removes configured secrets, GitHub token shapes and PEM keys from text', () => {
    const text = redact(
      `token ${TOKEN} and ghs_abcdefghijklmnopqrstuvwxyz0123 and -----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- and hunter22`,
      ['hunter22'],
    );
    expect(text).toBe('token [redacted] and [redacted] and [redacted] and [redacted]');
  });
});
