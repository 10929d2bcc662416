import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  oktaAccessReviewSchema,
  oktaPolicySchema,
  oktaUserLifecycleSchema,
  oktaUsersSnapshotSchema,
} from './payloads.js';

/**
 * The evidence Okta produces. Names, payload shapes and categories are part of every stored record's meaning (its
 * id starts with the kind; controls come from the categories): never rename one, and change a category only with
 * a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const oktaKinds = defineKinds({
  'okta.policy': {
    cadence: 'daily',
    title: 'Okta sign-on, password, MFA and access policies snapshot',
    payload: oktaPolicySchema,
    categories: ['idp_auth_policy_mfa_password_session'],
  },
  'okta.user_lifecycle': {
    cadence: 'event',
    title: 'Okta user lifecycle event (create, activate, deactivate)',
    payload: oktaUserLifecycleSchema,
    categories: ['deprovisioning_offboarding', 'user_provisioning_joiner'],
    removal: {
      // A failed or denied attempt removed nothing.
      read: (event) =>
        event.outcome && event.outcome.result !== 'SUCCESS'
          ? null
          : { removed: event.target, removedBy: event.actor, action: event.eventType },
      matchBy: 'directory',
      // Losing one application is not leaving; creations and reactivations are no removal at all.
      actions: ['user.lifecycle.deactivate', 'user.lifecycle.suspend'],
    },
  },
  'okta.users_snapshot': {
    cadence: 'daily',
    title: 'Okta users, admin roles and app assignments snapshot',
    payload: oktaUsersSnapshotSchema,
    categories: ['user_access_review', 'privileged_role_assignment'],
    accounts: {
      // Staged and provisioned users can still be activated: only a suspended or deactivated one has lost access.
      read: (snapshot) =>
        snapshot.users.map((u) =>
          accountOf(u.person, u.status !== 'SUSPENDED' && u.status !== 'DEPROVISIONED'),
        ),
      holds: 'access',
      matchBy: 'directory',
    },
  },
  'okta.access_review': {
    cadence: 'quarterly',
    title: 'Okta Identity Governance access review campaign',
    payload: oktaAccessReviewSchema,
    categories: ['user_access_review'],
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof oktaKinds> {}
}
