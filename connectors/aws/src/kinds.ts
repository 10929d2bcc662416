import { accountOf, defineKinds, type PayloadsOf } from '@crosswalk/core';
import {
  awsCredentialReportSchema,
  awsIamChangeSchema,
  awsIdentityCenterSnapshotSchema,
  awsUsersSnapshotSchema,
} from './payloads.js';

/**
 * The evidence AWS IAM produces, one record per configured account (Identity Center: per instance). Names, payload
 * shapes and categories are part of every stored record's meaning: never rename one, and change a category only
 * with a MAPPING_VERSION bump in @crosswalk/controls.
 */
export const awsKinds = defineKinds({
  'aws.credential_report': {
    cadence: 'daily',
    title: 'AWS IAM credential report (password and access-key age and last use, MFA, root user)',
    payload: awsCredentialReportSchema,
    categories: ['user_access_review', 'idp_auth_policy_mfa_password_session'],
  },
  'aws.users_snapshot': {
    cadence: 'daily',
    title: 'AWS IAM users, groups and attached policies, root MFA and keys snapshot',
    payload: awsUsersSnapshotSchema,
    categories: ['user_access_review', 'privileged_role_assignment'],
    accounts: {
      // Every IAM user listed exists and can be given a password or key at any time: active until DeleteUser, after
      // which the snapshot no longer lists it. Whether it holds a password or key today is the credential report's.
      read: (snapshot) => snapshot.users.map((u) => accountOf(u.person, true)),
      holds: 'access',
      // IAM user names are handles of their own (often not emails): found by login or the email's local part.
      matchBy: 'account',
    },
  },
  'aws.identity_center_snapshot': {
    cadence: 'daily',
    title: 'AWS IAM Identity Center users and permission-set assignments snapshot',
    payload: awsIdentityCenterSnapshotSchema,
    categories: ['user_access_review', 'privileged_role_assignment'],
    accounts: {
      // Identity Center users sign in with their directory email; a user removed from the identity store is gone.
      read: (snapshot) => snapshot.users.map((u) => accountOf(u.person, true, { name: u.displayName })),
      holds: 'access',
      matchBy: 'directory',
    },
  },
  'aws.iam_change': {
    cadence: 'event',
    title: 'AWS IAM change from CloudTrail (user, login profile, access key, MFA, policy), with the actor',
    payload: awsIamChangeSchema,
    categories: ['deprovisioning_offboarding', 'privileged_role_assignment'],
    removal: {
      // A failed call removed nothing; the user the call changed is who lost access.
      read: (change) =>
        change.errorCode !== null || change.target === null
          ? null
          : { removed: change.target, removedBy: change.actor, action: change.action },
      // IAM users have names of their own (often not emails): found by login or the email's local part.
      matchBy: 'account',
      // Deleting the user or its console password ends a person's access; a key deactivation alone may not.
      actions: ['DeleteUser', 'DeleteLoginProfile'],
    },
  },
});

declare module '@crosswalk/core' {
  interface EvidenceKindPayloads extends PayloadsOf<typeof awsKinds> {}
}
