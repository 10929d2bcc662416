import type { z } from 'zod';
import type { EvidenceKind } from '../kinds.js';
import { deprovisioningTimelinessSchema } from './derived.js';
import {
  entraAccessReviewSchema,
  entraPolicySchema,
  entraSignInSummarySchema,
  entraUserLifecycleSchema,
  entraUsersSnapshotSchema,
} from './entra.js';
import {
  githubBranchProtectionSchema,
  githubMemberRemovedSchema,
  githubOrgMembersSchema,
  githubPullRequestApprovalSchema,
} from './github.js';
import {
  googleWorkspaceAdminEventSchema,
  googleWorkspaceLoginActivitySchema,
  googleWorkspaceUsersSnapshotSchema,
} from './google-workspace.js';
import { jiraTicketSchema } from './jira.js';
import {
  oktaAccessReviewSchema,
  oktaPolicySchema,
  oktaUserLifecycleSchema,
  oktaUsersSnapshotSchema,
} from './okta.js';

export { type Person, personSchema } from './common.js';

/** One payload schema per evidence kind; `satisfies` makes a kind without a schema a compile error. */
export const payloadSchemas = {
  'github.pull_request.approval': githubPullRequestApprovalSchema,
  'github.branch_protection': githubBranchProtectionSchema,
  'github.org_members': githubOrgMembersSchema,
  'github.member_removed': githubMemberRemovedSchema,
  'okta.policy': oktaPolicySchema,
  'okta.user_lifecycle': oktaUserLifecycleSchema,
  'okta.users_snapshot': oktaUsersSnapshotSchema,
  'okta.access_review': oktaAccessReviewSchema,
  'entra.users_snapshot': entraUsersSnapshotSchema,
  'entra.user_lifecycle': entraUserLifecycleSchema,
  'entra.policy': entraPolicySchema,
  'entra.access_review': entraAccessReviewSchema,
  'entra.sign_in_summary': entraSignInSummarySchema,
  'google_workspace.users_snapshot': googleWorkspaceUsersSnapshotSchema,
  'google_workspace.admin_event': googleWorkspaceAdminEventSchema,
  'google_workspace.login_activity': googleWorkspaceLoginActivitySchema,
  'jira.deprovisioning_ticket': jiraTicketSchema,
  'jira.provisioning_ticket': jiraTicketSchema,
  'jira.access_review_ticket': jiraTicketSchema,
  'crosswalk.deprovisioning_timeliness': deprovisioningTimelinessSchema,
} as const satisfies Record<EvidenceKind, z.ZodType>;

export type PayloadOf<K extends EvidenceKind> = z.infer<(typeof payloadSchemas)[K]>;
