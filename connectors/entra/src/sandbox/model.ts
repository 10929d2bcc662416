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

export interface FakeAccessReview {
  definition: Json;
  instances: { instance: Json; decisions: Json[] }[];
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
  /** `conditionalAccessPolicy` objects. */
  conditionalAccess?: Json[];
  /** The `authenticationMethodsPolicy`, its `authenticationMethodConfigurations` inline as Graph returns them. */
  authenticationMethodsPolicy?: Json;
  /** `signIn` entries of the sign-in log. */
  signIns?: Json[];
  /** Access reviews: each definition with its instances and their decisions. */
  accessReviews?: FakeAccessReview[];
  /** Entra ID P2 / ID Governance: without it the access reviews API answers 403. @defaultValue true */
  governance?: boolean;
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

/** A Conditional Access policy: `caPolicy('Require MFA for everyone', { grant: ['mfa'] })`. */
export function caPolicy(
  displayName: string,
  options: {
    state?: string;
    grant?: string[];
    includeUsers?: string[];
    excludeUsers?: string[];
    modified?: string;
  } = {},
): Json {
  return {
    id: guid(`ca:${displayName}`),
    templateId: null,
    displayName,
    createdDateTime: '2025-09-01T10:00:00Z',
    modifiedDateTime: options.modified ?? '2026-01-15T10:00:00Z',
    state: options.state ?? 'enabled',
    sessionControls: null,
    conditions: {
      userRiskLevels: [],
      signInRiskLevels: [],
      clientAppTypes: ['all'],
      platforms: null,
      locations: null,
      devices: null,
      clientApplications: null,
      applications: {
        includeApplications: ['All'],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
      },
      users: {
        includeUsers: options.includeUsers ?? ['All'],
        excludeUsers: options.excludeUsers ?? [],
        includeGroups: [],
        excludeGroups: [],
        includeRoles: [],
        excludeRoles: [],
        includeGuestsOrExternalUsers: null,
        excludeGuestsOrExternalUsers: null,
      },
    },
    grantControls: {
      operator: 'OR',
      builtInControls: options.grant ?? ['mfa'],
      customAuthenticationFactors: [],
      termsOfUse: [],
      authenticationStrength: null,
    },
  };
}

/** The tenant's authentication methods policy with the given methods' states. */
export function methodsPolicy(
  states: Record<string, 'enabled' | 'disabled'>,
  modified = '2026-01-10T08:00:00Z',
): Json {
  const types: Record<string, string> = {
    Fido2: 'fido2AuthenticationMethodConfiguration',
    MicrosoftAuthenticator: 'microsoftAuthenticatorAuthenticationMethodConfiguration',
    Sms: 'smsAuthenticationMethodConfiguration',
    Email: 'emailAuthenticationMethodConfiguration',
  };
  return {
    id: 'authenticationMethodsPolicy',
    displayName: 'Authentication Methods Policy',
    description:
      'The tenant-wide policy that controls which authentication methods are allowed in the tenant.',
    lastModifiedDateTime: modified,
    policyVersion: '1.5',
    reconfirmationInDays: 0,
    policyMigrationState: 'migrationComplete',
    registrationEnforcement: {
      authenticationMethodsRegistrationCampaign: {
        snoozeDurationInDays: 1,
        state: 'default',
        excludeTargets: [],
        includeTargets: [
          { id: 'all_users', targetType: 'group', targetedAuthenticationMethod: 'microsoftAuthenticator' },
        ],
      },
    },
    authenticationMethodConfigurations: Object.entries(states).map(([id, state]) => ({
      '@odata.type': `#microsoft.graph.${types[id] ?? 'authenticationMethodConfiguration'}`,
      id,
      state,
      excludeTargets: [],
    })),
  };
}

/** A policy change in the directory audit log (category Policy). */
export function policyAudit(activity: string, at: string, policy: Json, by: Json): Json {
  return {
    id: `IPCGraph_${guid(`${activity}|${at}|${String(policy.id)}`)}`,
    category: 'Policy',
    correlationId: guid(`correlation|${activity}|${at}`),
    result: 'success',
    resultReason: '',
    activityDisplayName: activity,
    activityDateTime: at,
    loggedByService: activity.includes('conditional access')
      ? 'Conditional Access'
      : 'Authentication Methods',
    operationType: activity.split(' ')[0] === 'Authentication' ? 'Update' : activity.split(' ')[0],
    initiatedBy: {
      app: null,
      user: {
        id: by.id,
        displayName: null,
        userPrincipalName: by.userPrincipalName,
        ipAddress: '203.0.113.10',
      },
    },
    targetResources: [
      {
        id: policy.id,
        displayName: policy.displayName ?? null,
        type: 'Policy',
        userPrincipalName: null,
        groupType: null,
        modifiedProperties: [],
      },
    ],
    additionalDetails: [],
  };
}

/** An access review definition reviewing a group's members, quarterly, decisions applied automatically. */
export function reviewDefinition(
  displayName: string,
  createdBy: Json,
  options: { autoApply?: boolean } = {},
): Json {
  return {
    id: guid(`review:${displayName}`),
    displayName,
    createdDateTime: '2025-12-01T10:00:00Z',
    lastModifiedDateTime: '2025-12-01T10:00:00Z',
    status: 'InProgress',
    descriptionForAdmins: 'Quarterly review of who keeps access',
    descriptionForReviewers: 'Keep only the people who still need it',
    createdBy: {
      id: createdBy.id,
      displayName: createdBy.displayName,
      userPrincipalName: createdBy.userPrincipalName,
    },
    scope: {
      '@odata.type': '#microsoft.graph.accessReviewQueryScope',
      query: `/groups/${guid(`group:${displayName}`)}/transitiveMembers`,
      queryType: 'MicrosoftGraph',
      queryRoot: null,
    },
    instanceEnumerationScope: null,
    reviewers: [{ query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' }],
    fallbackReviewers: [],
    additionalNotificationRecipients: [],
    settings: {
      mailNotificationsEnabled: true,
      reminderNotificationsEnabled: true,
      justificationRequiredOnApproval: true,
      defaultDecisionEnabled: false,
      defaultDecision: 'None',
      instanceDurationInDays: 14,
      autoApplyDecisionsEnabled: options.autoApply ?? true,
      recommendationsEnabled: true,
      recurrence: {
        pattern: {
          type: 'absoluteMonthly',
          interval: 3,
          month: 0,
          dayOfMonth: 15,
          daysOfWeek: [],
          firstDayOfWeek: 'sunday',
          index: 'first',
        },
        range: {
          type: 'noEnd',
          numberOfOccurrences: 0,
          recurrenceTimeZone: null,
          startDate: '2025-12-15',
          endDate: null,
        },
      },
      applyActions: [{ '@odata.type': '#microsoft.graph.removeAccessApplyAction' }],
    },
  };
}

export function reviewInstance(start: string, end: string, status: string): Json {
  return {
    id: guid(`instance:${start}|${end}`),
    startDateTime: start,
    endDateTime: end,
    status,
    scope: null,
    reviewers: [],
    fallbackReviewers: [],
  };
}

/** A decision on one principal's access; `applied` is when a deny's removal was applied (Entra's applyResult). */
export function decision(
  principal: Json,
  outcome: 'Approve' | 'Deny' | 'NotReviewed' | 'DontKnow',
  options: { reviewer?: Json; reviewedAt?: string; applied?: string | null; resource?: string } = {},
): Json {
  const reviewer = options.reviewer;
  const applied = outcome === 'Deny' ? options.applied : undefined;
  return {
    id: guid(`decision:${String(principal.id)}|${outcome}|${options.reviewedAt ?? ''}`),
    accessReviewId: null,
    decision: outcome,
    justification: outcome === 'NotReviewed' ? '' : `${outcome} after checking with the team`,
    recommendation: 'Approve',
    applyResult:
      outcome === 'Deny'
        ? applied
          ? 'AppliedSuccessfully'
          : 'New'
        : outcome === 'NotReviewed'
          ? 'New'
          : 'AppliedSuccessfully',
    appliedDateTime: applied ?? null,
    appliedBy: applied
      ? {
          id: '00000000-0000-0000-0000-000000000000',
          displayName: 'Azure AD',
          userPrincipalName: null,
          ipAddress: null,
        }
      : null,
    reviewedBy: reviewer
      ? {
          id: reviewer.id,
          displayName: reviewer.displayName,
          userPrincipalName: reviewer.userPrincipalName,
          ipAddress: null,
        }
      : {
          id: '00000000-0000-0000-0000-000000000000',
          displayName: '',
          userPrincipalName: '',
          ipAddress: null,
        },
    reviewedDateTime: reviewer ? (options.reviewedAt ?? null) : null,
    principalLink: `https://graph.microsoft.com/v1.0/users/${String(principal.id)}`,
    resourceLink: null,
    principal: {
      '@odata.type': '#microsoft.graph.userIdentity',
      id: principal.id,
      displayName: principal.displayName,
      userPrincipalName: principal.userPrincipalName,
      ipAddress: null,
    },
    resource: {
      id: guid(`group:${options.resource ?? 'resource'}`),
      displayName: options.resource ?? 'Salesforce users',
      type: 'group',
    },
  };
}

/**
 * A sign-in: `signIn(user, at, { mfaPolicy: true })` was covered by a Conditional Access policy that required MFA;
 * `errorCode` other than 0 is a failed sign-in.
 */
export function signIn(
  user: Json,
  at: string,
  options: { mfaPolicy?: boolean; errorCode?: number } = {},
): Json {
  const failed = (options.errorCode ?? 0) !== 0;
  return {
    id: guid(`signin|${String(user.id)}|${at}`),
    createdDateTime: at,
    userDisplayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    userId: user.id,
    appId: '00000003-0000-0ff1-ce00-000000000000',
    appDisplayName: 'Office 365 SharePoint Online',
    ipAddress: '203.0.113.25',
    clientAppUsed: 'Browser',
    correlationId: guid(`signin-correlation|${String(user.id)}|${at}`),
    conditionalAccessStatus: options.mfaPolicy ? (failed ? 'failure' : 'success') : 'notApplied',
    isInteractive: true,
    riskDetail: 'none',
    riskLevelAggregated: 'none',
    riskLevelDuringSignIn: 'none',
    riskState: 'none',
    riskEventTypes: [],
    riskEventTypes_v2: [],
    resourceDisplayName: 'Office 365 SharePoint Online',
    resourceId: '00000003-0000-0ff1-ce00-000000000000',
    status: {
      errorCode: options.errorCode ?? 0,
      failureReason: failed ? 'Invalid username or password.' : 'Other.',
      additionalDetails: null,
    },
    deviceDetail: {
      deviceId: '',
      displayName: null,
      operatingSystem: 'Windows 10',
      browser: 'Edge 120.0.0',
      isCompliant: false,
      isManaged: false,
      trustType: null,
    },
    location: {
      city: 'Dublin',
      state: 'Dublin',
      countryOrRegion: 'IE',
      geoCoordinates: { altitude: null, latitude: 53.35, longitude: -6.26 },
    },
    appliedConditionalAccessPolicies: options.mfaPolicy
      ? [
          {
            id: guid('ca:Require MFA for everyone'),
            displayName: 'Require MFA for everyone',
            enforcedGrantControls: ['Mfa'],
            enforcedSessionControls: [],
            result: failed ? 'failure' : 'success',
          },
        ]
      : [],
  };
}
