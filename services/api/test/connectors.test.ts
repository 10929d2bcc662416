import type { AuditEntry } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startTestApp, type TestApp } from './helpers.js';

const TOKEN = 'ghp_ConnectorsTestTokenNeverShown0123456789';
const ROTATED = 'ghp_RotatedTokenAlsoNeverShown98765432100';
const SECRET = 'whsec-connectors-never-shown-0123';

describe.skipIf(!services)('Connectors', () => {
  let t: TestApp;
  const bodies: string[] = [];
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp({ db: 14 });
    adminId = t.tokens.admin.split('_')[1]!;
  });
  afterAll(() => t?.close());

  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    token?: string,
  ) {
    const response = await t.app.inject({
      method,
      url,
      headers: t.bearer(token ?? t.tokens.admin),
      ...(payload === undefined ? {} : { payload }),
    });
    bodies.push(response.body);
    return response;
  }

  async function audit(): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for await (const entry of t.runtime.locker.audit.list({
      from: '2000-01-01T00:00:00.000Z',
      to: '9999-01-01T00:00:00.000Z',
    }))
      entries.push(entry);
    return entries;
  }

  const valid = {
    id: 'github-acme',
    type: 'github',
    org: 'acme',
    auth: { kind: 'token', token: TOKEN },
    webhookSecret: SECRET,
    controlOwner: 'secops@acme.example',
  };

  describe('when a config is invalid', () => {
    it('answers 400 naming every bad field, in the body', async () => {
      const response = await call('POST', '/v1/connectors', {
        id: 'bad',
        type: 'github',
        org: '-not-a-login',
        repositories: ['other-org/api', 'ok'],
        auth: { kind: 'token' },
        webhookSecret: 'short',
        surprise: true,
      });
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('CW_CONFIG_INVALID');
      expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual(
        ['body', 'body.auth.token', 'body.org', 'body.webhookSecret'].sort(),
      );
      expect(error.issues.find((i: { path: string }) => i.path === 'body').message).toContain('surprise');
    });

    it('answers 400 for an unknown type, a missing type and a bad id', async () => {
      const unknown = await call('POST', '/v1/connectors', { id: 'x', type: 'bitbucket' });
      expect(unknown.json().error.issues).toEqual([
        { path: 'body.type', message: expect.stringContaining('github') },
      ]);
      const missing = await call('POST', '/v1/connectors', { id: 'x', org: 'acme' });
      expect(missing.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.type']);
      const badId = await call('POST', '/v1/connectors', { ...valid, id: '../etc' });
      expect(badId.statusCode).toBe(400);
      expect(badId.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.id']);
    });

    it('stores nothing', async () => {
      expect((await call('GET', '/v1/connectors')).json().connectors).toEqual([]);
    });
  });

  describe('when a connector is created', () => {
    it('answers 201 with credentials write-only and declares its schedules', async () => {
      const response = await call('POST', '/v1/connectors', valid);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        id: 'github-acme',
        type: 'github',
        config: {
          org: 'acme',
          auth: { kind: 'token', token: '[write-only]' },
          webhookSecret: '[write-only]',
        },
        createdBy: `key:${adminId}`,
      });
      const schedulers = await t.runtime.collectQueue.queue.getJobSchedulers(0, -1);
      expect(schedulers.map((s) => s.key).sort()).toEqual([
        'schedule|github-acme|branch_protection',
        'schedule|github-acme|member_removed',
        'schedule|github-acme|org_members',
        'schedule|github-acme|pull_request_approvals',
      ]);
    });

    it("answers each collector's next scheduled run to an operator", async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/connectors/github-acme/schedules',
        headers: t.bearer(t.tokens.operator),
      });
      expect(response.statusCode).toBe(200);
      const { schedules } = response.json() as {
        schedules: { collector: string; pattern: string; next: string | null }[];
      };
      expect(schedules.map((s) => s.collector)).toEqual([
        'branch_protection',
        'member_removed',
        'org_members',
        'pull_request_approvals',
      ]);
      for (const schedule of schedules) {
        expect(schedule.pattern).not.toBe('');
        expect(Date.parse(schedule.next!)).toBeGreaterThan(Date.now() - 1_000);
      }
      const unknown = await t.app.inject({
        method: 'GET',
        url: '/v1/connectors/nobody-here/schedules',
        headers: t.bearer(t.tokens.operator),
      });
      expect(unknown.statusCode).toBe(404);
    });

    it('answers 409 for the same id again', async () => {
      const response = await call('POST', '/v1/connectors', valid);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('CW_LOCKER_DUPLICATE');
    });

    it('keeps credentials encrypted at rest', async () => {
      const stored = await t.runtime.locker.store.get('config/connectors/github-acme.json');
      const text = Buffer.from(stored!).toString('utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
      expect(text).toContain('enc:v1:');
    });

    it('lists and reads it, credentials write-only', async () => {
      const list = await call('GET', '/v1/connectors');
      expect(list.json().connectors.map((c: { id: string }) => c.id)).toEqual(['github-acme']);
      const one = await call('GET', '/v1/connectors/github-acme');
      expect(one.json().config.auth.token).toBe('[write-only]');
      expect((await call('GET', '/v1/connectors/nobody')).statusCode).toBe(404);
    });
  });

  describe('when a connector is changed by merge patch', () => {
    it('replaces a credential, still write-only, and removes a field with null', async () => {
      const response = await call('PATCH', '/v1/connectors/github-acme', {
        auth: { token: ROTATED },
        controlOwner: null,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().config.auth.token).toBe('[write-only]');
      expect(response.json().config.controlOwner).toBeUndefined();
      const resolved = await t.runtime.configs.resolve('github-acme');
      expect((resolved.config.auth as { token: string }).token).toBe(ROTATED);
    });

    it('answers 400 naming the field a patch breaks, and for a changed id or type', async () => {
      const broken = await call('PATCH', '/v1/connectors/github-acme', { org: null, repositories: [] });
      expect(broken.statusCode).toBe(400);
      expect(
        broken
          .json()
          .error.issues.map((i: { path: string }) => i.path)
          .sort(),
      ).toEqual(['body.org', 'body.repositories']);
      const renamed = await call('PATCH', '/v1/connectors/github-acme', { id: 'other' });
      expect(renamed.json().error.issues).toEqual([{ path: 'body.id', message: 'cannot change' }]);
      const retyped = await call('PATCH', '/v1/connectors/github-acme', { type: 'okta' });
      expect(retyped.statusCode).toBe(400);
    });
  });

  describe('collecting now', () => {
    it('enqueues one job per collector, triggered manually by the key', async () => {
      const operatorId = t.tokens.operator.split('_')[1]!;
      const response = await call(
        'POST',
        '/v1/connectors/github-acme/collect',
        { collectors: ['org_members', 'branch_protection'], since: '2026-03-01', until: '2026-03-08' },
        t.tokens.operator,
      );
      expect(response.statusCode).toBe(202);
      const { jobs } = response.json();
      expect(jobs.map((j: { collector: string }) => j.collector)).toEqual([
        'org_members',
        'branch_protection',
      ]);
      const job = await t.runtime.collectQueue.queue.getJob(jobs[0].jobId);
      expect(job?.data).toEqual({
        connectorId: 'github-acme',
        collector: 'org_members',
        window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' },
        filter: {},
        trigger: { type: 'manual', by: `key:${operatorId}` },
      });
      expect(jobs[0].state).toBe('waiting');
    });

    it('enqueues every collector without a body', async () => {
      const response = await call('POST', '/v1/connectors/github-acme/collect', undefined, t.tokens.operator);
      expect(response.statusCode).toBe(202);
      expect(response.json().jobs).toHaveLength(4);
    });

    it('answers 400 for an unknown collector or half a window, 404 for an unknown connector', async () => {
      const unknown = await call('POST', '/v1/connectors/github-acme/collect', { collectors: ['nope'] });
      expect(unknown.json().error.issues[0].path).toBe('body.collectors.0');
      const half = await call('POST', '/v1/connectors/github-acme/collect', { since: '2026-03-01' });
      expect(half.json().error.issues).toEqual([
        { path: 'body.until', message: 'since and until go together' },
      ]);
      expect((await call('POST', '/v1/connectors/nobody/collect', {})).statusCode).toBe(404);
    });
  });

  describe('when a connector is deleted', () => {
    it('answers 204, removes its schedules, and then 404', async () => {
      expect((await call('DELETE', '/v1/connectors/github-acme')).statusCode).toBe(204);
      expect(await t.runtime.collectQueue.queue.getJobSchedulers(0, -1)).toEqual([]);
      expect((await call('GET', '/v1/connectors/github-acme')).statusCode).toBe(404);
      expect((await call('DELETE', '/v1/connectors/github-acme')).statusCode).toBe(404);
    });
  });

  it('writes every change to the audit trail with the key as actor and field names only', async () => {
    const entries = await audit();
    const changes = entries.filter((e) => e.action.startsWith('connector.'));
    expect(changes.map((e) => [e.action, e.target, e.actor])).toEqual([
      ['connector.create', 'github-acme', `key:${adminId}`],
      ['connector.update', 'github-acme', `key:${adminId}`],
      ['connector.delete', 'github-acme', `key:${adminId}`],
    ]);
    expect(changes[0]!.details.fields).toContain('auth.token');
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  });

  describe('when a collector is not configured', () => {
    // A Jira kind without JQL has nothing to collect: a schedule for it would store empty runs every day.
    const jira = {
      id: 'jira-acme',
      type: 'jira',
      siteUrl: 'https://acme.atlassian.net',
      auth: { kind: 'basic', email: 'bot@acme.example', apiToken: 'jira-connectors-test-token-0123' },
      kinds: { deprovisioning: { jql: 'project = IT AND issuetype = Offboarding' } },
    };
    const jiraSchedules = async () =>
      (await t.runtime.collectQueue.queue.getJobSchedulers(0, -1))
        .map((s) => s.key)
        .filter((key) => key.includes('|jira-acme|'))
        .sort();

    it('schedules only the configured kinds on create, and follows the config on update', async () => {
      expect((await call('POST', '/v1/connectors', jira)).statusCode).toBe(201);
      expect(await jiraSchedules()).toEqual(['schedule|jira-acme|deprovisioning_tickets']);
      const patched = await call('PATCH', '/v1/connectors/jira-acme', {
        kinds: { accessReview: { jql: 'project = SEC AND labels = access-review' } },
      });
      expect(patched.statusCode).toBe(200);
      expect(await jiraSchedules()).toEqual([
        'schedule|jira-acme|access_review_tickets',
        'schedule|jira-acme|deprovisioning_tickets',
      ]);
      const dropped = await call('PATCH', '/v1/connectors/jira-acme', { kinds: { deprovisioning: null } });
      expect(dropped.statusCode).toBe(200);
      expect(await jiraSchedules()).toEqual(['schedule|jira-acme|access_review_tickets']);
      expect((await call('DELETE', '/v1/connectors/jira-acme')).statusCode).toBe(204);
    });
  });

  it('never puts a credential in a response or a log line', () => {
    expect(bodies.length).toBeGreaterThan(10);
    // Request logging is on: every request was logged, with its id.
    expect(t.logs.filter((line) => line.includes('"msg":"request completed"')).length).toBeGreaterThan(10);
    expect(t.logs.find((line) => line.includes('request completed'))).toMatch(/"reqId":"[0-9a-f-]{36}"/);
    for (const text of [...bodies, ...t.logs]) {
      for (const secret of [TOKEN, ROTATED, SECRET, t.tokens.admin, t.tokens.operator]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});
