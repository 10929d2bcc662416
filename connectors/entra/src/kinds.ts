import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  entraAccessReviewSchema,
  entraPolicySchema,
  entraSignInSummarySchema,
  entraUserLifecycleSchema,
  entraUsersSnapshotSchema,
} from './payloads.js';

/**
 * The evidence Entra ID produces. Names, payload shapes and categories are part of every stored record's meaning
 * (its id starts with the kind; controls come from the categories): never rename one, and change a category only
 * with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const entraKinds = defineKinds({
  'entra.users_snapshot': {
    cadence: 'daily',
    title: 'Entra ID users, sign-in state, guests, MFA registration and directory role holders snapshot',
    payload: entraUsersSnapshotSchema,
    categories: ['user_access_review', 'privileged_role_assignment'],
    accounts: {
      // Sign-in blocked is access ended; a user Graph said nothing about counts as still able to sign in.
      read: (snapshot) => snapshot.users.map((u) => accountOf(u.person, u.accountEnabled !== false)),
      holds: 'access',
      matchBy: 'directory',
    },
  },
  'entra.user_lifecycle': {
    cadence: 'event',
    title:
      'Entra ID user lifecycle event from the directory audit log (create, disable, delete, role change)',
    payload: entraUserLifecycleSchema,
    categories: ['deprovisioning_offboarding', 'user_provisioning_joiner', 'privileged_role_assignment'],
    removal: {
      // A failed or timed-out attempt removed nothing.
      read: (entry) =>
        entry.result !== null && entry.result !== 'success'
          ? null
          : { removed: entry.target, removedBy: entry.actor, action: entry.activity },
      matchBy: 'directory',
      // Losing a role is not leaving.
      actions: ['Disable account', 'Delete user', 'Hard delete user'],
    },
  },
  'entra.policy': {
    cadence: 'daily',
    title: 'Entra ID Conditional Access and authentication methods policy snapshot',
    payload: entraPolicySchema,
    categories: ['idp_auth_policy_mfa_password_session'],
  },
  'entra.access_review': {
    cadence: 'quarterly',
    title: 'Entra ID Governance access review instance with its decisions',
    payload: entraAccessReviewSchema,
    categories: ['user_access_review'],
  },
  'entra.sign_in_summary': {
    cadence: 'daily',
    title: 'Entra ID sign-ins of one day, with those no MFA policy covered and the users concerned',
    payload: entraSignInSummarySchema,
    categories: ['idp_auth_policy_mfa_password_session'],
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof entraKinds> {}
}
