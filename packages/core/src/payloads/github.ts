import { z } from 'zod';
import { timestampSchema } from '../time.js';
import { personSchema } from './common.js';

const reviewSchema = z
  .object({
    reviewer: personSchema,
    state: z.enum(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED', 'DISMISSED', 'PENDING']),
    submittedAt: timestampSchema.nullable(),
    commit: z.string().nullable(),
  })
  .strict();

export const githubPullRequestApprovalSchema = z
  .object({
    repository: z.string().min(1),
    number: z.number().int().positive(),
    title: z.string(),
    author: personSchema.nullable(),
    mergedBy: personSchema.nullable(),
    mergedAt: timestampSchema,
    baseBranch: z.string(),
    headCommit: z.string(),
    mergeCommit: z.string().nullable(),
    reviews: z.array(reviewSchema),
    /** Facts an auditor tests, computed once at collection so every reader sees the same answer. */
    approvedByNonAuthor: z.boolean(),
    approvalOnFinalCommit: z.boolean(),
    selfMerged: z.boolean(),
    approvalsBeforeMerge: z.number().int().nonnegative(),
  })
  .strict();

const protectionRuleSchema = z
  .object({
    source: z.enum(['classic', 'ruleset']),
    name: z.string(),
    requiredApprovals: z.number().int().nonnegative().nullable(),
    dismissStaleReviews: z.boolean().nullable(),
    requireCodeOwnerReviews: z.boolean().nullable(),
    enforceAdmins: z.boolean().nullable(),
    bypassActors: z.array(z.string()),
  })
  .strict();

export const githubBranchProtectionSchema = z
  .object({
    repository: z.string().min(1),
    branch: z.string().nullable(),
    /** false is evidence of absence (the branch has no protection), not a collection failure. */
    protected: z.boolean(),
    rules: z.array(protectionRuleSchema),
  })
  .strict();

export const githubOrgMembersSchema = z
  .object({
    organization: z.string().min(1),
    twoFactorRequired: z.boolean().nullable(),
    members: z.array(z.object({ person: personSchema, role: z.enum(['admin', 'member']) }).strict()),
    outsideCollaborators: z.array(personSchema),
    membersWithoutTwoFactor: z.array(personSchema).nullable(),
  })
  .strict();

export const githubMemberRemovedSchema = z
  .object({
    organization: z.string().min(1),
    member: personSchema,
    removedBy: personSchema.nullable(),
    via: z.enum(['webhook', 'audit_log']),
  })
  .strict();
