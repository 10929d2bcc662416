import { readFileSync } from 'node:fs';
import { runOnce, tempLocker } from '@crosswalk/connector-testkit';
import { isCrosswalkError } from '@crosswalk/core';
import { afterEach, describe, expect, it } from 'vitest';
import { githubConnector, parseGitHubConfig, VERSION } from '../src/index.js';
import type { FakeGitHub } from '../src/sandbox/index.js';
import { acme, errorText, NOW, startFake, TOKEN, WINDOW } from './helpers.js';

const valid = { type: 'github', org: 'acme', auth: { kind: 'token', token: TOKEN } };

function issuesOf(input: unknown): string[] {
  try {
    parseGitHubConfig(input);
  } catch (error) {
    expect(isCrosswalkError(error, 'CW_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).not.toContain(TOKEN);
    return (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
  }
  return [];
}

const started: FakeGitHub[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
});

describe('the GitHub connector config', () => {
  it('fills the defaults: github.com and GitHub-friendly request settings', () => {
    const config = parseGitHubConfig(valid);
    expect(config.baseUrl).toBe('https://api.github.com');
    expect(config.repositories).toBeUndefined();
    expect(
      parseGitHubConfig({ ...valid, baseUrl: 'https://ghe.acme.example/api/v3/', requests: {} }),
    ).toMatchObject({
      baseUrl: 'https://ghe.acme.example/api/v3',
      requests: { pageSize: 100, graphqlSpacingMs: 1000, maxRateLimitWaitSeconds: 3660, retries: 3 },
    });
  });

  it('accepts a GitHub App installation with numeric ids as numbers or strings', () => {
    const config = parseGitHubConfig({
      ...valid,
      auth: {
        kind: 'app',
        appId: '123',
        installationId: 456,
        privateKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
      },
    });
    expect(config.auth).toMatchObject({ kind: 'app', appId: 123, installationId: 456 });
  });

  it('rejects each malformed field by name', () => {
    expect(issuesOf({ ...valid, baseUrl: 'ftp://example' })).toEqual(['baseUrl']);
    expect(issuesOf({ ...valid, org: 'not an org' })).toEqual(['org']);
    expect(issuesOf({ ...valid, auth: { kind: 'token', token: '' } })).toEqual(['auth.token']);
    expect(
      issuesOf({ ...valid, auth: { kind: 'app', appId: 1, installationId: 2, privateKey: 'nope' } }),
    ).toEqual(['auth.privateKey']);
    expect(issuesOf({ ...valid, repositories: ['api', 'other-org/api'] })).toEqual(['repositories.1']);
    expect(issuesOf({ ...valid, requests: { pageSize: 500 } })).toEqual(['requests.pageSize']);
    expect(issuesOf({ ...valid, surprise: true })).toEqual(['(root)']);
    expect(issuesOf({ ...valid, collectors: { member_removed: { auditlog: false } } })).toEqual([
      'collectors.member_removed',
    ]);
  });

  it('never repeats a secret put in the wrong field', () => {
    expect(issuesOf({ ...valid, org: TOKEN.replace('ghp_', 'ghp-') + '-'.repeat(40) })).toEqual(['org']);
    expect(issuesOf({ ...valid, baseUrl: TOKEN })).toEqual(['baseUrl']);
  });

  it('refuses credentials in baseUrl, naming the field and never echoing the password', () => {
    const password = 'Sup3r-Secret-Enterprise-Password';
    for (const baseUrl of [
      `https://admin:${password}@ghe.acme.example/api/v3`,
      `https://${password}@ghe.acme.example/api/v3`,
      `https://ghe.acme.example/api/v3?access_token=${password}`,
    ]) {
      let caught: unknown;
      try {
        parseGitHubConfig({ ...valid, baseUrl });
      } catch (error) {
        caught = error;
      }
      expect(isCrosswalkError(caught, 'CW_CONFIG_INVALID')).toBe(true);
      expect((caught as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual([
        'baseUrl',
      ]);
      expect((caught as Error).message).toMatch(/baseUrl: must not carry (a user name or password|a query)/);
      expect(errorText(caught)).not.toContain(password);
    }
  });

  it('is rejected before any request is made', async () => {
    const server = await startFake(acme());
    started.push(server);
    const locker = await tempLocker('cw-github-config-', NOW);
    await expect(
      runOnce({
        connector: githubConnector,
        connectorId: 'github-acme',
        config: { ...valid, baseUrl: server.url, repositories: 'api' },
        locker,
        window: WINDOW,
        now: NOW,
      }),
    ).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [{ path: 'connectors.github-acme.repositories' }],
    });
    expect(server.requests).toEqual([]);
  });

  it('stamps the package version into provenance', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(githubConnector.version).toBe(VERSION);
    expect(githubConnector.collectors.map((c) => c.id)).toEqual([
      'pull_request_approvals',
      'branch_protection',
      'org_members',
      'member_removed',
    ]);
  });
});
