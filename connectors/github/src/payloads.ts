import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const reviewSchema = z
  .object({
    /** null when the reviewer's account no longer exists (GitHub shows it as `ghost`). */
    reviewer: personSchema.nullable(),
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
    /*
     * Facts an auditor tests, computed once at collection so every reader sees the same answer. They describe the
     * state at the merge, as GitHub judges a review decision: each non-author reviewer's standing review is their
     * latest APPROVED or CHANGES_REQUESTED review submitted before mergedAt (COMMENTED replaces nothing; DISMISSED
     * counts for nothing).
     * approvedByNonAuthor: some reviewer other than the author stood at APPROVED when it was merged.
     * approvalOnFinalCommit: such a standing approval was given on the head commit that was merged.
     * selfMerged: the author merged it.
     * approvalsBeforeMerge: how many reviewers stood at APPROVED when it was merged.
     * changesRequestedAtMerge: some reviewer stood at CHANGES_REQUESTED when it was merged.
     * approvedAfterMerge: a non-author APPROVED review was submitted at or after the merge (counted in none of the
     * above). Records stored before these two were computed lack them, and their facts counted any approval before
     * the merge (approvedByNonAuthor: at any time).
     */
    approvedByNonAuthor: z.boolean(),
    approvalOnFinalCommit: z.boolean(),
    selfMerged: z.boolean(),
    approvalsBeforeMerge: z.number().int().nonnegative(),
    changesRequestedAtMerge: z.boolean().optional(),
    approvedAfterMerge: z.boolean().optional(),
  })
  .strict();

const protectionRuleSchema = z
  .object({
    source: z.enum(['classic', 'ruleset']),
    name: z.string(),
    requiredApprovals: z.number().int().nonnegative().nullable(),
    dismissStaleReviews: z.boolean().nullable(),
    requireCodeOwnerReviews: z.boolean().nullable(),
    /**
     * The most recent push must be approved by someone other than its pusher (GitHub's
     * `require_last_push_approval`). Absent only in records stored before it was collected.
     */
    requireLastPushApproval: z.boolean().nullable().optional(),
    enforceAdmins: z.boolean().nullable(),
    /**
     * Who may bypass the rule, as `type:id-or-name[:mode]` (e.g. `User:octocat`, `Team:1`, `OrganizationAdmin:1:always`);
     * null when GitHub did not disclose them to these credentials.
     */
    bypassActors: z.array(z.string()).nullable(),
    /** What the rule enforces: `pull_request`, `required_status_checks`, `non_fast_forward`, `deletion`, ... */
    ruleTypes: z.array(z.string()),
  })
  .strict();

export const githubBranchProtectionSchema = z
  .object({
    repository: z.string().min(1),
    /** null when the repository is empty (it has no commits, so no default branch yet). */
    branch: z.string().nullable(),
    emptyRepository: z.boolean(),
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
    /** null when GitHub refused the list to these credentials (see `limitations`). */
    outsideCollaborators: z.array(personSchema).nullable(),
    /** null when GitHub refused the list (only organization owners may read it; see `limitations`). */
    membersWithoutTwoFactor: z.array(personSchema).nullable(),
    /**
     * What could not be observed and why, in words an auditor reads; empty when the snapshot is complete.
     */
    limitations: z.array(z.string()),
  })
  .strict();

export const githubMemberRemovedSchema = z
  .object({
    organization: z.string().min(1),
    member: personSchema,
    removedBy: personSchema.nullable(),
    /**
     * Where the record comes from: the organization audit log, or an `organization` webhook delivery (only where
     * the org has no audit log; otherwise a delivery is read back from the audit log and the record says audit_log).
     */
    via: z.enum(['webhook', 'audit_log']),
    /**
     * Where occurredAt comes from. `audit_log`: the entry's own @timestamp. `delivery_guid`: the time in the
     * delivery's GUID (X-GitHub-Delivery, a version-1 UUID GitHub stamps when it creates the event, shared by every
     * delivery and redelivery of it), seconds after the removal. `delivery_receipt`: when the delivery arrived, for
     * a GUID with no time in it. Absent on records stored before it was stated (webhook ones: receipt time).
     */
    timeFrom: z.enum(['audit_log', 'delivery_guid', 'delivery_receipt']).optional(),
  })
  .strict();
