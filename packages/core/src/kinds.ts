/**
 * The evidence kinds Crosswalk knows, each with its cadence: how often evidence of it is expected to appear.
 * Coverage reads the cadence (an `event` kind has no expected count; a `daily` snapshot is expected every day,
 * a `quarterly` review every quarter). The controls each kind satisfies live in @crosswalk/controls, because
 * that mapping is versioned with the crosswalk, not with the record format.
 */

export type Cadence = 'event' | 'daily' | 'quarterly';

export const evidenceKinds = {
  'github.pull_request.approval': { cadence: 'event', title: 'Merged pull request and its reviews' },
  'github.branch_protection': { cadence: 'daily', title: 'Default-branch protection and rulesets snapshot' },
  'github.org_members': { cadence: 'daily', title: 'Organization members, roles and 2FA snapshot' },
  'github.member_removed': { cadence: 'event', title: 'Member removed from the organization' },
  'okta.policy': { cadence: 'daily', title: 'Okta sign-on, password, MFA and access policies snapshot' },
  'okta.user_lifecycle': {
    cadence: 'event',
    title: 'Okta user lifecycle event (create, activate, deactivate)',
  },
  'okta.users_snapshot': { cadence: 'daily', title: 'Okta users, admin roles and app assignments snapshot' },
  'okta.access_review': { cadence: 'quarterly', title: 'Okta Identity Governance access review campaign' },
  'entra.users_snapshot': {
    cadence: 'daily',
    title: 'Entra ID users, sign-in state, guests, MFA registration and directory role holders snapshot',
  },
  'entra.user_lifecycle': {
    cadence: 'event',
    title:
      'Entra ID user lifecycle event from the directory audit log (create, disable, delete, role change)',
  },
  'entra.policy': {
    cadence: 'daily',
    title: 'Entra ID Conditional Access and authentication methods policy snapshot',
  },
  'entra.access_review': {
    cadence: 'quarterly',
    title: 'Entra ID Governance access review instance with its decisions',
  },
  'entra.sign_in_summary': {
    cadence: 'daily',
    title: 'Entra ID sign-ins of one day, with those no MFA policy covered and the users concerned',
  },
  'google_workspace.users_snapshot': {
    cadence: 'daily',
    title: 'Google Workspace users, 2-Step Verification and admin roles snapshot',
  },
  'google_workspace.admin_event': {
    cadence: 'event',
    title: 'Google Workspace admin audit event (user, role or security setting change)',
  },
  'google_workspace.login_activity': {
    cadence: 'daily',
    title: 'Google Workspace logins of one day, with those without a second factor',
  },
  'jira.deprovisioning_ticket': { cadence: 'event', title: 'Jira deprovisioning ticket' },
  'jira.provisioning_ticket': { cadence: 'event', title: 'Jira provisioning ticket' },
  'jira.access_review_ticket': { cadence: 'quarterly', title: 'Jira access review ticket' },
  'crosswalk.deprovisioning_timeliness': {
    cadence: 'event',
    title: 'Deprovisioning timeliness joined across ticket, IdP and code host',
  },
} as const satisfies Record<string, { cadence: Cadence; title: string }>;

export type EvidenceKind = keyof typeof evidenceKinds;

export const evidenceKindIds = Object.keys(evidenceKinds) as EvidenceKind[];

export function isEvidenceKind(value: string): value is EvidenceKind {
  return Object.hasOwn(evidenceKinds, value);
}
