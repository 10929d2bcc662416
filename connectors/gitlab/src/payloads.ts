import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const approvalSchema = z
  .object({
    approver: personSchema,
    approvedAt: timestampSchema,
    /**
     * The approval was given at or after the last push to the merge request (the push that brought its head commit):
     * it approved the code that was merged. null when the last push time is unknown.
     */
    afterLastPush: z.boolean().nullable(),
  })
  .strict();

export const gitlabMergeRequestApprovalSchema = z
  .object({
    /** The target project's full path (`acme/api`). */
    project: z.string().min(1),
    iid: z.number().int().positive(),
    title: z.string(),
    author: personSchema.nullable(),
    mergedBy: personSchema.nullable(),
    mergedAt: timestampSchema,
    targetBranch: z.string(),
    sourceBranch: z.string(),
    headCommit: z.string(),
    mergeCommit: z.string().nullable(),
    /**
     * When the head commit reached the merge request: the time of the push that brought it (a commit's own date can
     * be set by its author, a push's cannot). null when GitLab no longer has it.
     */
    lastPushAt: timestampSchema.nullable(),
    /** Where lastPushAt was read: the project's push events, or the merge request's diff versions. */
    lastPushFrom: z.enum(['push_event', 'diff_version']).nullable(),
    /** Approvals given before the merge, oldest first (one person may approve again after a push). */
    approvals: z.array(approvalSchema),
    /** Approvals given at or after the merge: recorded, counted in none of the facts below. */
    approvalsAfterMerge: z.array(approvalSchema.omit({ afterLastPush: true })),
    /*
     * Facts an auditor tests, computed once at collection so every reader sees the same answer. They describe the
     * state at the merge: only approvals given before mergedAt count.
     * approvedByNonAuthor: someone other than the author approved it.
     * approvedAfterLastPush: someone other than the author approved it at or after the last push, so the merged code
     * itself was approved (false when the last push time is unknown).
     * selfApproved: the author approved their own merge request.
     * selfMerged: the author merged it.
     * approvalsBeforeMerge: how many people other than the author approved it.
     * approvedAfterMerge: someone approved it at or after the merge (listed in approvalsAfterMerge).
     */
    approvedByNonAuthor: z.boolean(),
    approvedAfterLastPush: z.boolean(),
    selfApproved: z.boolean(),
    selfMerged: z.boolean(),
    approvalsBeforeMerge: z.number().int().nonnegative(),
    approvedAfterMerge: z.boolean(),
  })
  .strict();

const accessSchema = z
  .object({
    /** GitLab's access level (0 no one, 30 Developer, 40 Maintainer, 60 Admin), or null for a user, group or key. */
    accessLevel: z.number().int().nullable(),
    description: z.string().nullable(),
    userId: z.number().int().nullable(),
    groupId: z.number().int().nullable(),
  })
  .strict();

const approvalRuleSchema = z
  .object({
    name: z.string(),
    /** `regular`, `any_approver`, `code_owner`, `report_approver`. */
    ruleType: z.string().nullable(),
    approvalsRequired: z.number().int().nonnegative(),
    /** The usernames who may approve under this rule (eligible approvers, users and group members). */
    eligibleApprovers: z.array(z.string()),
    /** The protected branches the rule applies to; empty with appliesToAllProtectedBranches or for every branch. */
    protectedBranches: z.array(z.string()),
    appliesToAllProtectedBranches: z.boolean().nullable(),
  })
  .strict();

const approvalSettingsSchema = z
  .object({
    resetApprovalsOnPush: z.boolean().nullable(),
    /** GitLab's `merge_requests_author_approval`: authors may approve their own merge requests. */
    authorMayApprove: z.boolean().nullable(),
    /** GitLab's `merge_requests_disable_committers_approval`: committers may not approve. */
    committersMayNotApprove: z.boolean().nullable(),
    overridingApproversPerMergeRequestDisabled: z.boolean().nullable(),
    requirePasswordToApprove: z.boolean().nullable(),
  })
  .strict();

export const gitlabBranchProtectionSchema = z
  .object({
    project: z.string().min(1),
    defaultBranch: z.string().nullable(),
    /** false is evidence of absence (the default branch has no protection), not a collection failure. */
    defaultBranchProtected: z.boolean(),
    protectedBranches: z.array(
      z
        .object({
          name: z.string(),
          allowForcePush: z.boolean().nullable(),
          codeOwnerApprovalRequired: z.boolean().nullable(),
          push: z.array(accessSchema),
          merge: z.array(accessSchema),
          unprotect: z.array(accessSchema),
        })
        .strict(),
    ),
    /** Project approval rules (Premium); null on Free or when the token may not read them. */
    approvalRules: z.array(approvalRuleSchema).nullable(),
    /** Project approval settings (Premium); null on Free or when the token may not read them. */
    approvalSettings: approvalSettingsSchema.nullable(),
  })
  .strict();

export const gitlabGroupMembersSchema = z
  .object({
    group: z.string().min(1),
    /** The group requires two-factor authentication of its members (null: not disclosed to this token). */
    requireTwoFactor: z.boolean().nullable(),
    /** Whether members' 2FA status was read (it needs an instance administrator's token). */
    twoFactorKnown: z.boolean(),
    members: z.array(
      z
        .object({
          person: personSchema,
          /** 10 Guest, 15 Planner, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner. */
          accessLevel: z.number().int(),
          role: z.string(),
          state: z.string().nullable(),
          expiresAt: z.string().nullable(),
          /** null when twoFactorKnown is false. */
          twoFactorEnabled: z.boolean().nullable(),
        })
        .strict(),
    ),
    counts: z
      .object({
        members: z.number().int().nonnegative(),
        owners: z.number().int().nonnegative(),
        /** null when twoFactorKnown is false. */
        withoutTwoFactor: z.number().int().nonnegative().nullable(),
      })
      .strict(),
  })
  .strict();

export const gitlabMemberRemovedSchema = z
  .object({
    group: z.string().min(1),
    /** The group or project the member was removed from (`Group`/`Project` and its path or id). */
    entityType: z.string(),
    entity: z.string(),
    member: personSchema,
    removedBy: personSchema.nullable(),
    auditEventId: z.string().min(1),
  })
  .strict();
