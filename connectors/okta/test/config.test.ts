import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { fixedClock, isCrosswalkError } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterEach, describe, expect, it } from 'vitest';
import { configSecrets } from '../src/config.js';
import { oktaConnector, parseOktaConfig, VERSION } from '../src/index.js';
import type { FakeOkta } from '../src/sandbox/index.js';
import { acme, NOW, SERVICE_APP, startFake, TOKEN, WINDOW } from './helpers.js';

const valid = { type: 'okta', orgUrl: 'https://acme.okta.com', auth: { kind: 'token', token: TOKEN } };

function issuesOf(input: unknown): string[] {
  try {
    parseOktaConfig(input);
  } catch (error) {
    expect(isCrosswalkError(error, 'CW_CONFIG_INVALID')).toBe(true);
    const text = JSON.stringify((error as { toJSON(): unknown }).toJSON());
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('PRIVATE KEY');
    return (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
  }
  return [];
}

const started: FakeOkta[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
});

describe('the Okta connector config', () => {
  it('fills the defaults: Okta-sized pages, minute-long rate-limit waits, and the origin of the org URL', () => {
    const config = parseOktaConfig({ ...valid, orgUrl: 'https://acme.okta.com/', requests: {} });
    expect(config.orgUrl).toBe('https://acme.okta.com');
    expect(config.requests).toEqual({
      logPageSize: 1000,
      pageSize: 200,
      maxRateLimitWaitSeconds: 120,
      retries: 3,
      retryBaseDelayMs: 1000,
      timeoutMs: 60_000,
    });
    expect(
      parseOktaConfig({ ...valid, collectors: { access_reviews: {} } }).collectors?.access_reviews,
    ).toEqual({
      governance: true,
      completionGraceDays: 7,
    });
  });

  it('accepts an OAuth service app with its private key as PEM, as a JWK object, or as a JWK in a string', () => {
    const oauth = { kind: 'oauth', clientId: SERVICE_APP.clientId };
    for (const privateKey of [
      SERVICE_APP.privateKeyPem,
      SERVICE_APP.privateKeyJwk,
      JSON.stringify(SERVICE_APP.privateKeyJwk),
    ]) {
      expect(parseOktaConfig({ ...valid, auth: { ...oauth, privateKey } }).auth.kind).toBe('oauth');
    }
  });

  it('rejects each malformed field by name, without echoing its value', () => {
    expect(issuesOf({ ...valid, orgUrl: 'acme.okta.com' })).toEqual(['orgUrl']);
    // Two rules broken (a path, a query), both on orgUrl.
    expect(issuesOf({ ...valid, orgUrl: `https://acme.okta.com/api/v1?token=${TOKEN}` })).toEqual([
      'orgUrl',
      'orgUrl',
    ]);
    expect(issuesOf({ ...valid, orgUrl: `https://admin:${TOKEN}@acme.okta.com` })).toEqual(['orgUrl']);
    expect(issuesOf({ ...valid, auth: { kind: 'token', token: ' ' } })).toEqual(['auth.token']);
    expect(issuesOf({ ...valid, auth: { kind: 'ssws', token: TOKEN } })).toEqual(['auth.kind']);
    expect(
      issuesOf({
        ...valid,
        auth: {
          kind: 'oauth',
          clientId: 'x',
          privateKey: `-----BEGIN PRIVATE KEY-----\n${TOKEN}\n-----END PRIVATE KEY-----`,
        },
      }),
    ).toEqual(['auth.privateKey']);
    expect(
      issuesOf({
        ...valid,
        auth: { kind: 'oauth', clientId: 'x', privateKey: SERVICE_APP.privateKeyPem, scopes: ['users:read'] },
      }),
    ).toEqual(['auth.scopes.0']);
    expect(issuesOf({ ...valid, requests: { logPageSize: 5000 } })).toEqual(['requests.logPageSize']);
    expect(
      issuesOf({ ...valid, collectors: { user_lifecycle: { eventTypes: ['user deactivated'] } } }),
    ).toEqual(['collectors.user_lifecycle.eventTypes.0']);
    expect(issuesOf({ ...valid, collectors: { policies: { type: ['OKTA_SIGN_ON'] } } })).toEqual([
      'collectors.policies',
    ]);
    expect(issuesOf({ ...valid, surprise: true })).toEqual(['(root)']);
  });

  it('refuses plain http except for a loopback test server, so a credential never crosses a network in the clear', () => {
    expect(issuesOf({ ...valid, orgUrl: 'http://acme.okta.com' })).toEqual(['orgUrl']);
    expect(issuesOf({ ...valid, orgUrl: 'http://127.0.0.1:8080' })).toEqual([]);
    expect(issuesOf({ ...valid, orgUrl: 'http://localhost:8080' })).toEqual([]);
  });

  it('takes only RSA keys: the SDK signs its DPoP proofs with RS256', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(issuesOf({ ...valid, auth: { kind: 'oauth', clientId: 'x', privateKey: pem } })).toEqual([
      'auth.privateKey',
    ]);
  });

  it("takes the event hook's Authorization value as webhookSecret: 16 characters at least, scrubbed like any secret", () => {
    const hook = 'Basic YWRtaW46c3VwZXJzZWNyZXQ=';
    const config = parseOktaConfig({ ...valid, webhookSecret: hook });
    expect(config.webhookSecret).toBe(hook);
    expect(configSecrets(config)).toEqual([TOKEN, hook]);
    expect(configSecrets(parseOktaConfig(valid))).toEqual([TOKEN]);
    expect(issuesOf({ ...valid, webhookSecret: 'short' })).toEqual(['webhookSecret']);
    expect(issuesOf({ ...valid, webhookSecret: 42 })).toEqual(['webhookSecret']);
  });

  it('is rejected by the runner before any request is made, naming the field under the connector id', async () => {
    const server = await startFake(acme());
    started.push(server);
    const locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-okta-config-'))), {
      clock: fixedClock(NOW),
    });
    const attempt = runConnector({
      connector: oktaConnector,
      connectorId: 'okta-acme',
      config: {
        type: 'okta',
        orgUrl: server.url,
        auth: { kind: 'token', token: TOKEN },
        requests: { retries: -1 },
      },
      locker,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [{ path: 'connectors.okta-acme.requests.retries' }],
    });
    expect(server.requests).toEqual([]);
  });

  it("stamps records with the package's version", () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(manifest.version);
    expect(oktaConnector.version).toBe(VERSION);
    expect(oktaConnector.collectors.map((c) => [c.id, c.kind])).toEqual([
      ['policies', 'okta.policy'],
      ['user_lifecycle', 'okta.user_lifecycle'],
      ['users_snapshot', 'okta.users_snapshot'],
      ['access_reviews', 'okta.access_review'],
    ]);
  });
});
