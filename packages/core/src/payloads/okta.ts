import { z } from 'zod';
import { timestampSchema } from '../time.js';
import { personSchema } from './common.js';

export const oktaPolicySchema = z
  .object({
    policies: z.array(
      z
        .object({
          id: z.string(),
          type: z.string(),
          name: z.string(),
          status: z.string(),
          lastUpdated: timestampSchema.nullable(),
          /** The policy and its rules as Okta returned them: auditors read the settings themselves. */
          settings: z.unknown(),
          rules: z.array(z.unknown()),
        })
        .strict(),
    ),
    authenticators: z.array(z.unknown()),
    /** Key of the previous snapshot, so a change between two days is one hop away. */
    previousSnapshot: z.string().nullable(),
    changedSincePrevious: z.array(z.string()),
  })
  .strict();

export const oktaUserLifecycleSchema = z
  .object({
    eventType: z.string(),
    eventId: z.string(),
    actor: personSchema.nullable(),
    target: personSchema,
    outcome: z.string().nullable(),
    application: z.string().nullable(),
  })
  .strict();

export const oktaUsersSnapshotSchema = z
  .object({
    users: z.array(
      z
        .object({
          person: personSchema,
          status: z.string(),
          created: timestampSchema.nullable(),
          lastLogin: timestampSchema.nullable(),
          statusChanged: timestampSchema.nullable(),
          adminRoles: z.array(z.string()),
          applications: z.array(z.string()),
        })
        .strict(),
    ),
  })
  .strict();

export const oktaAccessReviewSchema = z
  .object({
    available: z.boolean(),
    campaign: z
      .object({ id: z.string(), name: z.string(), status: z.string(), endedAt: timestampSchema.nullable() })
      .strict()
      .nullable(),
    reviews: z.array(
      z
        .object({
          reviewer: personSchema.nullable(),
          subject: personSchema,
          resource: z.string(),
          decision: z.string(),
          decidedAt: timestampSchema.nullable(),
          remediation: z.string().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
