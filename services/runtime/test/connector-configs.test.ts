import type { AuditEntry, Locker } from '@crosswalk/locker';
import { ConnectorConfigs, SecretBox, WRITE_ONLY } from '@crosswalk/runtime';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { everyObject, newSecretKey, rawObject, s3, s3Locker } from './helpers.js';

const TOKEN = 'ghp_TestTokenThatMustNeverLeak0123456789';
const ROTATED = 'ghp_RotatedTokenThatMustNeverLeakEither01';
const EVER = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };

const github = (extra: Record<string, unknown> = {}) => ({
  type: 'github',
  org: 'acme',
  auth: { kind: 'token', token: TOKEN },
  controlOwner: 'secops@acme.example',
  ...extra,
});

async function auditOf(locker: Locker, target: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of locker.audit.list(EVER)) if (entry.target === target) entries.push(entry);
  return entries;
}

describe.skipIf(!s3)('ConnectorConfigs (S3 locker)', () => {
  let locker: Locker;
  let bucket: string;
  let configs: ConnectorConfigs;
  let box: SecretBox;

  beforeAll(async () => {
    ({ locker, bucket } = await s3Locker());
    box = new SecretBox(newSecretKey());
    configs = new ConnectorConfigs(locker, box);
  });

  describe('when a connector is created', () => {
    it('keeps the credential sealed in the stored object: the raw bytes never hold the token', async () => {
      await configs.create('gh-sealed', github(), 'key:admin1');
      const raw = await rawObject(bucket, 'config/connectors/gh-sealed.json');
      expect(raw).not.toContain(TOKEN);
      const stored = JSON.parse(raw);
      expect(stored.config.auth.token).toMatch(/^enc:v1:/);
      // Everything that is not a credential stays readable, for an operator looking at the bucket.
      expect(stored.config.org).toBe('acme');
      expect(stored).toMatchObject({ id: 'gh-sealed', type: 'github', createdBy: 'key:admin1' });
    });

    it('shows credentials as write-only to every reader, and only the worker gets the value', async () => {
      const created = await configs.create('gh-view', github(), 'key:admin1');
      expect(created.config).toEqual({ ...github(), auth: { kind: 'token', token: WRITE_ONLY } });
      expect((await configs.get('gh-view')).config.auth).toEqual({ kind: 'token', token: WRITE_ONLY });
      expect((await configs.list()).find((c) => c.id === 'gh-view')?.config.auth).toEqual({
        kind: 'token',
        token: WRITE_ONLY,
      });
      expect(await configs.resolve('gh-view')).toEqual({ type: 'github', config: github() });
    });

    it('seals the Okta and Jira webhook secrets too, and shows them write-only', async () => {
      const oktaHook = 'Basic T2t0YUV2ZW50SG9va1NlY3JldDAx';
      const jiraHook = 'jira-admin-webhook-secret-0123456789';
      const okta = {
        type: 'okta',
        orgUrl: 'https://acme.okta.com',
        auth: { kind: 'token', token: '00OktaTokenThatMustNeverLeak0123456789abcd' },
        webhookSecret: oktaHook,
      };
      const jira = {
        type: 'jira',
        siteUrl: 'https://acme.atlassian.net',
        auth: { kind: 'basic', email: 'bot@acme.example', apiToken: 'ATATT3xJiraTokenThatMustNeverLeak' },
        kinds: { deprovisioning: { jql: 'project = IT' } },
        webhookSecret: jiraHook,
      };
      for (const [id, config, secret] of [
        ['okta-sealed', okta, oktaHook],
        ['jira-sealed', jira, jiraHook],
      ] as const) {
        const created = await configs.create(id, config, 'key:admin1');
        expect(created.config.webhookSecret).toBe(WRITE_ONLY);
        expect((await configs.get(id)).config.webhookSecret).toBe(WRITE_ONLY);
        const raw = await rawObject(bucket, `config/connectors/${id}.json`);
        expect(raw).not.toContain(secret);
        expect(JSON.parse(raw).config.webhookSecret).toMatch(/^enc:v1:/);
        expect((await configs.resolve(id)).config.webhookSecret).toBe(secret);
      }
    });

    it('refuses a second connector with the same id', async () => {
      await configs.create('gh-once', github(), 'key:admin1');
      await expect(configs.create('gh-once', github(), 'key:admin1')).rejects.toMatchObject({
        code: 'CW_LOCKER_DUPLICATE',
      });
    });

    it('names every bad field of an invalid config, echoes no value, and stores nothing', async () => {
      let error: unknown;
      try {
        await configs.create(
          'gh-bad',
          github({
            org: 'not a login!',
            baseUrl: 'ftp://example.com',
            auth: { kind: 'token', token: '' },
            requests: { pageSize: 1000 },
            surprise: TOKEN,
          }),
          'key:admin1',
        );
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'CW_CONFIG_INVALID' });
      const paths = (error as { issues: { path: string }[] }).issues.map((issue) => issue.path).sort();
      expect(paths).toEqual(
        expect.arrayContaining([
          'connectors.gh-bad.auth.token',
          'connectors.gh-bad.baseUrl',
          'connectors.gh-bad.org',
          'connectors.gh-bad.requests.pageSize',
        ]),
      );
      // The unknown key is reported too (strict schema), at the object that holds it.
      expect(JSON.stringify((error as { issues: unknown }).issues)).toContain('surprise');
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      await expect(configs.get('gh-bad')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
    });

    it('refuses an unknown connector type, naming the field', async () => {
      await expect(configs.create('x', { type: 'bitbucket' }, 'key:admin1')).rejects.toMatchObject({
        code: 'CW_CONFIG_INVALID',
        issues: [{ path: 'type' }],
      });
    });
  });

  describe('when a connector is updated with a merge patch', () => {
    it('adds, replaces and (with null) removes fields, keeping the sealed credential it did not touch', async () => {
      await configs.create('gh-patch', github(), 'key:admin1');
      const updated = await configs.update(
        'gh-patch',
        { controlOwner: null, repositories: ['api', 'acme/web'] },
        'key:admin2',
      );
      expect(updated).toMatchObject({ createdBy: 'key:admin1', updatedBy: 'key:admin2' });
      expect(updated.config).not.toHaveProperty('controlOwner');
      const { config } = await configs.resolve('gh-patch');
      expect(config).toEqual({
        type: 'github',
        org: 'acme',
        auth: { kind: 'token', token: TOKEN },
        repositories: ['api', 'acme/web'],
      });
    });

    it('rotates a credential: the new one is sealed and the old one is gone from the object', async () => {
      await configs.create('gh-rotate', github(), 'key:admin1');
      await configs.update('gh-rotate', { auth: { token: ROTATED } }, 'key:admin1');
      const raw = await rawObject(bucket, 'config/connectors/gh-rotate.json');
      expect(raw).not.toContain(ROTATED);
      expect(raw).not.toContain(TOKEN);
      expect((await configs.resolve('gh-rotate')).config.auth).toEqual({ kind: 'token', token: ROTATED });
    });

    it('refuses a patch that makes the config invalid or changes the type, and keeps the old config', async () => {
      await configs.create('gh-keep', github(), 'key:admin1');
      await expect(
        configs.update('gh-keep', { org: '-bad-', requests: { retries: 99 } }, 'key:admin1'),
      ).rejects.toMatchObject({
        code: 'CW_CONFIG_INVALID',
        issues: expect.arrayContaining([
          expect.objectContaining({ path: 'connectors.gh-keep.org' }),
          expect.objectContaining({ path: 'connectors.gh-keep.requests.retries' }),
        ]),
      });
      await expect(configs.update('gh-keep', { type: 'okta' }, 'key:admin1')).rejects.toMatchObject({
        code: 'CW_CONFIG_INVALID',
        issues: [{ path: 'type' }],
      });
      expect((await configs.resolve('gh-keep')).config).toEqual(github());
    });

    it('answers CW_NOT_FOUND for a connector that does not exist', async () => {
      await expect(configs.update('nobody', { org: 'x' }, 'key:admin1')).rejects.toMatchObject({
        code: 'CW_NOT_FOUND',
      });
    });
  });

  describe('when a connector is deleted', () => {
    it('is gone from get, list and resolve', async () => {
      await configs.create('gh-delete', github(), 'key:admin1');
      await configs.delete('gh-delete', 'key:admin3');
      await expect(configs.get('gh-delete')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
      await expect(configs.resolve('gh-delete')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
      expect((await configs.list()).map((c) => c.id)).not.toContain('gh-delete');
      await expect(configs.delete('gh-delete', 'key:admin3')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
    });
  });

  describe('the audit trail', () => {
    it('says who did what to which connector and which fields changed, never a value', async () => {
      await configs.create('gh-audit', github(), 'key:alice');
      await configs.update('gh-audit', { auth: { token: ROTATED }, controlOwner: null }, 'key:bob');
      await configs.delete('gh-audit', 'key:carol');
      const entries = await auditOf(locker, 'gh-audit');
      // Entries written in the same millisecond list in id order, so compare as a set.
      expect(entries.map((e) => [e.actor, e.action]).sort()).toEqual([
        ['key:alice', 'connector.create'],
        ['key:bob', 'connector.update'],
        ['key:carol', 'connector.delete'],
      ]);
      const by = (action: string) => entries.find((e) => e.action === action)!;
      expect(by('connector.create').details).toEqual({
        type: 'github',
        fields: ['type', 'org', 'auth.kind', 'auth.token', 'controlOwner'],
      });
      expect(by('connector.update').details).toEqual({ fields: ['auth.token', 'controlOwner'] });
      for (const entry of entries) expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const text = JSON.stringify(entries);
      for (const value of [TOKEN, ROTATED, 'secops@acme.example']) expect(text).not.toContain(value);
    });

    it('leaves no credential anywhere in the bucket, whatever was created, rotated or deleted', async () => {
      for (const { key, text } of await everyObject(locker)) {
        expect(text, key).not.toContain(TOKEN);
        expect(text, key).not.toContain(ROTATED);
      }
    });
  });

  describe('when a sealed credential is moved to another connector', () => {
    it('refuses to open it (the connector id is part of the authenticated context)', async () => {
      await configs.create('gh-source', github(), 'key:admin1');
      const copied = await locker.configs.get('gh-source');
      await locker.configs.put('gh-copy', { ...copied, id: 'gh-copy' });
      await expect(configs.resolve('gh-copy')).rejects.toMatchObject({ code: 'CW_CONFIG_INVALID' });
    });
  });

  describe('when resolve may answer from memory (resolveCacheMs)', () => {
    it('sees its own changes at once, and another process its changes within the cache time', async () => {
      const api = new ConnectorConfigs(locker, box, undefined, 2_000);
      const worker = new ConnectorConfigs(locker, box, undefined, 2_000);
      await api.create('gh-cached', github(), 'key:admin1');
      expect((await worker.resolve('gh-cached')).config.controlOwner).toBe('secops@acme.example');
      expect((await api.resolve('gh-cached')).config.controlOwner).toBe('secops@acme.example');

      await api.update('gh-cached', { controlOwner: 'grc@acme.example' }, 'key:admin1');
      expect((await api.resolve('gh-cached')).config.controlOwner).toBe('grc@acme.example');
      // The other instance answers from memory until its entry is 2 s old, then reads the locker again.
      expect((await worker.resolve('gh-cached')).config.controlOwner).toBe('secops@acme.example');
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect((await worker.resolve('gh-cached')).config.controlOwner).toBe('grc@acme.example');

      await api.delete('gh-cached', 'key:admin1');
      await expect(api.resolve('gh-cached')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
    });

    it('hands out copies: a caller changing what it got does not change what the next caller gets', async () => {
      const cached = new ConnectorConfigs(locker, box, undefined, 60_000);
      await cached.create('gh-copies', github(), 'key:admin1');
      const first = await cached.resolve('gh-copies');
      (first.config.auth as { token: string }).token = 'tampered';
      expect((await cached.resolve('gh-copies')).config.auth).toEqual({ kind: 'token', token: TOKEN });
      expect((await cached.resolve('gh-copies')).config.auth).toEqual({ kind: 'token', token: TOKEN });
    });

    it('reads the locker once for many resolves at once, and refreshes an entry in use before it runs out', async () => {
      const cached = new ConnectorConfigs(locker, box, undefined, 1_000);
      await cached.create('gh-busy', github(), 'key:admin1');
      const reads = vi.spyOn(locker.configs, 'get');
      try {
        // Nothing cached: 50 deliveries at once wait for one read, not 50.
        const all = await Promise.all(Array.from({ length: 50 }, () => cached.resolve('gh-busy')));
        expect(all.every((r) => r.config.controlOwner === 'secops@acme.example')).toBe(true);
        expect(reads).toHaveBeenCalledTimes(1);
        // In the last fifth of the entry's life a resolve answers from memory and starts one refresh.
        await new Promise((resolve) => setTimeout(resolve, 850));
        await Promise.all(Array.from({ length: 20 }, () => cached.resolve('gh-busy')));
        await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
        // So after the first entry's time is up the next resolve is still answered from memory.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await cached.resolve('gh-busy');
        expect(reads).toHaveBeenCalledTimes(2);
      } finally {
        reads.mockRestore();
      }
    });

    it('keeps nothing by default: every resolve reads the locker', async () => {
      await configs.create('gh-uncached', github(), 'key:admin1');
      const other = new ConnectorConfigs(locker, box);
      await other.resolve('gh-uncached');
      await configs.update('gh-uncached', { controlOwner: 'grc@acme.example' }, 'key:admin1');
      expect((await other.resolve('gh-uncached')).config.controlOwner).toBe('grc@acme.example');
    });
  });

  describe('when the declarative file is applied again', () => {
    it('changes nothing and writes no audit entry when the file says the same', async () => {
      const first = await configs.upsert('gh-file', github(), 'config-file:/etc/crosswalk.yaml');
      const again = await configs.upsert('gh-file', github(), 'config-file:/etc/crosswalk.yaml');
      expect([first.changed, again.changed]).toEqual([true, false]);
      const changed = await configs.upsert(
        'gh-file',
        github({ controlOwner: 'grc@acme.example' }),
        'config-file:/etc/crosswalk.yaml',
      );
      expect(changed.changed).toBe(true);
      const entries = await auditOf(locker, 'gh-file');
      expect(entries.map((e) => [e.action, e.details.source]).sort()).toEqual([
        ['connector.create', 'config-file'],
        ['connector.update', 'config-file'],
      ]);
    });
  });
});
