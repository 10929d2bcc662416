import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectorHarness } from '@crosswalk/connector-testkit';
import type { EntraConfig, EntraConfigInput } from '../src/config.js';
import { entraConnector } from '../src/index.js';
import {
  audit,
  caPolicy,
  decision,
  FakeEntra,
  type FakeEntraOptions,
  type FakeTenant,
  guid,
  methodsPolicy,
  policyAudit,
  registration,
  reviewDefinition,
  reviewInstance,
  role,
  signIn,
  user,
} from '../src/sandbox/index.js';

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';
export * from '../src/sandbox/index.js';

export const TENANT_ID = guid('tenant:contoso');
export const CLIENT_ID = guid('app:crosswalk');
/** Shaped like a portal-issued client secret, so the shape-based scrubbing is exercised too. */
export const CLIENT_SECRET = 'Xy78Q~TestSecretThatMustNeverLeak.012345';
export const NOW = '2026-03-08T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

export const ALL_PERMISSIONS = [
  'User.Read.All',
  'AuditLog.Read.All',
  'RoleManagement.Read.Directory',
  'Policy.Read.All',
  'AccessReview.Read.All',
];

/** Runs one collector with the test kit's harness, at the tests' fixed time and window. */
export const collect = collectorHarness<EntraConfig, EntraConfigInput>(entraConnector, {
  now: NOW,
  window: WINDOW,
});

/** A config pointing at the fake (Graph under /v1.0, tokens from the same loopback origin), with short backoff. */
export function configFor(fake: FakeEntra, overrides: Partial<EntraConfigInput> = {}): EntraConfigInput {
  return {
    type: 'entra',
    tenantId: TENANT_ID,
    auth: { kind: 'secret', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    graphUrl: fake.url,
    authorityHost: fake.origin,
    controlOwner: 'secops@contoso.example',
    requests: { retryBaseDelayMs: 10, maxRateLimitWaitSeconds: 5 },
    ...overrides,
  };
}

/** A certificate and its key, made by openssl once per test process (Node has no API that issues certificates). */
export const CERTIFICATE = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'entra-cert-'));
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(path.join(dir, 'key.pem'), keyPem);
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-x509',
        '-key',
        path.join(dir, 'key.pem'),
        '-subj',
        '/CN=crosswalk-test',
        '-days',
        '2',
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { privateKey: keyPem, certificate: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

export function certificateConfigFor(
  fake: FakeEntra,
  overrides: Partial<EntraConfigInput> = {},
): EntraConfigInput {
  return configFor(fake, {
    auth: {
      kind: 'certificate',
      clientId: CLIENT_ID,
      privateKey: CERTIFICATE.privateKey,
      certificate: CERTIFICATE.certificate,
    },
    ...overrides,
  });
}

export function startFake(tenant: FakeTenant, options: Partial<FakeEntraOptions> = {}): Promise<FakeEntra> {
  return FakeEntra.start({
    tenant,
    app: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, permissions: ALL_PERMISSIONS },
    ...options,
  });
}

export const people = {
  carol: user('carol.admin@contoso.example'),
  alice: user('alice.smith@contoso.example'),
  bob: user('bob.jones@contoso.example'),
  dave: user('dave.leaver@contoso.example', { accountEnabled: false }),
  erin: user('erin.partner@fabrikam.example', { userType: 'Guest' }),
  frank: user('frank.new@contoso.example', { createdDateTime: '2026-03-02T09:00:00Z' }),
};

export const HR_SYNC = { appId: guid('app:hr-sync'), displayName: 'Workday to Entra ID provisioning' };

/**
 * The tenant most tests use: six users (one disabled, one guest), Global and User Administrator roles (one holder not
 * in the users list, one a group), MFA registered by all but bob and the guest, and an audit log in and around the
 * window: frank created on 03-02 by the HR sync, dave disabled on 03-03 and deleted on 03-05 by carol, alice made User
 * Administrator on 03-04 and removed on 03-06, a password reset (not a lifecycle activity), and entries outside the
 * window.
 */
export const POLICIES = {
  mfaForEveryone: caPolicy('Require MFA for everyone', { excludeUsers: [guid('user:break-glass')] }),
  blockLegacy: caPolicy('Block legacy authentication', { grant: ['block'] }),
  guestsReportOnly: caPolicy('MFA for guests (report only)', {
    state: 'enabledForReportingButNotEnforced',
    includeUsers: ['GuestsOrExternalUsers'],
  }),
};

/**
 * One quarterly access review of Salesforce access with three instances: one ended on 03-05 inside the window (alice
 * approved; bob denied and removed; dave denied but the removal never applied; erin not reviewed), one still running,
 * and one that ended in December, long before the window.
 */
export function salesforceReview() {
  const { carol, alice, bob, dave, erin } = people;
  const definition = reviewDefinition('Salesforce access', carol);
  const ended = reviewInstance('2026-02-19T00:00:00Z', '2026-03-05T00:00:00Z', 'Applied');
  return {
    definition,
    ended,
    review: {
      definition,
      instances: [
        {
          instance: reviewInstance('2025-12-15T00:00:00Z', '2025-12-29T00:00:00Z', 'Completed'),
          decisions: [
            decision(alice, 'Approve', {
              reviewer: carol,
              reviewedAt: '2025-12-20T10:00:00Z',
              resource: 'Salesforce users',
            }),
          ],
        },
        {
          instance: ended,
          decisions: [
            decision(alice, 'Approve', {
              reviewer: carol,
              reviewedAt: '2026-02-20T10:00:00Z',
              resource: 'Salesforce users',
            }),
            decision(bob, 'Deny', {
              reviewer: carol,
              reviewedAt: '2026-02-21T10:00:00Z',
              applied: '2026-03-05T00:12:00Z',
              resource: 'Salesforce users',
            }),
            decision(dave, 'Deny', {
              reviewer: carol,
              reviewedAt: '2026-02-22T10:00:00Z',
              applied: null,
              resource: 'Salesforce users',
            }),
            decision(erin, 'NotReviewed', { resource: 'Salesforce users' }),
          ],
        },
        {
          instance: reviewInstance('2026-03-06T00:00:00Z', '2026-03-20T00:00:00Z', 'InProgress'),
          decisions: [],
        },
      ],
    },
  };
}

export function contoso(options: { premium?: boolean; governance?: boolean } = {}): FakeTenant {
  const { carol, alice, bob, dave, erin, frank } = people;
  const global = role('globalAdministrator', [carol.id, guid('user:break-glass')]);
  const userAdmin = role('userAdministrator', [alice.id, guid('group:helpdesk')]);
  return {
    tenantId: TENANT_ID,
    users: [carol, alice, bob, dave, erin, frank],
    directoryObjects: [
      { '@odata.type': '#microsoft.graph.group', id: guid('group:helpdesk'), displayName: 'Helpdesk' },
      { '@odata.type': '#microsoft.graph.user', id: guid('user:break-glass'), displayName: 'Break Glass' },
    ],
    registrations: [
      registration(carol, ['fido2', 'microsoftAuthenticatorPush']),
      registration(alice),
      registration(bob, ['email']),
      registration(dave),
      registration(frank, ['mobilePhone']),
    ],
    roles: [global, userAdmin],
    conditionalAccess: [POLICIES.mfaForEveryone, POLICIES.blockLegacy, POLICIES.guestsReportOnly],
    authenticationMethodsPolicy: methodsPolicy({
      Fido2: 'enabled',
      MicrosoftAuthenticator: 'enabled',
      Sms: 'disabled',
    }),
    audits: [
      policyAudit('Update conditional access policy', '2026-03-04T14:00:00Z', POLICIES.mfaForEveryone, carol),
      audit('Add user', '2026-02-27T10:00:00Z', bob, { user: carol }),
      audit('Add user', '2026-03-02T09:00:00Z', frank, { app: HR_SYNC }),
      audit('Disable account', '2026-03-03T15:00:00Z', dave, { user: carol }),
      audit('Add member to role', '2026-03-04T11:00:00Z', alice, { user: carol }, { role: userAdmin }),
      audit('Delete user', '2026-03-05T08:30:00Z', dave, { user: carol }),
      audit('Reset user password', '2026-03-05T12:00:00Z', bob, { user: carol }),
      audit('Remove member from role', '2026-03-06T16:45:00Z', alice, { user: carol }, { role: userAdmin }),
      audit('Disable account', '2026-03-08T01:00:00Z', bob, { user: carol }),
    ],
    accessReviews: [salesforceReview().review],
    // 03-06: carol and alice under the MFA policy, bob twice without it (legacy client), erin failed once; 03-07: one.
    signIns: [
      signIn(carol, '2026-03-06T08:00:00Z', { mfaPolicy: true }),
      signIn(alice, '2026-03-06T09:00:00Z', { mfaPolicy: true }),
      signIn(bob, '2026-03-06T10:00:00Z'),
      signIn(bob, '2026-03-06T17:30:00Z'),
      signIn(erin, '2026-03-06T11:00:00Z', { errorCode: 50126 }),
      signIn(alice, '2026-03-07T09:15:00Z', { mfaPolicy: true }),
      signIn(carol, '2026-03-08T02:00:00Z', { mfaPolicy: true }),
    ],
    ...(options.premium === undefined ? {} : { premium: options.premium }),
    ...(options.governance === undefined ? {} : { governance: options.governance }),
  };
}

/**
 * A tenant whose audit log holds `count` lifecycle entries spread evenly over the window (disable, delete, create and
 * role changes by carol on a rotating set of users), for the benchmark.
 */
export function manyAuditEntries(count: number, window: { since: string; until: string }): FakeTenant {
  const tenant = contoso();
  const from = Date.parse(window.since);
  const span = Date.parse(window.until) - from;
  const activities = ['Disable account', 'Delete user', 'Add user', 'Enable account'] as const;
  const targets = Array.from({ length: 50 }, (_, i) => user(`user${i}@contoso.example`));
  tenant.audits = Array.from({ length: count }, (_, i) =>
    audit(
      activities[i % activities.length]!,
      new Date(from + Math.floor((i * span) / count)).toISOString(),
      targets[i % targets.length]!,
      { user: people.carol },
      { id: `Directory_BENCH${String(i).padStart(6, '0')}` },
    ),
  );
  return tenant;
}
