import { EVIDENCE_ID_PATTERN, personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

/** A system log event that changed a policy or one of its rules (`policy.lifecycle.*`, `policy.rule.*`). */
const policyChangeEventSchema = z
  .object({
    /** The event's `uuid` in the System Log. */
    eventId: z.string().min(1),
    eventType: z.string().min(1),
    at: timestampSchema,
    /** The admin (or Okta system principal) who made the change. */
    actor: personSchema.nullable(),
    /** `SUCCESS`, `FAILURE`, ... as Okta logged it. */
    outcome: z.string().nullable(),
    policyId: z.string().nullable(),
    ruleId: z.string().nullable(),
    /** The changed object's display name in the event. */
    targetName: z.string().nullable(),
  })
  .strict();

const policyRuleSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    /** `SIGN_ON`, `ACCESS_POLICY`, `PASSWORD`, `MFA_ENROLL`, ... */
    type: z.string().nullable(),
    status: z.string().nullable(),
    priority: z.number().nullable(),
    system: z.boolean().nullable(),
    created: timestampSchema.nullable(),
    lastUpdated: timestampSchema.nullable(),
    /** `ALLOW` or `DENY` for sign-on and access rules; null where the rule type has no access decision. */
    access: z.string().nullable(),
    /**
     * Computed: whether a sign-in this rule allows must present more than one factor (a sign-on rule's
     * `requireFactor`, an access rule's `factorMode: 2FA`). null when the rule does not decide it (it denies access,
     * or is a password or enrollment rule).
     */
    requiresMfa: z.boolean().nullable(),
    /** Conditions and actions exactly as Okta returned them: auditors read the settings themselves. */
    conditions: z.unknown(),
    actions: z.unknown(),
  })
  .strict();

const policySchema = z
  .object({
    id: z.string().min(1),
    /** `OKTA_SIGN_ON`, `PASSWORD`, `MFA_ENROLL`, `ACCESS_POLICY`. */
    type: z.string().min(1),
    name: z.string(),
    description: z.string().nullable(),
    status: z.string().nullable(),
    priority: z.number().nullable(),
    system: z.boolean().nullable(),
    created: timestampSchema.nullable(),
    lastUpdated: timestampSchema.nullable(),
    /** Conditions and settings exactly as Okta returned them. */
    conditions: z.unknown(),
    settings: z.unknown(),
    rules: z.array(policyRuleSchema),
    /** The latest logged change to the policy or one of its rules, when the System Log still had it. */
    lastChange: policyChangeEventSchema.nullable(),
  })
  .strict();

const authenticatorSchema = z
  .object({
    id: z.string().min(1),
    /** `okta_verify`, `webauthn`, `phone_number`, ... */
    key: z.string().nullable(),
    name: z.string().nullable(),
    type: z.string().nullable(),
    status: z.string().nullable(),
    created: timestampSchema.nullable(),
    lastUpdated: timestampSchema.nullable(),
    settings: z.unknown(),
    provider: z.unknown(),
  })
  .strict();

/** What changed between two snapshots, one entry per policy, rule or authenticator. */
const snapshotChangeSchema = z
  .object({
    subject: z.enum(['policy', 'rule', 'authenticator']),
    id: z.string().min(1),
    name: z.string().nullable(),
    /** The policy a rule belongs to; null for policies and authenticators. */
    policyId: z.string().nullable(),
    change: z.enum(['added', 'removed', 'modified']),
    /** Top-level fields that differ (`status`, `actions`, `settings`, ...); empty for added and removed. */
    fields: z.array(z.string()),
  })
  .strict();

export const oktaPolicySchema = z
  .object({
    /** The Okta org's host, e.g. `acme.okta.com`. */
    org: z.string().min(1),
    /** The policy types read, e.g. `OKTA_SIGN_ON`, `PASSWORD`, `MFA_ENROLL`, `ACCESS_POLICY`. */
    policyTypes: z.array(z.string().min(1)),
    policies: z.array(policySchema),
    authenticators: z.array(authenticatorSchema),
    /**
     * Computed: the ACTIVE rules of ACTIVE sign-on and access policies that let a user in with a single factor.
     * Empty means MFA was required by every active rule that allows access on the day of the snapshot.
     */
    rulesAllowingSingleFactor: z.array(
      z
        .object({ policyId: z.string(), policyName: z.string(), ruleId: z.string(), ruleName: z.string() })
        .strict(),
    ),
    /** SHA-256 of the canonical JSON of `policies` (without `lastChange`) and `authenticators`. */
    contentSha256: sha256Schema,
    /**
     * The snapshot this one is compared with: the last one the connector stored before this day, by record id.
     * null when there is none (the first snapshot, or the connector's state was lost).
     */
    previousSnapshot: z
      .object({
        id: z.string().regex(EVIDENCE_ID_PATTERN, 'must be an evidence id'),
        occurredAt: timestampSchema,
        contentSha256: sha256Schema,
      })
      .strict()
      .nullable(),
    /** Policies, rules and authenticators that changed since `previousSnapshot`; null when there is none. */
    changedSincePrevious: z.array(snapshotChangeSchema).nullable(),
    /** Policy changes the System Log recorded in the collection window: who changed what, and when. */
    changeEvents: z.array(policyChangeEventSchema),
    /**
     * What this org does not have and so the snapshot lacks, e.g. access policies and the authenticators API on an
     * Okta Classic Engine org. Empty when everything was read.
     */
    limitations: z.array(z.string()),
  })
  .strict();

export const oktaUserLifecycleSchema = z
  .object({
    org: z.string().min(1),
    /** The System Log event's `uuid`. */
    eventId: z.string().min(1),
    /** `user.lifecycle.deactivate`, `user.lifecycle.suspend`, `application.user_membership.remove`, ... */
    eventType: z.string().min(1),
    /** Computed from the event type: losing access, gaining it, or neither. */
    direction: z.enum(['deprovisioning', 'provisioning', 'other']),
    displayMessage: z.string().nullable(),
    /** Who did it: an admin, or Okta's system principal for automated lifecycle changes. */
    actor: personSchema.nullable(),
    /** The user whose lifecycle changed. */
    target: personSchema,
    /** The application, for `application.user_membership.*` events. */
    application: z
      .object({ id: z.string().min(1), name: z.string().nullable() })
      .strict()
      .nullable(),
    outcome: z.object({ result: z.string(), reason: z.string().nullable() }).strict().nullable(),
    /** Okta's transaction id: events of one admin action share it. */
    transactionId: z.string().nullable(),
  })
  .strict();

export const oktaUsersSnapshotSchema = z
  .object({
    org: z.string().min(1),
    users: z.array(
      z
        .object({
          person: personSchema,
          /** `ACTIVE`, `STAGED`, `PROVISIONED`, `SUSPENDED`, `DEPROVISIONED`, ... */
          status: z.string(),
          created: timestampSchema.nullable(),
          activated: timestampSchema.nullable(),
          lastLogin: timestampSchema.nullable(),
          statusChanged: timestampSchema.nullable(),
          passwordChanged: timestampSchema.nullable(),
          /** Admin roles held (directly or through a group); null when the credentials cannot read roles. */
          adminRoles: z
            .array(
              z
                .object({
                  type: z.string(),
                  label: z.string().nullable(),
                  assignmentType: z.string().nullable(),
                })
                .strict(),
            )
            .nullable(),
          /** Ids of the applications the user is assigned to (see `applications`). */
          applications: z.array(z.string()),
        })
        .strict(),
    ),
    applications: z.array(
      z
        .object({
          id: z.string().min(1),
          name: z.string().nullable(),
          label: z.string().nullable(),
          status: z.string().nullable(),
          signOnMode: z.string().nullable(),
          assignedUsers: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    /**
     * Holders of an admin role whom the users list did not include (e.g. created or deleted while the snapshot was
     * taken), by id with their roles: an admin the population does not show is what an access review must not miss.
     * Absent only in records stored before it was recorded.
     */
    adminsNotInUsers: z
      .array(
        z
          .object({
            person: personSchema,
            adminRoles: z.array(
              z
                .object({
                  type: z.string(),
                  label: z.string().nullable(),
                  assignmentType: z.string().nullable(),
                })
                .strict(),
            ),
          })
          .strict(),
      )
      .optional(),
    counts: z
      .object({
        users: z.number().int().nonnegative(),
        byStatus: z.record(z.string(), z.number().int().nonnegative()),
        /** Holders of an admin role, listed users or not (see `adminsNotInUsers`). */
        admins: z.number().int().nonnegative().nullable(),
        applications: z.number().int().nonnegative(),
      })
      .strict(),
    /** What these credentials could not read, and so what the snapshot lacks. */
    limitations: z.array(z.string()),
  })
  .strict();

export const oktaAccessReviewSchema = z
  .object({
    org: z.string().min(1),
    campaign: z
      .object({
        id: z.string().min(1),
        name: z.string(),
        description: z.string().nullable(),
        /** Only `COMPLETED` campaigns are recorded. */
        status: z.string(),
        scheduleType: z.string().nullable(),
        reviewerType: z.string().nullable(),
        startDate: timestampSchema.nullable(),
        /** The scheduled end, fixed when the campaign is created: the record's occurredAt. */
        endDate: timestampSchema,
        recurringCampaignId: z.string().nullable(),
        createdBy: z.string().nullable(),
        /** What Okta does on approve, revoke and no response (`NO_ACTION`, `DENY`, ...); null when not returned. */
        remediation: z
          .object({
            accessApproved: z.string().nullable(),
            accessRevoked: z.string().nullable(),
            noResponse: z.string().nullable(),
          })
          .strict()
          .nullable(),
      })
      .strict(),
    reviews: z.array(
      z
        .object({
          id: z.string().min(1),
          reviewer: personSchema.nullable(),
          reviewerType: z.string().nullable(),
          reviewerLevel: z.string().nullable(),
          /** The user whose access was reviewed. */
          principal: personSchema,
          /** The app or group reviewed. */
          resourceId: z.string(),
          /** `APPROVE`, `REVOKE` or `UNREVIEWED`. */
          decision: z.string(),
          decidedAt: timestampSchema.nullable(),
          /** `NONE`, `OPEN`, `ERROR`, `SUCCESS`, `MANUAL`; null while remediation has not completed. */
          remediationStatus: z.string().nullable(),
          delegated: z.boolean().nullable(),
        })
        .strict(),
    ),
    /** Computed from the reviews, so every reader sees the same answer. */
    facts: z
      .object({
        reviews: z.number().int().nonnegative(),
        approved: z.number().int().nonnegative(),
        revoked: z.number().int().nonnegative(),
        unreviewed: z.number().int().nonnegative(),
        /** Every review has a decision. */
        allDecided: z.boolean(),
        /** Revoked reviews whose remediation succeeded (`SUCCESS` or `MANUAL`). */
        revokedAndRemediated: z.number().int().nonnegative(),
        /** Revoked reviews whose remediation is open, failed or not reported. */
        revokedNotRemediated: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
