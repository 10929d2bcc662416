/**
 * A Google Workspace account as the loopback fake serves it: Directory API users, roles and role assignments, and
 * Reports API activities, in Google's own shapes (the discovery documents' `User`, `Role`, `RoleAssignment`,
 * `Activity`). Builders give realistic defaults; tests override what they state.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

export interface FakeTenant {
  customerId: string;
  domain: string;
  users: Json[];
  roles: Json[];
  roleAssignments: Json[];
  activities: { admin: Json[]; login: Json[] };
}

/** A stable numeric id from a text, as Google's ids look (21 digits for users, 16 for roles). */
export function numericId(text: string, digits: number): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return (BigInt(`0x${hex.slice(0, 24)}`) % 10n ** BigInt(digits)).toString().padStart(digits, '1');
}

/** A Directory API user, active, enrolled and enforced in 2SV, who signed in recently. */
export function user(email: string, overrides: Json = {}): Json {
  const [local] = email.split('@');
  const [given = local, family = 'Example'] = (local ?? '').split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return {
    kind: 'admin#directory#user',
    id: numericId(email, 21),
    etag: `"${numericId(`etag:${email}`, 12)}"`,
    primaryEmail: email,
    name: { givenName: cap(given!), familyName: cap(family), fullName: `${cap(given!)} ${cap(family)}` },
    isAdmin: false,
    isDelegatedAdmin: false,
    lastLoginTime: '2026-03-07T09:15:00.000Z',
    creationTime: '2025-01-06T10:00:00.000Z',
    agreedToTerms: true,
    suspended: false,
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: email, primary: true }],
    customerId: 'C03az79cb',
    orgUnitPath: '/',
    isMailboxSetup: true,
    isEnrolledIn2Sv: true,
    isEnforcedIn2Sv: true,
    includeInGlobalAddressList: true,
    ...overrides,
  };
}

/** A Directory API role. */
export function role(name: string, overrides: Json = {}): Json {
  return {
    kind: 'admin#directory#role',
    etag: `"${numericId(`etag:${name}`, 12)}"`,
    roleId: numericId(`role:${name}`, 16),
    roleName: name,
    roleDescription: name.replace(/_/g, ' ').toLowerCase(),
    isSystemRole: true,
    isSuperAdminRole: name === '_SEED_ADMIN_ROLE',
    rolePrivileges: [{ privilegeName: 'USERS_RETRIEVE', serviceId: '00haapch16h1ysv' }],
    ...overrides,
  };
}

/** A role assignment of a role to a user (or a group). */
export function roleAssignment(roleOf: Json, assignedTo: string, overrides: Json = {}): Json {
  return {
    kind: 'admin#directory#roleAssignment',
    etag: `"${numericId(`etag:${String(roleOf.roleId)}:${assignedTo}`, 12)}"`,
    roleAssignmentId: numericId(`assignment:${String(roleOf.roleId)}:${assignedTo}`, 16),
    roleId: roleOf.roleId,
    assignedTo,
    assigneeType: 'user',
    scopeType: 'CUSTOMER',
    ...overrides,
  };
}

let qualifier = 0n;

/** A Reports API activity holding one event, at `time`, by `actor`. */
export function activity(
  application: 'admin' | 'login',
  time: string,
  actor: { email: string; profileId?: string },
  event: { type: string; name: string; parameters?: Json[] },
  overrides: Json = {},
): Json {
  qualifier += 1n;
  return {
    kind: 'admin#reports#activity',
    id: {
      time,
      uniqueQualifier: `${-4_000_000_000_000_000_000n + qualifier * 7_919n}`,
      applicationName: application,
      customerId: 'C03az79cb',
    },
    etag: `"${numericId(`activity:${time}:${qualifier}`, 12)}"`,
    actor: {
      callerType: 'USER',
      email: actor.email,
      profileId: actor.profileId ?? numericId(actor.email, 21),
    },
    ipAddress: '203.0.113.24',
    events: [{ type: event.type, name: event.name, parameters: event.parameters ?? [] }],
    ...overrides,
  };
}

/** An Admin console event about a user (`USER_SETTINGS`: SUSPEND_USER, DELETE_USER, UNDELETE_USER, ...). */
export function adminUserEvent(time: string, admin: string, name: string, target: string): Json {
  return activity(
    'admin',
    time,
    { email: admin },
    {
      type: 'USER_SETTINGS',
      name,
      parameters: [{ name: 'USER_EMAIL', value: target }],
    },
  );
}

/** A login event (`login_success` or `login_failure`) with its login type and challenge methods. */
export function loginEvent(
  time: string,
  email: string,
  name: 'login_success' | 'login_failure',
  options: { loginType?: string; challenge?: string[]; suspicious?: boolean } = {},
): Json {
  return activity(
    'login',
    time,
    { email },
    {
      type: 'login',
      name,
      parameters: [
        { name: 'login_type', value: options.loginType ?? 'google_password' },
        { name: 'login_challenge_method', multiValue: options.challenge ?? ['password', 'google_prompt'] },
        { name: 'is_suspicious', boolValue: options.suspicious ?? false },
      ],
    },
  );
}
