/**
 * AWS accounts as the loopback fake serves them: IAM users with their passwords, MFA, access keys, groups and
 * attached policies (from which the fake writes the credential report the way IAM does), the root user, CloudTrail
 * management events, and optionally an IAM Identity Center instance. Builders give realistic defaults; tests
 * override what they state.
 */
import { CREDENTIAL_REPORT_COLUMNS } from '../credential-report.js';

export interface FakePolicy {
  name: string;
  arn: string;
}

export interface FakeAccessKey {
  id: string;
  active: boolean;
  lastRotated: string;
  lastUsed?: { at: string; region: string; service: string };
}

export interface FakeIamUser {
  name: string;
  id: string;
  createdAt: string;
  path: string;
  groups: string[];
  policies: FakePolicy[];
  /** A console password, with when it was last changed and used; absent: no login profile. */
  password?: { changedAt: string; lastUsed?: string };
  mfa: boolean;
  keys: FakeAccessKey[];
}

export interface FakeGroup {
  name: string;
  id: string;
  createdAt: string;
  policies: FakePolicy[];
}

export interface FakeTrailEvent {
  id: string;
  name: string;
  time: string;
  /** The caller's IAM identity, as CloudTrail's userIdentity. */
  identity: Record<string, unknown>;
  requestParameters: Record<string, unknown> | null;
  errorCode?: string;
  /** The resources CloudTrail lists for the event (the user name). */
  resources?: { type: string; name: string }[];
}

export interface FakeIdentityCenter {
  instanceArn: string;
  identityStoreId: string;
  users: { id: string; userName: string; displayName: string; email: string; active?: boolean }[];
  permissionSets: { arn: string; name: string; sessionDuration: string }[];
  /** Who holds which permission set in which account (principal: a user id or a group id). */
  assignments: {
    accountId: string;
    permissionSetArn: string;
    principalType: 'USER' | 'GROUP';
    principalId: string;
  }[];
}

export interface FakeAccount {
  accountId: string;
  users: FakeIamUser[];
  groups: FakeGroup[];
  root: {
    createdAt: string;
    mfa: boolean;
    /** Root access keys present (GetAccountSummary's AccountAccessKeysPresent), and their report rows. */
    keys: FakeAccessKey[];
    passwordLastUsed?: string;
  };
  events: FakeTrailEvent[];
  /** How many GenerateCredentialReport calls answer STARTED/INPROGRESS before one answers COMPLETE. */
  reportPolls?: number;
  /** A report served as is instead of the one written from `users` (to test a malformed one). */
  reportCsv?: string;
  /** When the served report was generated; defaults to the time of the request that completed it. */
  reportGeneratedAt?: string;
}

export interface FakeOrganization {
  accounts: FakeAccount[];
  identityCenter?: FakeIdentityCenter;
}

let counter = 0;
const next = () => {
  counter += 1;
  return counter.toString(36).toUpperCase().padStart(6, '0');
};

export const policy = (name: string, managedBy: 'aws' | string = 'aws'): FakePolicy => ({
  name,
  arn: managedBy === 'aws' ? `arn:aws:iam::aws:policy/${name}` : `arn:aws:iam::${managedBy}:policy/${name}`,
});

export function accessKey(options: Partial<FakeAccessKey> & { lastRotated: string }): FakeAccessKey {
  return { id: `AKIA${next().padStart(16, 'X')}`, active: true, ...options };
}

/** A user created on `createdAt` with a password and MFA unless the options say otherwise. */
export function iamUser(
  name: string,
  options: Partial<Omit<FakeIamUser, 'name'>> & { createdAt?: string } = {},
): FakeIamUser {
  const createdAt = options.createdAt ?? '2025-01-06T09:00:00Z';
  return {
    name,
    id: `AIDA${next().padStart(17, 'Q')}`,
    createdAt,
    path: '/',
    groups: [],
    policies: [],
    password: { changedAt: createdAt },
    mfa: true,
    keys: [],
    ...options,
  };
}

export function group(
  name: string,
  policies: FakePolicy[] = [],
  createdAt = '2024-06-03T10:00:00Z',
): FakeGroup {
  return { name, id: `AGPA${next().padStart(17, 'G')}`, createdAt, policies };
}

export function account(
  accountId: string,
  options: Partial<Omit<FakeAccount, 'accountId'>> = {},
): FakeAccount {
  return {
    accountId,
    users: [],
    groups: [],
    root: { createdAt: '2023-02-01T08:00:00Z', mfa: true, keys: [] },
    events: [],
    ...options,
  };
}

/** A CloudTrail management event from IAM, made by `actor` (an IAM user name or an assumed role's session). */
export function trailEvent(
  accountId: string,
  name: string,
  time: string,
  actor: { userName: string } | { role: string; session: string },
  requestParameters: Record<string, unknown> | null,
  options: { errorCode?: string } = {},
): FakeTrailEvent {
  const identity =
    'userName' in actor
      ? {
          type: 'IAMUser',
          principalId: `AIDA${next()}`,
          arn: `arn:aws:iam::${accountId}:user/${actor.userName}`,
          accountId,
          userName: actor.userName,
        }
      : {
          type: 'AssumedRole',
          principalId: `AROA${next()}:${actor.session}`,
          arn: `arn:aws:sts::${accountId}:assumed-role/${actor.role}/${actor.session}`,
          accountId,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              arn: `arn:aws:iam::${accountId}:role/${actor.role}`,
              accountId,
              userName: actor.role,
            },
          },
        };
  const userName = requestParameters?.userName;
  return {
    id: `${next().toLowerCase()}-0000-4000-8000-${accountId}`,
    name,
    time,
    identity,
    requestParameters,
    ...options,
    resources: typeof userName === 'string' ? [{ type: 'AWS::IAM::User', name: userName }] : [],
  };
}

/** IAM writes times in the report as ISO 8601 with an offset, `2026-03-01T09:00:00+00:00`. */
const reportTime = (iso: string | undefined, none = 'N/A') =>
  iso === undefined ? none : new Date(iso).toISOString().replace('.000Z', '+00:00');

function keyColumns(key: FakeAccessKey | undefined): string[] {
  if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    String(key.active),
    reportTime(key.lastRotated),
    reportTime(key.lastUsed?.at),
    key.lastUsed?.region ?? 'N/A',
    key.lastUsed?.service ?? 'N/A',
  ];
}

/** The credential report IAM would write for the account: the root row first, then every user. */
export function credentialReportCsv(account: FakeAccount): string {
  const root = [
    '<root_account>',
    `arn:aws:iam::${account.accountId}:root`,
    reportTime(account.root.createdAt),
    'not_supported',
    reportTime(account.root.passwordLastUsed, 'no_information'),
    'not_supported',
    'not_supported',
    String(account.root.mfa),
    ...keyColumns(account.root.keys[0]),
    ...keyColumns(account.root.keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ];
  const users = account.users.map((user) => [
    user.name,
    `arn:aws:iam::${account.accountId}:user${user.path}${user.name}`,
    reportTime(user.createdAt),
    String(user.password !== undefined),
    user.password ? reportTime(user.password.lastUsed, 'no_information') : 'N/A',
    user.password ? reportTime(user.password.changedAt) : 'N/A',
    'N/A',
    String(user.mfa),
    ...keyColumns(user.keys[0]),
    ...keyColumns(user.keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ]);
  return [CREDENTIAL_REPORT_COLUMNS, root, ...users].map((row) => row.join(',')).join('\n');
}
