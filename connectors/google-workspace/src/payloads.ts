import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC day, yyyy-mm-dd');

/** An admin role a user holds, from the Directory API's role assignments and the role's definition. */
const adminRoleSchema = z
  .object({
    roleId: z.string().min(1),
    /** The role's name (`_SEED_ADMIN_ROLE` is Google's super admin); null when the roles list lacks it. */
    roleName: z.string().nullable(),
    isSuperAdminRole: z.boolean().nullable(),
    /** `CUSTOMER` (the whole account) or `ORG_UNIT` (limited to `orgUnitId`). */
    scopeType: z.string().nullable(),
    orgUnitId: z.string().nullable(),
    /** `user` when assigned to the user, `group` when held through a group (listed under groupRoleAssignments). */
    assignedTo: z.enum(['user', 'group']),
  })
  .strict();

const workspaceUserSchema = z
  .object({
    person: personSchema,
    suspended: z.boolean(),
    /** Why Google or an admin suspended the account (`ADMIN`, `ABUSE`, ...); null when not suspended. */
    suspensionReason: z.string().nullable(),
    archived: z.boolean(),
    /** 2-Step Verification: the user has enrolled a second factor. */
    enrolledIn2Sv: z.boolean().nullable(),
    /** 2-Step Verification: the user's organizational unit enforces it. */
    enforcedIn2Sv: z.boolean().nullable(),
    /** Google's super administrator flag. */
    isAdmin: z.boolean(),
    isDelegatedAdmin: z.boolean(),
    /** Admin roles assigned to the user directly; null when the role assignments could not be read. */
    adminRoles: z.array(adminRoleSchema).nullable(),
    /** null when the user never signed in (Google reports 1970-01-01). */
    lastLogin: timestampSchema.nullable(),
    created: timestampSchema.nullable(),
    orgUnitPath: z.string().nullable(),
  })
  .strict();

export const googleWorkspaceUsersSnapshotSchema = z
  .object({
    /** The Google Workspace customer id (`C0123abcd`) or `my_customer` as configured. */
    customer: z.string().min(1),
    users: z.array(workspaceUserSchema),
    /** Role assignments to groups: their members hold the role too, which the Directory API does not expand here. */
    groupRoleAssignments: z.array(
      z
        .object({
          groupId: z.string().min(1),
          roleId: z.string().min(1),
          roleName: z.string().nullable(),
          scopeType: z.string().nullable(),
          orgUnitId: z.string().nullable(),
        })
        .strict(),
    ),
    counts: z
      .object({
        users: z.number().int().nonnegative(),
        suspended: z.number().int().nonnegative(),
        archived: z.number().int().nonnegative(),
        /** Active (neither suspended nor archived) users, and those of them without 2SV enrolled. */
        active: z.number().int().nonnegative(),
        activeWithout2Sv: z.number().int().nonnegative(),
        activeNotEnforced2Sv: z.number().int().nonnegative(),
        /** Super admins, delegated admins and holders of a role assignment; null when roles were unreadable. */
        admins: z.number().int().nonnegative().nullable(),
      })
      .strict(),
    /** What these credentials could not read, so the snapshot lacks it. Empty when everything was read. */
    limitations: z.array(z.string()),
  })
  .strict();

const parameterSchema = z
  .object({
    name: z.string().min(1),
    /** The parameter's value as Google gave it (string, boolean, integer string or a list of them). */
    value: z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))]).nullable(),
  })
  .strict();

export const googleWorkspaceAdminEventSchema = z
  .object({
    customer: z.string().min(1),
    /** `<id.time>/<id.uniqueQualifier>/<index of the event in the activity>`: unique per event. */
    eventId: z.string().min(1),
    /** The Reports API's event name, e.g. `SUSPEND_USER`, `ASSIGN_ROLE`, `ENFORCE_STRONG_AUTHENTICATION`. */
    eventName: z.string().min(1),
    /** The event's type, e.g. `USER_SETTINGS`, `DELEGATED_ADMIN_SETTINGS`, `SECURITY_SETTINGS`. */
    eventType: z.string().nullable(),
    /** Computed from the name: what the event means for access. */
    action: z.enum([
      'user_created',
      'user_suspended',
      'user_unsuspended',
      'user_deleted',
      'user_restored',
      'user_archived',
      'user_unarchived',
      'admin_privilege_granted',
      'admin_privilege_revoked',
      'role_assigned',
      'role_unassigned',
      'two_step_verification_enforcement_changed',
      'security_setting_changed',
      'other',
    ]),
    /** `deprovisioning` (suspend, delete, archive, revoke), `provisioning`, `privilege`, `security` or `other`. */
    direction: z.enum(['deprovisioning', 'provisioning', 'privilege', 'security', 'other']),
    /** The admin (or Google, for a system action) who did it. */
    actor: personSchema.nullable(),
    /** `USER`, `KEY` (an API key or robot account), as Google logged it. */
    actorCallerType: z.string().nullable(),
    /** The user the event is about (the `USER_EMAIL` parameter); null for account-wide settings. */
    target: personSchema.nullable(),
    /** The role assigned or removed (`ROLE_NAME`). */
    role: z.string().nullable(),
    /** A setting's change (`SETTING_NAME`, `OLD_VALUE`, `NEW_VALUE`, `ORG_UNIT_NAME`), when the event has one. */
    setting: z
      .object({
        name: z.string().nullable(),
        oldValue: z.string().nullable(),
        newValue: z.string().nullable(),
        orgUnit: z.string().nullable(),
      })
      .strict()
      .nullable(),
    ipAddress: z.string().nullable(),
    /** Every parameter of the event, as Google gave it. */
    parameters: z.array(parameterSchema),
  })
  .strict();

export const googleWorkspaceLoginActivitySchema = z
  .object({
    customer: z.string().min(1),
    /** The UTC day the logins happened on. */
    day: daySchema,
    /** Successful logins (`login_success`). */
    logins: z.number().int().nonnegative(),
    /** Successful logins that passed a second factor (a challenge other than the password). */
    loginsWithSecondFactor: z.number().int().nonnegative(),
    /**
     * Successful Google logins with no second factor. SAML logins are counted apart (`loginsViaSso`): the
     * identity provider decides their factors, which Google does not see.
     */
    loginsWithoutSecondFactor: z.number().int().nonnegative(),
    loginsViaSso: z.number().int().nonnegative(),
    /** `login_failure` events. */
    failedLogins: z.number().int().nonnegative(),
    /** Logins Google marked suspicious (`is_suspicious`). */
    suspiciousLogins: z.number().int().nonnegative(),
    /** Distinct users with a successful login that day. */
    users: z.number().int().nonnegative(),
    /** The users concerned by logins without a second factor, with how many each, by email. */
    usersWithoutSecondFactor: z.array(
      z.object({ email: z.string().min(3), logins: z.number().int().positive() }).strict(),
    ),
    /** Successful logins per `login_type` (`google_password`, `saml`, `reauth`, ...). */
    byLoginType: z.record(z.string(), z.number().int().nonnegative()),
  })
  .strict();
