/**
 * The tenant a loopback Microsoft Graph serves: users, their authentication-method registrations, directory roles
 * and the directory audit log, held as Graph JSON, and the builders tests and the demo write them with.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

export interface FakeRole {
  id: string;
  roleTemplateId: string;
  displayName: string;
  /** Ids of the directory objects holding the role directly (users, or groups named in `groups`). */
  members: string[];
}

export interface FakeTenant {
  tenantId: string;
  /** Graph `user` objects. */
  users: Json[];
  /**
   * Other directory objects that hold roles, with their `@odata.type`: role-assignable groups, and users the users
   * list does not show (created while a snapshot is taken).
   */
  directoryObjects?: Json[];
  /** `userRegistrationDetails` entries, by the user's id. */
  registrations: Json[];
  roles: FakeRole[];
  /** `directoryAudit` entries. */
  audits: Json[];
  /** Entra ID P1/P2: without it the registration report answers 403 as Graph does. @defaultValue true */
  premium?: boolean;
}

/** A stable GUID from a name, so the same person has the same id in every run and test. */
export function guid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A Graph user: `user('alice@contoso.example', { accountEnabled: false })`. */
export function user(upn: string, overrides: Json = {}): Json & { id: string; userPrincipalName: string } {
  const local = upn.split('@')[0]!;
  const guest = overrides.userType === 'Guest';
  return {
    id: guid(upn),
    userPrincipalName: guest ? `${local.replace('.', '_')}_ext#EXT#@contoso.onmicrosoft.com` : upn,
    mail: upn,
    displayName: local
      .split(/[._]/)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join(' '),
    accountEnabled: true,
    userType: 'Member',
    externalUserState: guest ? 'Accepted' : null,
    createdDateTime: '2025-06-01T09:00:00Z',
    onPremisesSyncEnabled: null,
    ...overrides,
  } as Json & { id: string; userPrincipalName: string };
}

/** A registration details entry for a user: with `methods` a multifactor method is registered. */
export function registration(of: Json, methods: string[] = ['microsoftAuthenticatorPush']): Json {
  const strong = methods.some((method) => method !== 'email' && method !== 'securityQuestion');
  return {
    id: of.id,
    userPrincipalName: of.userPrincipalName,
    userDisplayName: of.displayName,
    userType: of.userType === 'Guest' ? 'guest' : 'member',
    isAdmin: false,
    isMfaCapable: strong,
    isMfaRegistered: strong,
    isPasswordlessCapable: methods.includes('fido2'),
    isSsprCapable: strong,
    isSsprEnabled: true,
    isSsprRegistered: strong,
    isSystemPreferredAuthenticationMethodEnabled: false,
    lastUpdatedDateTime: '2026-02-01T10:00:00Z',
    methodsRegistered: methods,
    systemPreferredAuthenticationMethods: [],
    userPreferredMethodForSecondaryAuthentication: strong ? 'push' : 'none',
  };
}

/** Well-known role templates (the same ids in every tenant). */
export const ROLE_TEMPLATES = {
  globalAdministrator: {
    roleTemplateId: '62e90394-69f5-4237-9190-012177145e10',
    displayName: 'Global Administrator',
  },
  userAdministrator: {
    roleTemplateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
    displayName: 'User Administrator',
  },
} as const;

export function role(template: keyof typeof ROLE_TEMPLATES, members: string[]): FakeRole {
  const { roleTemplateId, displayName } = ROLE_TEMPLATES[template];
  return { id: guid(`role:${template}`), roleTemplateId, displayName, members };
}

/** Who did something: a person (a user), or an app (a sync engine, a workflow). */
export type Initiator = { user: Json } | { app: { appId: string; displayName: string } };

/**
 * A directory audit entry as Graph writes it. `role` adds the `Role.*` modified properties of a role assignment.
 */
export function audit(
  activity: string,
  at: string,
  target: Json,
  by: Initiator,
  options: { role?: FakeRole; result?: string; id?: string } = {},
): Json {
  const category = options.role ? 'RoleManagement' : 'UserManagement';
  const removing = activity.startsWith('Remove');
  const value = (text: string) => JSON.stringify(`${text}`);
  const roleProperties = options.role
    ? [
        {
          displayName: 'Role.ObjectID',
          oldValue: removing ? value(options.role.id) : null,
          newValue: removing ? null : value(options.role.id),
        },
        {
          displayName: 'Role.DisplayName',
          oldValue: removing ? value(options.role.displayName) : null,
          newValue: removing ? null : value(options.role.displayName),
        },
        {
          displayName: 'Role.TemplateId',
          oldValue: removing ? value(options.role.roleTemplateId) : null,
          newValue: removing ? null : value(options.role.roleTemplateId),
        },
      ]
    : [];
  const initiatedBy =
    'user' in by
      ? {
          app: null,
          user: {
            id: by.user.id,
            displayName: null,
            userPrincipalName: by.user.userPrincipalName,
            ipAddress: '203.0.113.10',
          },
        }
      : {
          app: {
            appId: by.app.appId,
            displayName: by.app.displayName,
            servicePrincipalId: guid(`sp:${by.app.appId}`),
            servicePrincipalName: null,
          },
          user: null,
        };
  return {
    id: options.id ?? `Directory_${guid(`${activity}|${at}|${String(target.id)}`).toUpperCase()}`,
    category,
    correlationId: guid(`correlation|${activity}|${at}`),
    result: options.result ?? 'success',
    resultReason: '',
    activityDisplayName: activity,
    activityDateTime: at,
    loggedByService: 'Core Directory',
    operationType: activity.split(' ')[0],
    initiatedBy,
    targetResources: [
      {
        id: target.id,
        displayName: null,
        type: 'User',
        userPrincipalName: target.userPrincipalName,
        groupType: null,
        modifiedProperties: roleProperties,
      },
    ],
    additionalDetails: [{ key: 'UserType', value: String(target.userType ?? 'Member') }],
  };
}
