import { generateKeyPairSync } from 'node:crypto';
import { collectorHarness } from '@crosswalk/connector-testkit';
import type { GoogleWorkspaceConfig, GoogleWorkspaceConfigInput } from '../src/config.js';
import { COLLECTOR_SCOPES } from '../src/config.js';
import { googleWorkspaceConnector } from '../src/index.js';
import {
  activity,
  adminUserEvent,
  FakeGoogleWorkspace,
  type FakeGoogleWorkspaceOptions,
  type FakeTenant,
  loginEvent,
  role,
  roleAssignment,
  user,
} from '../src/sandbox/index.js';

export * from '../src/sandbox/index.js';

export const NOW = '2026-03-08T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
export const CUSTOMER = 'C03az79cb';
export const ADMIN = 'carol.admin@acme.example';

/** A service account's key pair, as Google Cloud would issue it: the key file goes in the config. */
export const SERVICE_ACCOUNT = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clientEmail: 'crosswalk-reader@acme-compliance.iam.gserviceaccount.com',
    privateKeyId: '7c1f0e2d9b8a4c3e5f6a7b8c9d0e1f2a3b4c5d6e',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
})();

/** The key file Google Cloud downloads, pointed at the fake's token endpoint. */
export function keyFile(fake: FakeGoogleWorkspace, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'acme-compliance',
    private_key_id: SERVICE_ACCOUNT.privateKeyId,
    private_key: SERVICE_ACCOUNT.privateKeyPem,
    client_email: SERVICE_ACCOUNT.clientEmail,
    client_id: '113355779911224466880',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: fake.tokenUri,
    ...overrides,
  });
}

/** What must never appear in a record, log line or error: the key file, its private key and its key id. */
export const SECRETS = [
  SERVICE_ACCOUNT.privateKeyId,
  SERVICE_ACCOUNT.privateKeyPem.split('\n')[1]!,
  SERVICE_ACCOUNT.privateKeyPem.split('\n')[5]!,
];

export const ALL_SCOPES = [...new Set(Object.values(COLLECTOR_SCOPES).flat())];

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';

/** Runs one collector with the test kit's harness, at the tests' fixed time and window. */
export const collect = collectorHarness<GoogleWorkspaceConfig, GoogleWorkspaceConfigInput>(
  googleWorkspaceConnector,
  {
    now: NOW,
    window: WINDOW,
  },
);

/** A config pointing at the fake, with loopback-friendly request settings (short backoff). */
export function configFor(
  fake: FakeGoogleWorkspace,
  overrides: Partial<GoogleWorkspaceConfigInput> = {},
): GoogleWorkspaceConfigInput {
  return {
    type: 'google-workspace',
    customerId: CUSTOMER,
    adminSubject: ADMIN,
    serviceAccountKey: keyFile(fake),
    baseUrl: fake.url,
    controlOwner: 'secops@acme.example',
    requests: { backoffMs: 10, maxRateLimitWaitSeconds: 5 },
    ...overrides,
  };
}

export async function startFake(
  tenant: FakeTenant,
  options: Partial<FakeGoogleWorkspaceOptions> = {},
): Promise<FakeGoogleWorkspace> {
  return FakeGoogleWorkspace.start({
    tenant,
    serviceAccount: { clientEmail: SERVICE_ACCOUNT.clientEmail, publicKey: SERVICE_ACCOUNT.publicKeyPem },
    admins: [ADMIN],
    grantedScopes: ALL_SCOPES,
    ...options,
  });
}

export const roles = {
  superAdmin: role('_SEED_ADMIN_ROLE'),
  helpDesk: role('_HELP_DESK_ADMIN_ROLE', { isSuperAdminRole: false }),
  userManagement: role('_USER_MANAGEMENT_ADMIN_ROLE', { isSuperAdminRole: false }),
};

export const people = {
  carol: user(ADMIN, { isAdmin: true }),
  alice: user('alice.smith@acme.example'),
  bob: user('bob.jones@acme.example', { isEnrolledIn2Sv: false, isEnforcedIn2Sv: false }),
  dave: user('dave.leaver@acme.example', {
    suspended: true,
    suspensionReason: 'ADMIN',
    lastLoginTime: '2026-03-02T17:40:00.000Z',
  }),
  erin: user('erin.archived@acme.example', { archived: true }),
  frank: user('frank.new@acme.example', {
    lastLoginTime: '1970-01-01T00:00:00.000Z',
    isEnrolledIn2Sv: false,
  }),
};

/**
 * The account most tests use: six users (one suspended, one archived, one never signed in, one without 2SV), a
 * super admin and a delegated help desk admin, a role held through a group, admin events in and around the window
 * (a suspension, a deletion and a restore, a role assignment, 2SV enforcement turned on, a setting change, and an
 * event of a type the collector leaves out), and logins on two days of the window.
 */
export function acme(): FakeTenant {
  const { carol, alice, bob, dave, erin, frank } = people;
  const admin = (time: string, name: string, type: string, parameters: Record<string, unknown>[]) =>
    activity('admin', time, { email: ADMIN, profileId: String(carol.id) }, { type, name, parameters });
  return {
    customerId: CUSTOMER,
    domain: 'acme.example',
    users: [carol, alice, bob, dave, erin, frank],
    roles: Object.values(roles),
    roleAssignments: [
      roleAssignment(roles.superAdmin, String(carol.id)),
      roleAssignment(roles.helpDesk, String(alice.id), {
        scopeType: 'ORG_UNIT',
        orgUnitId: '03ph8a2z1enx4lx',
      }),
      roleAssignment(roles.userManagement, '01234567890abcdefgroup', { assigneeType: 'group' }),
    ],
    activities: {
      admin: [
        adminUserEvent('2026-02-27T10:00:00.000Z', ADMIN, 'SUSPEND_USER', 'old.leaver@acme.example'),
        adminUserEvent('2026-03-02T18:05:00.000Z', ADMIN, 'SUSPEND_USER', String(dave.primaryEmail)),
        adminUserEvent('2026-03-03T09:00:00.000Z', ADMIN, 'DELETE_USER', 'gina.gone@acme.example'),
        adminUserEvent('2026-03-04T11:30:00.000Z', ADMIN, 'UNDELETE_USER', 'gina.gone@acme.example'),
        admin('2026-03-05T08:00:00.000Z', 'ASSIGN_ROLE', 'DELEGATED_ADMIN_SETTINGS', [
          { name: 'ROLE_NAME', value: '_HELP_DESK_ADMIN_ROLE' },
          { name: 'USER_EMAIL', value: String(alice.primaryEmail) },
        ]),
        admin('2026-03-06T14:00:00.000Z', 'ENFORCE_STRONG_AUTHENTICATION', 'SECURITY_SETTINGS', [
          { name: 'ORG_UNIT_NAME', value: '/' },
          { name: 'NEW_VALUE', value: 'true' },
          { name: 'OLD_VALUE', value: 'false' },
        ]),
        admin('2026-03-06T15:00:00.000Z', 'CHANGE_APPLICATION_SETTING', 'APPLICATION_SETTINGS', [
          { name: 'APPLICATION_NAME', value: 'Gmail' },
          { name: 'SETTING_NAME', value: 'SpamFilter' },
        ]),
        admin('2026-03-07T16:20:00.000Z', 'CHANGE_PASSWORD_MIN_LENGTH', 'SECURITY_SETTINGS', [
          { name: 'SETTING_NAME', value: 'Minimum password length' },
          { name: 'OLD_VALUE', value: '8' },
          { name: 'NEW_VALUE', value: '12' },
        ]),
        adminUserEvent('2026-03-08T01:00:00.000Z', ADMIN, 'SUSPEND_USER', 'too.late@acme.example'),
      ],
      login: [
        loginEvent('2026-03-06T08:01:00.000Z', String(alice.primaryEmail), 'login_success'),
        loginEvent('2026-03-06T08:30:00.000Z', String(bob.primaryEmail), 'login_success', {
          challenge: ['password'],
        }),
        loginEvent('2026-03-06T09:00:00.000Z', String(bob.primaryEmail), 'login_success', {
          challenge: ['password'],
        }),
        loginEvent('2026-03-06T09:05:00.000Z', String(bob.primaryEmail), 'login_failure', {
          challenge: ['password'],
        }),
        loginEvent('2026-03-06T10:00:00.000Z', ADMIN, 'login_success', {
          loginType: 'saml',
          challenge: ['none'],
        }),
        loginEvent('2026-03-07T07:45:00.000Z', String(alice.primaryEmail), 'login_success', {
          challenge: ['password', 'security_key'],
          suspicious: true,
        }),
      ],
    },
  };
}

/** How a busy account's admin events split by name (most are suspensions and deletions), for the benchmark. */
export const ADMIN_EVENT_MIX: [name: string, type: string, share: number][] = [
  ['SUSPEND_USER', 'USER_SETTINGS', 0.4],
  ['DELETE_USER', 'USER_SETTINGS', 0.25],
  ['UNDELETE_USER', 'USER_SETTINGS', 0.05],
  ['CREATE_USER', 'USER_SETTINGS', 0.1],
  ['ASSIGN_ROLE', 'DELEGATED_ADMIN_SETTINGS', 0.1],
  ['UNASSIGN_ROLE', 'DELEGATED_ADMIN_SETTINGS', 0.05],
  ['ENFORCE_STRONG_AUTHENTICATION', 'SECURITY_SETTINGS', 0.03],
  ['CHANGE_PASSWORD_MIN_LENGTH', 'SECURITY_SETTINGS', 0.02],
];

/** The acme account with `count` admin events of the mix above spread evenly over the window. */
export function manyAdminEvents(count: number, window = WINDOW): FakeTenant {
  const since = Date.parse(window.since);
  const span = Date.parse(window.until) - since;
  const names = ADMIN_EVENT_MIX.flatMap(([name, type, share]) =>
    Array.from({ length: Math.round(share * count) }, () => [name, type] as const),
  );
  return {
    ...acme(),
    activities: {
      admin: names.map(([name, type], index) =>
        activity(
          'admin',
          new Date(since + Math.floor(((index + 0.5) * span) / count)).toISOString(),
          { email: ADMIN },
          {
            type,
            name,
            parameters: [{ name: 'USER_EMAIL', value: `user${index}@acme.example` }],
          },
        ),
      ),
      login: [],
    },
  };
}
