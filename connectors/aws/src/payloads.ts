import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

/** Which AWS account a record is about: its id and the name the config gives it (null when none). */
const accountFields = {
  accountId: z.string().regex(/^\d{12}$/),
  accountName: z.string().nullable(),
};

const policySchema = z.object({ name: z.string().min(1), arn: z.string().min(1) }).strict();

const accessKeySlotSchema = z
  .object({
    /** The report's column pair: access_key_1 or access_key_2. */
    slot: z.union([z.literal(1), z.literal(2)]),
    active: z.boolean(),
    lastRotated: timestampSchema,
    /** When the key was last used; null when IAM has no record of a use. */
    lastUsed: timestampSchema.nullable(),
    lastUsedRegion: z.string().nullable(),
    lastUsedService: z.string().nullable(),
  })
  .strict();

const certificateSlotSchema = z
  .object({ slot: z.union([z.literal(1), z.literal(2)]), active: z.boolean(), lastRotated: timestampSchema })
  .strict();

/** One row of IAM's credential report, read strictly (README, "Credential report"). */
export const credentialRowSchema = z
  .object({
    /** The IAM user name (`<root_account>` for the root user) as login, the ARN as id. */
    person: personSchema,
    user: z.string().min(1),
    arn: z.string().min(1),
    createdAt: timestampSchema,
    /** Whether the user has a console password; null for the root user, whose column says `not_supported`. */
    passwordEnabled: z.boolean().nullable(),
    /** When the password was last used to sign in; null when never (or before IAM tracked it, `no_information`). */
    passwordLastUsed: timestampSchema.nullable(),
    passwordLastChanged: timestampSchema.nullable(),
    /** When the account's password policy requires the next rotation; null without such a policy. */
    passwordNextRotation: timestampSchema.nullable(),
    mfaActive: z.boolean(),
    /** The access key slots that hold a key (a slot with no key is left out). */
    accessKeys: z.array(accessKeySlotSchema),
    certificates: z.array(certificateSlotSchema),
  })
  .strict();

export const awsCredentialReportSchema = z
  .object({
    ...accountFields,
    /** When IAM generated the report (it serves one report for up to four hours). */
    generatedAt: timestampSchema,
    root: credentialRowSchema,
    users: z.array(credentialRowSchema),
    counts: z
      .object({
        users: z.number().int().nonnegative(),
        passwordEnabled: z.number().int().nonnegative(),
        /** Users who can sign in to the console with a password and have no MFA device. */
        passwordWithoutMfa: z.number().int().nonnegative(),
        activeAccessKeys: z.number().int().nonnegative(),
        /** Active keys last rotated more than 90 days before the report. */
        activeKeysOlderThan90Days: z.number().int().nonnegative(),
        /** Active keys not used in the 90 days before the report (or never). */
        activeKeysUnused90Days: z.number().int().nonnegative(),
        rootMfaActive: z.boolean(),
        rootActiveAccessKeys: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();

const iamUserSchema = z
  .object({
    /** The IAM user name as login (and email when it is one), the user id as id. */
    person: personSchema,
    userName: z.string().min(1),
    userId: z.string().min(1),
    arn: z.string().min(1),
    path: z.string(),
    createdAt: timestampSchema,
    groups: z.array(z.string()),
    attachedPolicies: z.array(policySchema),
    /** Names of the user's inline policies. */
    inlinePolicies: z.array(z.string()),
  })
  .strict();

const iamGroupSchema = z
  .object({
    groupName: z.string().min(1),
    groupId: z.string().min(1),
    arn: z.string().min(1),
    attachedPolicies: z.array(policySchema),
    inlinePolicies: z.array(z.string()),
  })
  .strict();

export const awsUsersSnapshotSchema = z
  .object({
    ...accountFields,
    users: z.array(iamUserSchema),
    groups: z.array(iamGroupSchema),
    /** The root user, from GetAccountSummary: MFA on, and whether it has access keys at all. */
    root: z.object({ mfaEnabled: z.boolean(), accessKeysPresent: z.boolean() }).strict(),
    /** GetAccountSummary's counts and quotas, as IAM gives them. */
    summary: z.record(z.string(), z.number()),
    counts: z
      .object({
        users: z.number().int().nonnegative(),
        groups: z.number().int().nonnegative(),
        /** Users holding AdministratorAccess, attached to them or to one of their groups. */
        administrators: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();

export const awsIdentityCenterSnapshotSchema = z
  .object({
    instanceArn: z.string().min(1),
    identityStoreId: z.string().min(1),
    users: z.array(
      z
        .object({
          /** The user name as login, the primary email, the identity store's user id as id. */
          person: personSchema,
          userId: z.string().min(1),
          userName: z.string().nullable(),
          displayName: z.string().nullable(),
          email: z.string().nullable(),
        })
        .strict(),
    ),
    /** Who holds which permission set in which configured account. */
    assignments: z.array(
      z
        .object({
          accountId: z.string(),
          permissionSetArn: z.string(),
          permissionSetName: z.string().nullable(),
          principalType: z.enum(['USER', 'GROUP']),
          principalId: z.string(),
          /** The user, for a USER principal the identity store lists; null for a group or an unknown user. */
          person: personSchema.nullable(),
        })
        .strict(),
    ),
    counts: z
      .object({ users: z.number().int().nonnegative(), assignments: z.number().int().nonnegative() })
      .strict(),
  })
  .strict();

export const awsIamChangeSchema = z
  .object({
    ...accountFields,
    /** CloudTrail's event id. */
    eventId: z.string().min(1),
    eventName: z.string().min(1),
    /** The event name, and for UpdateAccessKey the status it set (`UpdateAccessKey:Inactive`). */
    action: z.string().min(1),
    /** Who made the call: an IAM user by name, an assumed role's session (an SSO user's email), the root user. */
    actor: personSchema.nullable(),
    actorArn: z.string().nullable(),
    actorType: z.string().nullable(),
    /** The IAM user the call changed; the caller itself when the call names no user (its own key or MFA). */
    target: personSchema.nullable(),
    /** CloudTrail's requestParameters as recorded (user, key id, serial number, policy ARN, status). */
    requestParameters: z.record(z.string(), z.unknown()).nullable(),
    /** Set when the call failed (AccessDenied, NoSuchEntity): such a call changed nothing. */
    errorCode: z.string().nullable(),
    sourceIpAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .strict();
