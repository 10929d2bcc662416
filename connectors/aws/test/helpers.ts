import { collectorHarness } from '@crosswalk/connector-testkit';
import type { AwsConfig, AwsConfigInput } from '../src/config.js';
import { awsConnector } from '../src/index.js';
import {
  accessKey,
  account,
  FakeAws,
  type FakeOrganization,
  group,
  iamUser,
  policy,
  trailEvent,
} from '../src/sandbox/index.js';

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';
export * from '../src/sandbox/index.js';

export const NOW = '2026-03-16T06:30:00.000Z';
export const WINDOW = { since: '2026-03-09T00:00:00.000Z', until: '2026-03-16T00:00:00.000Z' };
export const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** The base secret key: it may appear in no record, log line or error. */
export const SECRETS = [SECRET_ACCESS_KEY];
export const PROD = '111122223333';
export const STAGING = '444455556666';
export const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-7223e0a1b2c3d4e5';
export const IDENTITY_STORE = 'd-9067a1b2c3';
const ADMIN_SET = 'arn:aws:sso:::permissionSet/ssoins-7223e0a1b2c3d4e5/ps-0a1b2c3d4e5f6a7b';
const READ_SET = 'arn:aws:sso:::permissionSet/ssoins-7223e0a1b2c3d4e5/ps-1b2c3d4e5f6a7b8c';

export const collect = collectorHarness<AwsConfig, AwsConfigInput>(awsConnector, {
  now: NOW,
  window: WINDOW,
});

export function configFor(fake: FakeAws, overrides: Partial<AwsConfigInput> = {}): AwsConfigInput {
  return {
    type: 'aws',
    accounts: [
      { accountId: PROD, name: 'production' },
      {
        accountId: STAGING,
        name: 'staging',
        roleArn: `arn:aws:iam::${STAGING}:role/CrosswalkAudit`,
        externalId: 'crosswalk-acme',
      },
    ],
    accessKey: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    identityCenter: { account: PROD, instanceArn: INSTANCE_ARN, identityStoreId: IDENTITY_STORE },
    endpoint: fake.url,
    controlOwner: 'platform@acme.example',
    requests: { backoffMs: 10, maxRateLimitWaitSeconds: 5, reportPollMs: 5 },
    ...overrides,
  };
}

export function startFake(
  organization: FakeOrganization = acme(),
  options: { validate?: boolean } = {},
): Promise<FakeAws> {
  return FakeAws.start({ organization, accessKeyId: ACCESS_KEY_ID, ...options });
}

/**
 * Acme's two accounts, with the known answers the tests state:
 * - production: alice (admin through the Admins group, password and MFA, one key used last week), bob (password
 *   without MFA, an active key last rotated 2025-06-01 and never used), ci-deployer (no password, one active key
 *   and one inactive); the root user has MFA and no keys. IAM needs two polls to write the report.
 * - CloudTrail in production: carol's user deleted by alice (2026-03-10), bob's key deactivated (03-11), a denied
 *   DeleteUser (03-12), an UpdateAccessKey to Active (not a change we keep), a DescribeX-like read (ListUsers).
 * - staging (through the role): dave, password and MFA; the root user without MFA and with an active key.
 * - Identity Center: erin (AdministratorAccess in production), frank (ReadOnly in both accounts), the Auditors
 *   group (ReadOnly in staging); grace has no assignment.
 */
export function acme(): FakeOrganization {
  const admins = group('Admins', [policy('AdministratorAccess')]);
  const production = account(PROD, {
    groups: [admins, group('Developers', [policy('ReadOnlyAccess')])],
    users: [
      iamUser('alice@acme.example', {
        groups: ['Admins'],
        password: { changedAt: '2026-01-10T08:00:00Z', lastUsed: '2026-03-15T09:12:00Z' },
        keys: [
          accessKey({
            lastRotated: '2026-02-01T10:00:00Z',
            lastUsed: { at: '2026-03-14T17:00:00Z', region: 'eu-west-1', service: 's3' },
          }),
        ],
      }),
      iamUser('bob', {
        groups: ['Developers'],
        mfa: false,
        keys: [accessKey({ lastRotated: '2025-06-01T10:00:00Z' })],
      }),
      iamUser('ci-deployer', {
        password: undefined,
        mfa: false,
        policies: [policy('DeployPolicy', PROD)],
        keys: [
          accessKey({
            lastRotated: '2026-03-01T00:00:00Z',
            lastUsed: { at: '2026-03-15T23:00:00Z', region: 'us-east-1', service: 'ecr' },
          }),
          accessKey({ active: false, lastRotated: '2025-01-01T00:00:00Z' }),
        ],
      }),
    ],
    reportPolls: 2,
    reportGeneratedAt: '2026-03-16T06:00:00Z',
    events: [
      trailEvent(
        PROD,
        'DeleteLoginProfile',
        '2026-03-10T14:00:00Z',
        { userName: 'alice@acme.example' },
        { userName: 'carol' },
      ),
      trailEvent(
        PROD,
        'DeleteUser',
        '2026-03-10T14:05:00Z',
        { userName: 'alice@acme.example' },
        { userName: 'carol' },
      ),
      trailEvent(
        PROD,
        'UpdateAccessKey',
        '2026-03-11T09:00:00Z',
        { role: 'AWSReservedSSO_Admin_abc', session: 'erin@acme.example' },
        {
          userName: 'bob',
          accessKeyId: 'AKIAOLDKEY0000000001',
          status: 'Inactive',
        },
      ),
      trailEvent(
        PROD,
        'DeleteUser',
        '2026-03-12T10:00:00Z',
        { userName: 'bob' },
        { userName: 'alice@acme.example' },
        {
          errorCode: 'AccessDenied',
        },
      ),
      trailEvent(
        PROD,
        'UpdateAccessKey',
        '2026-03-13T10:00:00Z',
        { userName: 'bob' },
        { accessKeyId: 'AKIAOLDKEY0000000002', status: 'Active' },
      ),
      trailEvent(PROD, 'ListUsers', '2026-03-13T11:00:00Z', { userName: 'bob' }, null),
      trailEvent(
        PROD,
        'DeleteUser',
        '2026-03-01T10:00:00Z',
        { userName: 'alice@acme.example' },
        { userName: 'before-window' },
      ),
    ],
  });
  const staging = account(STAGING, {
    users: [
      iamUser('dave@acme.example', {
        password: { changedAt: '2026-02-02T00:00:00Z', lastUsed: '2026-03-02T00:00:00Z' },
      }),
    ],
    root: {
      createdAt: '2023-05-05T00:00:00Z',
      mfa: false,
      keys: [accessKey({ lastRotated: '2024-01-01T00:00:00Z' })],
    },
    reportGeneratedAt: '2026-03-16T05:00:00Z',
  });
  const user = (id: string, name: string) => ({
    id,
    userName: `${name}@acme.example`,
    displayName: name.charAt(0).toUpperCase() + name.slice(1),
    email: `${name}@acme.example`,
  });
  return {
    accounts: [production, staging],
    identityCenter: {
      instanceArn: INSTANCE_ARN,
      identityStoreId: IDENTITY_STORE,
      users: [
        user('9067a1b2c3-00000001-0000-4000-8000-0000000000e1', 'erin'),
        user('9067a1b2c3-00000002-0000-4000-8000-0000000000f2', 'frank'),
        user('9067a1b2c3-00000003-0000-4000-8000-0000000000a3', 'grace'),
      ],
      permissionSets: [
        { arn: ADMIN_SET, name: 'AdministratorAccess', sessionDuration: 'PT1H' },
        { arn: READ_SET, name: 'ReadOnly', sessionDuration: 'PT8H' },
      ],
      assignments: [
        {
          accountId: PROD,
          permissionSetArn: ADMIN_SET,
          principalType: 'USER',
          principalId: '9067a1b2c3-00000001-0000-4000-8000-0000000000e1',
        },
        {
          accountId: PROD,
          permissionSetArn: READ_SET,
          principalType: 'USER',
          principalId: '9067a1b2c3-00000002-0000-4000-8000-0000000000f2',
        },
        {
          accountId: STAGING,
          permissionSetArn: READ_SET,
          principalType: 'USER',
          principalId: '9067a1b2c3-00000002-0000-4000-8000-0000000000f2',
        },
        {
          accountId: STAGING,
          permissionSetArn: READ_SET,
          principalType: 'GROUP',
          principalId: '9067a1b2c3-00000009-0000-4000-8000-0000000000b9',
        },
      ],
    },
  };
}
