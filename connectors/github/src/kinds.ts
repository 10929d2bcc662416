import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  githubBranchProtectionSchema,
  githubMemberRemovedSchema,
  githubOrgMembersSchema,
  githubPullRequestApprovalSchema,
} from './payloads.js';

/**
 * The evidence GitHub produces. Names, payload shapes and categories are part of every stored record's meaning
 * (its id starts with the kind; controls come from the categories): never rename one, and change a category only
 * with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const githubKinds = defineKinds({
  'github.pull_request.approval': {
    cadence: 'event',
    title: 'Merged pull request and its reviews',
    payload: githubPullRequestApprovalSchema,
    categories: ['pr_code_review_approval'],
  },
  'github.branch_protection': {
    cadence: 'daily',
    title: 'Default-branch protection and rulesets snapshot',
    payload: githubBranchProtectionSchema,
    categories: ['branch_protection_config'],
  },
  'github.org_members': {
    cadence: 'daily',
    title: 'Organization members, roles and 2FA snapshot',
    payload: githubOrgMembersSchema,
    categories: ['user_access_review', 'org_2fa_enforcement', 'privileged_role_assignment'],
    accounts: {
      // Members only: a member removed from the organization is absent, not listed inactive. Outside
      // collaborators are listed by the snapshot but are not the organization's accounts.
      read: (snapshot) => snapshot.members.map((m) => accountOf(m.person, true)),
      holds: 'access',
      matchBy: 'account',
    },
  },
  'github.member_removed': {
    cadence: 'event',
    title: 'Member removed from the organization',
    payload: githubMemberRemovedSchema,
    categories: ['deprovisioning_offboarding'],
    removal: {
      read: (payload) => ({
        removed: payload.member,
        removedBy: payload.removedBy,
        action: 'org.remove_member',
      }),
      matchBy: 'account',
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof githubKinds> {}
}
