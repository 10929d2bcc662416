import { z } from 'zod';
import { timestampSchema } from '../time.js';
import { personSchema } from './common.js';

/** A directory role held (a role activated in the tenant: Global Administrator, User Administrator, ...). */
const heldRoleSchema = z
  .object({
    /** The role's id in the tenant. */
    id: z.string().min(1),
    /** The role template id: the same in every tenant (62e90394-... is Global Administrator). */
    roleTemplateId: z.string().nullable(),
    displayName: z.string().nullable(),
  })
  .strict();

export const entraUsersSnapshotSchema = z
  .object({
    /** The tenant as configured: its id or a verified domain. */
    tenant: z.string().min(1),
    users: z.array(
      z
        .object({
          person: personSchema,
          /** false: sign-in blocked (disabled). null when Graph did not say. */
          accountEnabled: z.boolean().nullable(),
          /** `Member` or `Guest`. */
          userType: z.string().nullable(),
          /** A guest's invitation state (`PendingAcceptance`, `Accepted`); null for members. */
          externalUserState: z.string().nullable(),
          createdDateTime: timestampSchema.nullable(),
          /** Synchronised from on-premises Active Directory: its lifecycle is decided there. */
          onPremisesSyncEnabled: z.boolean().nullable(),
          /**
           * Registration of authentication methods (the authentication methods registration report); null when the
           * report could not be read (see limitations) or does not list the user.
           */
          mfa: z
            .object({
              /** A strong method for multifactor authentication is registered. */
              registered: z.boolean(),
              /** Registered and allowed by the authentication methods policy. */
              capable: z.boolean(),
              /** `microsoftAuthenticatorPush`, `fido2`, `mobilePhone`, ... */
              methods: z.array(z.string()),
            })
            .strict()
            .nullable(),
          /** Directory roles held directly; null when the credentials cannot read roles. */
          directoryRoles: z.array(heldRoleSchema).nullable(),
        })
        .strict(),
    ),
    /** Activated directory roles and how many of each kind of member holds them. */
    directoryRoles: z.array(
      heldRoleSchema
        .extend({
          /** Users holding the role directly. */
          users: z.number().int().nonnegative(),
          /** Holders that are not users (role-assignable groups, service principals), by id and type. */
          otherMembers: z.array(
            z
              .object({
                id: z.string().min(1),
                type: z.string().nullable(),
                displayName: z.string().nullable(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    /** Users holding a role whom the users list did not include, by id: an admin a review must not miss. */
    roleHoldersNotInUsers: z.array(
      z.object({ person: personSchema, directoryRoles: z.array(heldRoleSchema) }).strict(),
    ),
    counts: z
      .object({
        users: z.number().int().nonnegative(),
        enabled: z.number().int().nonnegative(),
        disabled: z.number().int().nonnegative(),
        guests: z.number().int().nonnegative(),
        /** Users with a multifactor method registered; null when the registration report was not read. */
        mfaRegistered: z.number().int().nonnegative().nullable(),
        /** Enabled users without a multifactor method registered: what an MFA control's exceptions are made of. */
        enabledWithoutMfa: z.number().int().nonnegative().nullable(),
        /** Users holding a directory role (listed or not); null when roles could not be read. */
        roleHolders: z.number().int().nonnegative().nullable(),
      })
      .strict(),
    /** What these credentials or this tenant's licences could not give, and so what the snapshot lacks. */
    limitations: z.array(z.string()),
  })
  .strict();

export const entraUserLifecycleSchema = z
  .object({
    tenant: z.string().min(1),
    /** The directory audit entry's id. */
    eventId: z.string().min(1),
    /** The audit log's `activityDisplayName`: `Disable account`, `Add member to role`, ... */
    activity: z.string().min(1),
    /** Computed from the activity. */
    change: z.enum([
      'created',
      'disabled',
      'enabled',
      'deleted',
      'restored',
      'role_assigned',
      'role_removed',
      'other',
    ]),
    /** Computed from the change: losing access, gaining it, or neither. */
    direction: z.enum(['deprovisioning', 'provisioning', 'other']),
    category: z.string().nullable(),
    /** `success`, `failure`, `timeout` as the audit log says. */
    result: z.string().nullable(),
    resultReason: z.string().nullable(),
    /** Who did it: a person, or null when an application did (see `actorApp`). */
    actor: personSchema.nullable(),
    /** The application that did it (a sync engine, a workflow), when no person did. */
    actorApp: z.object({ id: z.string().nullable(), displayName: z.string().nullable() }).strict().nullable(),
    /** The user whose account or role changed. */
    target: personSchema,
    /** The directory role, for role assignments and removals. */
    role: z.object({ id: z.string().nullable(), displayName: z.string().nullable() }).strict().nullable(),
    /** Entries of one admin action share it. */
    correlationId: z.string().nullable(),
    loggedByService: z.string().nullable(),
  })
  .strict();
