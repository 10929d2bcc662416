import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  googleWorkspaceAdminEventSchema,
  googleWorkspaceLoginActivitySchema,
  googleWorkspaceUsersSnapshotSchema,
} from './payloads.js';

/**
 * The evidence Google Workspace produces (kind names use `google_workspace`: kind names have no hyphen). Names,
 * payload shapes and categories are part of every stored record's meaning: never rename one, and change a category
 * only with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const googleWorkspaceKinds = defineKinds({
  'google_workspace.users_snapshot': {
    cadence: 'daily',
    title: 'Google Workspace users, 2-Step Verification and admin roles snapshot',
    payload: googleWorkspaceUsersSnapshotSchema,
    categories: ['user_access_review', 'privileged_role_assignment', 'org_2fa_enforcement'],
    accounts: {
      // A suspended or archived user cannot sign in.
      read: (snapshot) => snapshot.users.map((u) => accountOf(u.person, !u.suspended && !u.archived)),
      holds: 'access',
      matchBy: 'directory',
    },
  },
  'google_workspace.admin_event': {
    cadence: 'event',
    title: 'Google Workspace admin audit event (user, role or security setting change)',
    payload: googleWorkspaceAdminEventSchema,
    categories: [
      'deprovisioning_offboarding',
      'user_provisioning_joiner',
      'privileged_role_assignment',
      'idp_auth_policy_mfa_password_session',
    ],
    removal: {
      // Account-wide settings name no user.
      read: (event) =>
        event.target === null
          ? null
          : { removed: event.target, removedBy: event.actor, action: event.eventName },
      matchBy: 'directory',
      // Suspending, deleting or archiving the account ends its access; losing an admin role does not.
      actions: ['SUSPEND_USER', 'DELETE_USER', 'ARCHIVE_USER'],
    },
  },
  'google_workspace.login_activity': {
    cadence: 'daily',
    title: 'Google Workspace logins of one day, with those without a second factor',
    payload: googleWorkspaceLoginActivitySchema,
    categories: ['idp_auth_policy_mfa_password_session', 'org_2fa_enforcement'],
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof googleWorkspaceKinds> {}
}
