import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { runOnce, tempLocker } from '@crosswalk/connector-testkit';
import { isCrosswalkError } from '@crosswalk/core';
import { afterEach, describe, expect, it } from 'vitest';
import { configSecrets } from '../src/config.js';
import { jiraConnector, parseJiraConfig, VERSION } from '../src/index.js';
import { API_TOKEN, acmeSite, type FakeJira, NOW, startFakeJira, WINDOW } from './helpers.js';

const valid = {
  type: 'jira',
  siteUrl: 'https://acme.atlassian.net/',
  auth: { kind: 'basic', email: 'bot@acme.example', apiToken: API_TOKEN },
  kinds: { deprovisioning: { jql: 'project = IT', subjectPattern: '^Offboard (?<subject>\\S+)' } },
};

function issuesOf(input: unknown): string[] {
  try {
    parseJiraConfig(input);
  } catch (error) {
    expect(isCrosswalkError(error, 'CW_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).not.toContain(API_TOKEN);
    return (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
  }
  return [];
}

function messageOf(input: unknown): string {
  try {
    parseJiraConfig(input);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

const started: FakeJira[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
});

describe('the Jira connector config', () => {
  it('fills the defaults and trims the site URL', () => {
    const config = parseJiraConfig({ ...valid, requests: {} });
    expect(config.siteUrl).toBe('https://acme.atlassian.net');
    expect(config.requests).toEqual({
      pageSize: 100,
      changelogPageSize: 100,
      maxRateLimitWaitSeconds: 300,
      retries: 4,
      backoffMs: 1000,
      timeoutMs: 30_000,
    });
  });

  it('accepts an OAuth 2.0 token against the API gateway, with the site for links', () => {
    const config = parseJiraConfig({
      ...valid,
      siteUrl: 'https://api.atlassian.com/ex/jira/11223344-a1b2-c3d4-e5f6-a1b2c3d4e5f6',
      webUrl: 'https://acme.atlassian.net',
      auth: { kind: 'oauth', accessToken: 'eyJ.token' },
    });
    expect(config.auth.kind).toBe('oauth');
  });

  it('rejects each malformed field by name', () => {
    expect(issuesOf({ ...valid, siteUrl: 'ftp://acme' })).toEqual(['siteUrl']);
    expect(issuesOf({ ...valid, siteUrl: 'https://acme.atlassian.net/?x=1' })).toEqual(['siteUrl']);
    expect(issuesOf({ ...valid, auth: { kind: 'basic', email: 'bot', apiToken: API_TOKEN } })).toEqual([
      'auth.email',
    ]);
    expect(issuesOf({ ...valid, auth: { kind: 'basic', email: 'bot@acme.example', apiToken: '' } })).toEqual([
      'auth.apiToken',
    ]);
    expect(issuesOf({ ...valid, auth: { kind: 'password', password: 'x' } })).toEqual(['auth.kind']);
    expect(issuesOf({ ...valid, kinds: {} })).toEqual(['kinds']);
    expect(new Set(issuesOf({ ...valid, kinds: { offboarding: { jql: 'x' } } }))).toEqual(new Set(['kinds']));
    expect(issuesOf({ ...valid, kinds: { deprovisioning: { jql: ' ' } } })).toEqual([
      'kinds.deprovisioning.jql',
    ]);
    expect(
      issuesOf({ ...valid, kinds: { provisioning: { jql: 'x', subjectField: 'no spaces allowed' } } }),
    ).toEqual(['kinds.provisioning.subjectField']);
    expect(issuesOf({ ...valid, kinds: { accessReview: { jql: 'x', approvedStatuses: [] } } })).toEqual([
      'kinds.accessReview.approvedStatuses',
    ]);
    expect(issuesOf({ ...valid, requests: { pageSize: 0 } })).toEqual(['requests.pageSize']);
    expect(issuesOf({ ...valid, surprise: true })).toEqual(['(root)']);
  });

  it('rejects a JQL with its own ORDER BY, but not the words inside a quoted string', () => {
    expect(
      messageOf({ ...valid, kinds: { deprovisioning: { jql: 'project = IT order  by key' } } }),
    ).toContain('kinds.deprovisioning.jql: must not contain ORDER BY');
    expect(issuesOf({ ...valid, kinds: { deprovisioning: { jql: 'summary ~ "order by"' } } })).toEqual([]);
  });

  it('rejects a subject pattern that does not compile, or has no group named subject', () => {
    expect(
      messageOf({ ...valid, kinds: { deprovisioning: { jql: 'x', subjectPattern: '(?<subject>[a-' } } }),
    ).toMatch(
      /kinds\.deprovisioning\.subjectPattern: does not compile as a regular expression: Invalid regular expression/,
    );
    expect(
      messageOf({ ...valid, kinds: { deprovisioning: { jql: 'x', subjectPattern: '^Offboard (\\S+)' } } }),
    ).toContain('kinds.deprovisioning.subjectPattern: must have a named group "subject"');
    expect(
      issuesOf({
        ...valid,
        kinds: { deprovisioning: { jql: 'x', subjectPattern: '^(?:Leaver: (?<subject>\\S+)|Other)' } },
      }),
    ).toEqual([]);
  });

  it('refuses credentials in siteUrl and webUrl, naming the field and never echoing the password', () => {
    const password = 'Sup3r-Secret-Site-Password';
    for (const field of ['siteUrl', 'webUrl']) {
      for (const url of [
        `https://bot:${password}@acme.atlassian.net`,
        `https://${password}@acme.atlassian.net`,
      ]) {
        let caught: unknown;
        try {
          parseJiraConfig({ ...valid, [field]: url });
        } catch (error) {
          caught = error;
        }
        expect(isCrosswalkError(caught, 'CW_CONFIG_INVALID')).toBe(true);
        expect((caught as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual([field]);
        expect((caught as Error).message).toContain(`${field}: must not carry a user name or password`);
        expect(
          `${JSON.stringify((caught as { toJSON(): unknown }).toJSON())} ${inspect(caught, { depth: 10 })}`,
        ).not.toContain(password);
      }
    }
  });

  it('takes assetReturn on the deprovisioning kind only', () => {
    const deprovisioning = { jql: 'project = IT', subjectPattern: '^Offboard (?<subject>\\S+)' };
    expect(
      parseJiraConfig({ ...valid, kinds: { deprovisioning: { ...deprovisioning, assetReturn: true } } }).kinds
        .deprovisioning?.assetReturn,
    ).toBe(true);
    expect(
      issuesOf({ ...valid, kinds: { deprovisioning, provisioning: { jql: 'x', assetReturn: true } } }),
    ).toEqual(['kinds.provisioning.assetReturn']);
    expect(
      issuesOf({ ...valid, kinds: { deprovisioning: { ...deprovisioning, assetReturn: 'yes' } } }),
    ).toEqual(['kinds.deprovisioning.assetReturn']);
  });

  it('never repeats a secret put in the wrong field', () => {
    expect(messageOf({ ...valid, siteUrl: API_TOKEN })).not.toContain(API_TOKEN);
    expect(messageOf({ ...valid, auth: { kind: 'basic', email: API_TOKEN, apiToken: 'x' } })).not.toContain(
      API_TOKEN,
    );
  });

  it('takes the admin webhook secret as webhookSecret: 16 characters at least, scrubbed like any secret', () => {
    const secret = 'jira-webhook-secret-0123456789';
    const config = parseJiraConfig({ ...valid, webhookSecret: secret });
    expect(config.webhookSecret).toBe(secret);
    expect(configSecrets(config)).toContain(secret);
    expect(configSecrets(parseJiraConfig(valid))).toHaveLength(2);
    expect(issuesOf({ ...valid, webhookSecret: 'short' })).toEqual(['webhookSecret']);
  });

  it('is rejected before any request is made', async () => {
    const server = await startFakeJira(acmeSite());
    started.push(server);
    const locker = await tempLocker('cw-jira-config-', NOW);
    await expect(
      runOnce({
        connector: jiraConnector,
        connectorId: 'jira-acme',
        config: {
          ...valid,
          siteUrl: server.url,
          kinds: { deprovisioning: { jql: 'project = IT', subjectPattern: '(' } },
        },
        locker,
        window: WINDOW,
        now: NOW,
      }),
    ).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [{ path: 'connectors.jira-acme.kinds.deprovisioning.subjectPattern' }],
    });
    expect(server.requests).toEqual([]);
  });

  it('stamps the package version into provenance', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
    expect(jiraConnector.version).toBe(VERSION);
    expect(jiraConnector.collectors.map((c) => [c.id, c.kind])).toEqual([
      ['deprovisioning_tickets', 'jira.deprovisioning_ticket'],
      ['provisioning_tickets', 'jira.provisioning_ticket'],
      ['access_review_tickets', 'jira.access_review_ticket'],
    ]);
  });
});
