import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  gitlabBranchProtectionSchema,
  gitlabGroupMembersSchema,
  gitlabMemberRemovedSchema,
  gitlabMergeRequestApprovalSchema,
} from './payloads.js';

/**
 * The evidence GitLab produces. Names, payload shapes and categories are part of every stored record's meaning
 * (its id starts with the kind; controls come from the categories): never rename one, and change a category only
 * with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const gitlabKinds = defineKinds({
  'gitlab.merge_request.approval': {
    cadence: 'event',
    title: 'Merged merge request and its approvals at merge',
    payload: gitlabMergeRequestApprovalSchema,
    categories: ['pr_code_review_approval'],
  },
  'gitlab.branch_protection': {
    cadence: 'daily',
    title: 'Protected branches and merge request approval rules snapshot',
    payload: gitlabBranchProtectionSchema,
    categories: ['branch_protection_config'],
  },
  'gitlab.group_members': {
    cadence: 'daily',
    title: 'Group members, roles and 2FA snapshot',
    payload: gitlabGroupMembersSchema,
    categories: ['user_access_review', 'org_2fa_enforcement', 'privileged_role_assignment'],
    accounts: {
      // A member removed from the group is absent; a blocked user's membership stays listed but cannot be used.
      read: (snapshot) =>
        snapshot.members.map((m) => accountOf(m.person, m.state === null || m.state === 'active')),
      holds: 'access',
      matchBy: 'account',
    },
  },
  'gitlab.member_removed': {
    cadence: 'event',
    title: 'Member removed from the group or one of its projects (audit event)',
    payload: gitlabMemberRemovedSchema,
    categories: ['deprovisioning_offboarding'],
    removal: {
      read: (payload) => ({
        removed: payload.member,
        removedBy: payload.removedBy,
        action: 'member_removed',
      }),
      matchBy: 'account',
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof gitlabKinds> {}
}
