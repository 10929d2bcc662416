import { EVIDENCE_ID_PATTERN, personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

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

/** A directory audit entry that changed a policy: who changed what, and when. */
const policyChangeSchema = z
  .object({
    /** The directory audit entry's id. */
    eventId: z.string().min(1),
    /** `Update conditional access policy`, `Authentication Methods Policy Update`, ... */
    activity: z.string().min(1),
    at: timestampSchema,
    /** The admin who made the change; null when an application did (see `actorApp`). */
    actor: personSchema.nullable(),
    actorApp: z.object({ id: z.string().nullable(), displayName: z.string().nullable() }).strict().nullable(),
    result: z.string().nullable(),
    /** The changed policy's id, when the entry names it. */
    policyId: z.string().nullable(),
    targetName: z.string().nullable(),
  })
  .strict();

const conditionalAccessPolicySchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().nullable(),
    /** `enabled`, `disabled`, `enabledForReportingButNotEnforced`. */
    state: z.string().nullable(),
    createdDateTime: timestampSchema.nullable(),
    modifiedDateTime: timestampSchema.nullable(),
    templateId: z.string().nullable(),
    /** Conditions, grant and session controls exactly as Graph returned them: auditors read the settings themselves. */
    conditions: z.unknown(),
    grantControls: z.unknown(),
    sessionControls: z.unknown(),
    /** Computed: the policy grants access only with multifactor authentication (`mfa`, or an authentication strength). */
    requiresMfa: z.boolean(),
    /** The latest logged change to the policy, when the audit log still had it. */
    lastChange: policyChangeSchema.nullable(),
  })
  .strict();

/** What changed between two snapshots, one entry per policy or authentication method. */
const entraPolicyChangeSchema = z
  .object({
    subject: z.enum(['conditional_access_policy', 'authentication_methods_policy', 'authentication_method']),
    id: z.string().min(1),
    name: z.string().nullable(),
    change: z.enum(['added', 'removed', 'modified']),
    /** Top-level fields that differ (`state`, `conditions`, ...); empty for added and removed. */
    fields: z.array(z.string()),
  })
  .strict();

export const entraPolicySchema = z
  .object({
    tenant: z.string().min(1),
    conditionalAccessPolicies: z.array(conditionalAccessPolicySchema),
    /** The tenant's authentication methods policy; null when it could not be read (see limitations). */
    authenticationMethodsPolicy: z
      .object({
        id: z.string().min(1),
        displayName: z.string().nullable(),
        lastModifiedDateTime: timestampSchema.nullable(),
        policyVersion: z.string().nullable(),
        policyMigrationState: z.string().nullable(),
        registrationEnforcement: z.unknown(),
        /** Each method (`Fido2`, `MicrosoftAuthenticator`, `Sms`, ...) with its state and exclusions. */
        methods: z.array(
          z
            .object({
              id: z.string().min(1),
              /** The method's type from `@odata.type`, e.g. `fido2AuthenticationMethodConfiguration`. */
              type: z.string().nullable(),
              /** `enabled` or `disabled`. */
              state: z.string().nullable(),
              excludeTargets: z.unknown(),
            })
            .strict(),
        ),
        lastChange: policyChangeSchema.nullable(),
      })
      .strict()
      .nullable(),
    /**
     * Computed: the enabled Conditional Access policies that require multifactor authentication of all users for all
     * applications (exclusions aside, which the policies list). Empty means no such policy was enforced that day.
     */
    mfaForAllUsers: z.array(z.object({ id: z.string(), displayName: z.string().nullable() }).strict()),
    /** SHA-256 of the canonical JSON of the policies (without `lastChange`). */
    contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The snapshot this one is compared with: the last one stored before this day; null when there is none. */
    previousSnapshot: z
      .object({
        id: z.string().regex(EVIDENCE_ID_PATTERN, 'must be an evidence id'),
        occurredAt: timestampSchema,
        contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict()
      .nullable(),
    /** What changed since `previousSnapshot`; null when there is none. */
    changedSincePrevious: z.array(entraPolicyChangeSchema).nullable(),
    /** Policy changes the directory audit log recorded in the collection window. */
    changeEvents: z.array(policyChangeSchema),
    /** What the credentials or licences could not give (Conditional Access needs Entra ID P1). */
    limitations: z.array(z.string()),
  })
  .strict();

export const entraAccessReviewSchema = z
  .object({
    tenant: z.string().min(1),
    /** The access review (schedule definition) this instance belongs to. */
    definition: z
      .object({
        id: z.string().min(1),
        displayName: z.string().nullable(),
        status: z.string().nullable(),
        descriptionForAdmins: z.string().nullable(),
        createdBy: personSchema.nullable(),
        /** What is reviewed and who reviews, exactly as Graph returned them. */
        scope: z.unknown(),
        reviewers: z.unknown(),
        /** Whether deny decisions are applied by Entra at the end of the instance. */
        autoApplyDecisionsEnabled: z.boolean().nullable(),
        /** What unreviewed access becomes (`None`, `Approve`, `Deny`, `Recommendation`) when defaultDecisionEnabled. */
        defaultDecision: z.string().nullable(),
        defaultDecisionEnabled: z.boolean().nullable(),
        recurrence: z.unknown(),
      })
      .strict(),
    /** One period of the review. Only ended instances (`Completed`, `Applied`) are recorded. */
    instance: z
      .object({
        id: z.string().min(1),
        status: z.string(),
        startDateTime: timestampSchema.nullable(),
        /** The record's occurredAt. */
        endDateTime: timestampSchema,
      })
      .strict(),
    decisions: z.array(
      z
        .object({
          id: z.string().min(1),
          /** The user (or service principal) whose access was reviewed. */
          principal: personSchema.nullable(),
          /** The group, application or role reviewed. */
          resource: z
            .object({
              id: z.string().nullable(),
              displayName: z.string().nullable(),
              type: z.string().nullable(),
            })
            .strict()
            .nullable(),
          /** `Approve`, `Deny`, `NotReviewed`, `DontKnow`. */
          decision: z.string(),
          reviewedBy: personSchema.nullable(),
          reviewedDateTime: timestampSchema.nullable(),
          justification: z.string().nullable(),
          recommendation: z.string().nullable(),
          /** `New`, `AppliedSuccessfully`, `AppliedWithUnknownFailure`, `AppliedSuccessfullyButObjectNotFound`, `ApplyNotSupported`. */
          applyResult: z.string().nullable(),
          appliedBy: personSchema.nullable(),
          appliedDateTime: timestampSchema.nullable(),
          /** Computed for Deny decisions: the removal was applied; null for other decisions. */
          denyApplied: z.boolean().nullable(),
        })
        .strict(),
    ),
    /** Computed from the decisions, so every reader sees the same answer. */
    facts: z
      .object({
        decisions: z.number().int().nonnegative(),
        approved: z.number().int().nonnegative(),
        denied: z.number().int().nonnegative(),
        notReviewed: z.number().int().nonnegative(),
        dontKnow: z.number().int().nonnegative(),
        /** Every decision was made by a reviewer (none `NotReviewed`). */
        allReviewed: z.boolean(),
        deniedAndApplied: z.number().int().nonnegative(),
        /** Deny decisions whose removal was not applied: access a reviewer took away that the user still has. */
        deniedNotApplied: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();

export const entraSignInSummarySchema = z
  .object({
    tenant: z.string().min(1),
    /** The UTC day summarised (`2026-03-07`); the record's occurredAt is its start. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Sign-ins the log holds for the day (interactive and not, successful or not). */
    signIns: z.number().int().nonnegative(),
    successful: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /**
     * Successful sign-ins for which no Conditional Access policy that requires MFA (`Mfa` or an authentication
     * strength) was applied with success. Graph v1.0 does not say whether the user did MFA anyway (per-user MFA,
     * security defaults): this counts sign-ins that policy did not make multifactor.
     */
    successfulWithoutMfaPolicy: z.number().int().nonnegative(),
    /** The users concerned: each user with a successful sign-in that no MFA policy covered, and how many. */
    usersWithoutMfaPolicy: z.array(
      z.object({ person: personSchema, signIns: z.number().int().positive() }).strict(),
    ),
    /** Distinct users who signed in successfully. */
    usersSignedIn: z.number().int().nonnegative(),
    /** Counted by the sign-in's `conditionalAccessStatus`: success, failure, notApplied. */
    byConditionalAccessStatus: z.record(z.string(), z.number().int().nonnegative()),
  })
  .strict();
