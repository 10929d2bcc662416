import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { userLifecycle } from '../src/collectors/user-lifecycle.js';
import { usersSnapshot } from '../src/collectors/users-snapshot.js';
import {
  CERTIFICATE,
  CLIENT_SECRET,
  certificateConfigFor,
  collect,
  configFor,
  contoso,
  errorText,
  guid,
  HR_SYNC,
  people,
  startFake,
  TENANT_ID,
  throttled,
} from './helpers.js';

const start = closedAfterEach(startFake);

describe('entra.users_snapshot', () => {
  it('records every user with sign-in state, guest status, MFA registration and the roles held', async () => {
    const fake = await start(contoso());
    const { records, error } = await collect(
      usersSnapshot,
      configFor(fake, { requests: { pageSize: 2, retryBaseDelayMs: 10 } }),
    );
    expect(error).toBeUndefined();
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record!.occurredAt).toBe('2026-03-08T00:00:00.000Z');
    expect(record!.source).toEqual({
      system: 'entra',
      instance: TENANT_ID,
      ref: `${TENANT_ID}:users`,
      url: `${fake.url}/users`,
    });
    const payload = record!.payload as never as {
      users: {
        person: { login: string };
        accountEnabled: boolean;
        userType: string;
        mfa: { registered: boolean } | null;
        directoryRoles: { displayName: string }[];
      }[];
      counts: Record<string, number | null>;
      roleHoldersNotInUsers: { person: { id: string } }[];
      directoryRoles: {
        displayName: string;
        users: number;
        otherMembers: { type: string; displayName: string }[];
      }[];
      limitations: string[];
    };
    const byLogin = new Map(payload.users.map((u) => [u.person.login.split('@')[0]!, u]));
    expect(byLogin.get('dave.leaver')!.accountEnabled).toBe(false);
    expect([...byLogin.values()].filter((u) => u.userType === 'Guest')).toHaveLength(1);
    expect(byLogin.get('bob.jones')!.mfa).toEqual({ registered: false, capable: false, methods: ['email'] });
    expect(byLogin.get('carol.admin')!.mfa?.registered).toBe(true);
    expect(byLogin.get('carol.admin')!.directoryRoles.map((r) => r.displayName)).toEqual([
      'Global Administrator',
    ]);
    expect(byLogin.get('alice.smith')!.directoryRoles.map((r) => r.displayName)).toEqual([
      'User Administrator',
    ]);
    expect(byLogin.get('bob.jones')!.directoryRoles).toEqual([]);
    // The break-glass account holds Global Administrator without being listed: kept by id, counted, said.
    expect(payload.roleHoldersNotInUsers.map((h) => h.person.id)).toEqual([guid('user:break-glass')]);
    expect(payload.directoryRoles.find((r) => r.displayName === 'User Administrator')!.otherMembers).toEqual([
      { id: guid('group:helpdesk'), type: 'group', displayName: 'Helpdesk' },
    ]);
    expect(payload.counts).toEqual({
      users: 6,
      enabled: 5,
      disabled: 1,
      guests: 1,
      mfaRegistered: 4,
      // bob (email only) and erin (a guest with nothing registered) are enabled without MFA.
      enabledWithoutMfa: 2,
      roleHolders: 3,
    });
    expect(payload.limitations).toHaveLength(1);
    // Users, registrations and role members were read by @odata.nextLink (pages of two), every request recorded.
    expect(fake.received('/users').length).toBe(3);
    expect(record!.provenance.requests.some((r) => r.path.includes('$skiptoken=2'))).toBe(true);
    expect(record!.provenance.requests[0]!.path).toBe(`/${TENANT_ID}/oauth2/v2.0/token`);
    expect(record!.provenance.requests.every((r) => r.requestId)).toBe(true);
  });

  it('records why MFA is unknown in a tenant without the P1/P2 licence, and does not fail', async () => {
    const fake = await start(contoso({ premium: false }));
    const { records, error } = await collect(usersSnapshot, configFor(fake));
    expect(error).toBeUndefined();
    const payload = records[0]!.payload as never as {
      users: { mfa: unknown }[];
      counts: Record<string, unknown>;
      limitations: string[];
    };
    expect(payload.users.every((u) => u.mfa === null)).toBe(true);
    expect(payload.counts.mfaRegistered).toBeNull();
    expect(payload.counts.enabledWithoutMfa).toBeNull();
    expect(payload.limitations.join('\n')).toContain('no Microsoft Entra ID P1/P2 licence');
  });

  it('names the permission to grant when Graph refuses the users list', async () => {
    const fake = await start(contoso(), {
      app: {
        clientId: guid('app:crosswalk'),
        clientSecret: CLIENT_SECRET,
        permissions: ['AuditLog.Read.All'],
      },
    });
    const { error } = await collect(usersSnapshot, configFor(fake));
    expect(isCrosswalkError(error, 'CW_SOURCE_AUTH')).toBe(true);
    expect(String(error)).toContain('Authorization_RequestDenied');
    expect(String(error)).toContain('User.Read.All');
  });

  it('says a role reader is missing, instead of failing, when only roles are refused', async () => {
    const fake = await start(contoso(), {
      app: {
        clientId: guid('app:crosswalk'),
        clientSecret: CLIENT_SECRET,
        permissions: ['User.Read.All', 'AuditLog.Read.All'],
      },
    });
    const { records, error } = await collect(usersSnapshot, configFor(fake));
    expect(error).toBeUndefined();
    const payload = records[0]!.payload as never as {
      users: { directoryRoles: unknown }[];
      counts: { roleHolders: unknown };
      limitations: string[];
    };
    expect(payload.users.every((u) => u.directoryRoles === null)).toBe(true);
    expect(payload.counts.roleHolders).toBeNull();
    expect(payload.limitations.join('\n')).toContain('directoryRoles: not readable');
  });
});

describe('entra.user_lifecycle', () => {
  it('records exactly the lifecycle entries of the window, with the actor and the change', async () => {
    const fake = await start(contoso());
    const { records, error, cursor } = await collect(
      userLifecycle,
      configFor(fake, { requests: { pageSize: 2, retryBaseDelayMs: 10 } }),
    );
    expect(error).toBeUndefined();
    const seen = records
      .map((r) => {
        const p = r.payload as never as {
          change: string;
          direction: string;
          target: { login: string };
          actor: { login: string } | null;
          actorApp: { displayName: string } | null;
          role: { displayName: string } | null;
        };
        return [
          r.occurredAt,
          p.change,
          p.direction,
          p.target.login,
          p.actor?.login ?? p.actorApp?.displayName,
          p.role?.displayName ?? null,
        ];
      })
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const { alice, carol, dave, frank } = people;
    expect(seen).toEqual([
      [
        '2026-03-02T09:00:00.000Z',
        'created',
        'provisioning',
        frank.userPrincipalName,
        HR_SYNC.displayName,
        null,
      ],
      [
        '2026-03-03T15:00:00.000Z',
        'disabled',
        'deprovisioning',
        dave.userPrincipalName,
        carol.userPrincipalName,
        null,
      ],
      [
        '2026-03-04T11:00:00.000Z',
        'role_assigned',
        'provisioning',
        alice.userPrincipalName,
        carol.userPrincipalName,
        'User Administrator',
      ],
      [
        '2026-03-05T08:30:00.000Z',
        'deleted',
        'deprovisioning',
        dave.userPrincipalName,
        carol.userPrincipalName,
        null,
      ],
      [
        '2026-03-06T16:45:00.000Z',
        'role_removed',
        'deprovisioning',
        alice.userPrincipalName,
        carol.userPrincipalName,
        'User Administrator',
      ],
    ]);
    // The filter asked Graph for the window and the activities; the pages followed @odata.nextLink.
    const first = fake.received('/auditLogs/directoryAudits')[0]!;
    expect(first.query.get('$filter')).toContain("activityDisplayName eq 'Disable account'");
    expect(first.query.get('$filter')).toContain('activityDateTime ge 2026-03-01T00:00:00.000Z');
    expect(fake.received('/auditLogs/directoryAudits')).toHaveLength(3);
    expect(cursor).toEqual({ lastActivity: '2026-03-06T16:45:00.000Z' });
    const disabled = records.find((r) => (r.payload as { change?: string }).change === 'disabled')!;
    expect(disabled.owner.people).toEqual([{ id: carol.id, login: carol.userPrincipalName }]);
    expect(disabled.actors).toEqual([
      { role: 'deprovisioning', person: { id: dave.id, login: dave.userPrincipalName } },
    ]);
    expect(disabled.source.url).toBe(`${fake.url}/auditLogs/directoryAudits/${disabled.source.ref}`);
  });

  it('fails naming the entry when Graph returns a user activity without a user target', async () => {
    const tenant = contoso();
    const broken = { ...tenant.audits[2]!, targetResources: [] };
    tenant.audits = [broken];
    const fake = await start(tenant);
    const { error } = await collect(userLifecycle, configFor(fake));
    expect(isCrosswalkError(error, 'CW_SOURCE_DATA')).toBe(true);
    expect(String(error)).toContain(String((broken as { id?: unknown }).id));
  });
});

describe('app-only authentication', () => {
  it('asks the tenant token endpoint once per collection with the secret, and sends only Bearer tokens to Graph', async () => {
    const fake = await start(contoso());
    expect((await collect(usersSnapshot, configFor(fake))).error).toBeUndefined();
    const token = fake.received(`/${TENANT_ID}/oauth2/v2.0/token`);
    expect(token).toHaveLength(1);
    const form = new URLSearchParams(String(token[0]!.body));
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('https://graph.microsoft.com/.default');
    const graph = fake.requests.filter((r) => !r.path.includes('oauth2'));
    expect(graph.every((r) => r.authorization?.startsWith('Bearer eyJ'))).toBe(true);
  });

  it('signs a client assertion with the certificate, naming it by its SHA-256 thumbprint', async () => {
    const fake = await start(contoso());
    expect((await collect(usersSnapshot, certificateConfigFor(fake))).error).toBeUndefined();
    const form = new URLSearchParams(String(fake.received(`/${TENANT_ID}/oauth2/v2.0/token`)[0]!.body));
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [header, claims] = form
      .get('client_assertion')!
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header!.alg).toBe('RS256');
    expect(typeof header!['x5t#S256']).toBe('string');
    expect(claims!.aud).toBe(`${fake.origin}/${TENANT_ID}/oauth2/v2.0/token`);
    const { X509Certificate, createVerify } = await import('node:crypto');
    const [h, c, signature] = form.get('client_assertion')!.split('.');
    const verified = createVerify('RSA-SHA256')
      .update(`${h}.${c}`)
      .verify(new X509Certificate(CERTIFICATE.certificate).publicKey, Buffer.from(signature!, 'base64url'));
    expect(verified).toBe(true);
  });

  it('refuses a wrong secret as CW_SOURCE_AUTH with what to do, and never repeats it', async () => {
    const fake = await start(contoso());
    const wrong = 'Ab18Q~ThisIsAWrongSecretThatMustNotLeak.0';
    const result = await collect(
      usersSnapshot,
      configFor(fake, { auth: { kind: 'secret', clientId: guid('app:crosswalk'), clientSecret: wrong } }),
    );
    expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
    expect(String(result.error)).toContain('AADSTS7000215');
    expect(String(result.error)).toContain('use the secret Value');
    expect(errorText(result.error)).not.toContain(wrong);
    expect(fake.requests.filter((r) => !r.path.includes('oauth2'))).toHaveLength(0);
  });

  it('waits out a throttled token request by its Retry-After', async () => {
    const fake = await start(contoso());
    fake.fault({ path: /oauth2/, ...throttled(1) });
    const result = await collect(usersSnapshot, configFor(fake));
    expect(result.error).toBeUndefined();
    expect(fake.received(`/${TENANT_ID}/oauth2/v2.0/token`).map((r) => r.status)).toEqual([429, 200]);
  });

  it('refuses a certificate that does not belong to the key, naming the field', async () => {
    const fake = await start(contoso());
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const result = await collect(
      usersSnapshot,
      certificateConfigFor(fake, {
        auth: {
          kind: 'certificate',
          clientId: guid('app:crosswalk'),
          privateKey: other,
          certificate: CERTIFICATE.certificate,
        },
      }),
    );
    expect(isCrosswalkError(result.error, 'CW_CONFIG_INVALID')).toBe(true);
    expect((result.error as { issues?: { path: string }[] }).issues?.map((i) => i.path)).toEqual([
      'connectors.entra-test.auth.privateKey',
    ]);
    expect(errorText(result.error)).not.toContain(other.slice(40, 80));
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses plain http to a Graph or authority host that is not loopback, before any request', async () => {
    const fake = await start(contoso());
    for (const field of ['graphUrl', 'authorityHost'] as const) {
      const result = await collect(
        usersSnapshot,
        configFor(fake, {
          [field]: 'http://graph.example.com/v1.0'.replace('/v1.0', field === 'graphUrl' ? '/v1.0' : ''),
        }),
      );
      expect(isCrosswalkError(result.error, 'CW_CONFIG_INVALID'), field).toBe(true);
    }
    expect(fake.requests).toHaveLength(0);
  });
});
