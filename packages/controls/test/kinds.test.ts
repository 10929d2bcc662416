import { evidenceKindIds, isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import {
  controlsFor,
  evidenceCategories,
  findPair,
  getControl,
  kindCategories,
  kindExclusions,
  kindsFor,
  MAPPING_VERSION,
  manualControls,
  mappingFingerprint,
} from '../src/index.js';
import { thrown } from './thrown.js';

/**
 * The fingerprint of the mapping each MAPPING_VERSION stands for. A change to the kind -> control mapping,
 * the crosswalk or the 2013 translation changes the fingerprint: bump MAPPING_VERSION (see src/version.ts)
 * and add the new line here.
 */
const pinnedFingerprints: Record<string, string> = {
  'crosswalk-2026.11.0+tsc2017-iso2022-consensus3':
    '4f55cca7fbef596b7ed0893aa67cffab7d9dcbfb51eb7b2623323627da8c7ee1',
  'crosswalk-2026.11.1+tsc2017-iso2022-consensus3':
    'b55b3bf596acc8176fcf56ce02590bba21228b94c945ba73580439d211225bc2',
  'crosswalk-2026.12.0+tsc2017-iso2022-consensus3':
    'f270c5fc9414240c5ba659003f77e7705452d1e69314b6f03b8ab8fe21641f05',
  'crosswalk-2026.12.1+tsc2017-iso2022-consensus3':
    '4264f925e1c281e97d5f2d8ec3e3218807bafdb624ac101cc3cb7925ede25309',
  // 2026.12.2: Google Workspace's users snapshot, admin events and login activity.
  'crosswalk-2026.12.2+tsc2017-iso2022-consensus3':
    '03eb0986c173197c81153c9b5e95378a91ddf6f41a523a7ba00e9efbbfea3e58',
  // 2026.12.3: Entra ID's policy snapshot and access reviews.
  'crosswalk-2026.12.3+tsc2017-iso2022-consensus3':
    '1957617da5cfe810938256c2c27dbf5c221b51806de7df88c48d4641f91e6d8e',
  // 2026.12.4: Entra ID's daily sign-in aggregate.
  'crosswalk-2026.12.4+tsc2017-iso2022-consensus3':
    '4734640f4f906dae7eb116939e31e73cfcefcec22d4383098922c354f4c1935f',
  // 2026.12.5: BambooHR's employees snapshot and terminations.
  'crosswalk-2026.12.5+tsc2017-iso2022-consensus3':
    '522758e62f799f6432b72b8e3be7a4d5a16f0c9ce379b32d8374ea2363c4b0dc',
  // 2026.12.6: the HR leaver timeliness and the daily orphaned accounts (derived).
  'crosswalk-2026.12.6+tsc2017-iso2022-consensus3':
    '1f76aedc27d856964d114047890c062d8b1b63aa0ff1ced6ccc71aeb317bbb65',
  // 2026.12.7: AWS IAM's credential report, users and Identity Center snapshots, and CloudTrail IAM changes.
  'crosswalk-2026.12.7+tsc2017-iso2022-consensus3':
    '3a1eaedbd5ac37eb599a890b2f653b167701b58e7a1218a2db3d847ec5b0e3a3',
  // 2026.12.8: GitLab's merge request approvals, branch protection, group members and member removals.
  'crosswalk-2026.12.8+tsc2017-iso2022-consensus3':
    '59726f2a472745ff7416a6c699240222669be69129257fd7165f24b755976496',
};

describe('the evidence kind -> control mapping', () => {
  it('maps every evidence kind to at least one SOC 2 criterion and one ISO 2022 control', () => {
    for (const kind of evidenceKindIds()) {
      const controls = controlsFor(kind);
      expect(controls['soc2-2017'].length, kind).toBeGreaterThan(0);
      expect(controls['iso27001-2022'].length, kind).toBeGreaterThan(0);
      for (const id of controls['soc2-2017']) expect(getControl('soc2-2017', id).id).toBe(id);
      for (const id of controls['iso27001-2022']) expect(getControl('iso27001-2022', id).part).toBe('annexA');
    }
  });

  it('maps okta.policy to CC6.1 and A.8.5', () => {
    expect(controlsFor('okta.policy')['soc2-2017']).toContain('CC6.1');
    expect(controlsFor('okta.policy')['iso27001-2022']).toContain('A.8.5');
  });

  it('maps okta.user_lifecycle to CC6.2 and A.5.18', () => {
    expect(controlsFor('okta.user_lifecycle')['soc2-2017']).toContain('CC6.2');
    expect(controlsFor('okta.user_lifecycle')['iso27001-2022']).toContain('A.5.18');
  });

  it('maps github.pull_request.approval to CC8.1 and A.8.32', () => {
    expect(controlsFor('github.pull_request.approval')).toEqual({
      'soc2-2017': ['CC8.1'],
      'iso27001-2022': ['A.5.3', 'A.8.25', 'A.8.28', 'A.8.29', 'A.8.32'],
      mappingVersion: MAPPING_VERSION,
    });
  });

  it("gives a kind the union of its categories' controls less its exclusions, in catalog order without duplicates", () => {
    const members = controlsFor('github.org_members');
    const categories = kindCategories()['github.org_members'].map(
      (id) => evidenceCategories.find((c) => c.id === id)!,
    );
    const excluded = new Set<string>(kindExclusions['github.org_members']['soc2-2017']);
    expect(new Set(members['soc2-2017'])).toEqual(
      new Set(categories.flatMap((c) => c.soc2).filter((id) => !excluded.has(id))),
    );
    expect(new Set(members['iso27001-2022'])).toEqual(new Set(categories.flatMap((c) => c.iso2022)));
    expect(members['soc2-2017']).toEqual(['CC6.1', 'CC6.2', 'CC6.3', 'CC6.6']);
    expect(members['iso27001-2022']).toEqual([
      'A.5.3',
      'A.5.15',
      'A.5.17',
      'A.5.18',
      'A.8.2',
      'A.8.4',
      'A.8.5',
    ]);
  });

  it('maps each category to controls the crosswalk corroborates', () => {
    for (const category of evidenceCategories) {
      expect(category.corroboratingPairs.length, category.id).toBeGreaterThan(0);
      for (const pair of category.corroboratingPairs) {
        expect(category.soc2).toContain(pair.soc2);
        expect(category.iso2022).toContain(pair.iso);
        expect(findPair(pair.soc2, pair.iso)?.supportCount, `${pair.soc2}~${pair.iso}`).toBe(
          pair.supportCount,
        );
      }
    }
  });

  it('rejects an unknown kind with CW_KIND_UNKNOWN naming it', () => {
    const error = thrown(() => controlsFor('gitlab.merge_request'));
    expect(isCrosswalkError(error, 'CW_KIND_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('"gitlab.merge_request"');
  });

  it('stamps the mapping version, whose fingerprint is pinned so a mapping change forces a bump', () => {
    expect(MAPPING_VERSION).toMatch(/^crosswalk-\d{4}\.\d{2}\.\d+\+[a-z0-9-]+$/);
    expect(controlsFor('okta.policy').mappingVersion).toBe(MAPPING_VERSION);
    expect(
      mappingFingerprint(),
      `the mapping changed: bump MAPPING_VERSION (${MAPPING_VERSION}) and pin the new fingerprint`,
    ).toBe(pinnedFingerprints[MAPPING_VERSION]);
  });
});

/**
 * The categories each kind evidences, as the connectors declare them (each in its own folder) and the composition
 * registers them. The fingerprint above pins the controls they lead to; this pins the declarations themselves, so
 * a category moved, dropped or added in a connector's kinds.ts is a visible change here, decided with a
 * MAPPING_VERSION bump, never a silent one.
 */
const pinnedCategories = {
  'github.pull_request.approval': ['pr_code_review_approval'],
  'github.branch_protection': ['branch_protection_config'],
  'github.org_members': ['user_access_review', 'org_2fa_enforcement', 'privileged_role_assignment'],
  'github.member_removed': ['deprovisioning_offboarding'],
  'okta.policy': ['idp_auth_policy_mfa_password_session'],
  'okta.user_lifecycle': ['deprovisioning_offboarding', 'user_provisioning_joiner'],
  'okta.users_snapshot': ['user_access_review', 'privileged_role_assignment'],
  'okta.access_review': ['user_access_review'],
  'entra.users_snapshot': ['user_access_review', 'privileged_role_assignment'],
  'entra.user_lifecycle': [
    'deprovisioning_offboarding',
    'user_provisioning_joiner',
    'privileged_role_assignment',
  ],
  'entra.policy': ['idp_auth_policy_mfa_password_session'],
  'entra.access_review': ['user_access_review'],
  'entra.sign_in_summary': ['idp_auth_policy_mfa_password_session'],
  'google_workspace.users_snapshot': [
    'user_access_review',
    'privileged_role_assignment',
    'org_2fa_enforcement',
  ],
  'google_workspace.admin_event': [
    'deprovisioning_offboarding',
    'user_provisioning_joiner',
    'privileged_role_assignment',
    'idp_auth_policy_mfa_password_session',
  ],
  'google_workspace.login_activity': ['idp_auth_policy_mfa_password_session', 'org_2fa_enforcement'],
  'jira.deprovisioning_ticket': ['deprovisioning_offboarding'],
  'jira.provisioning_ticket': ['user_provisioning_joiner'],
  'jira.access_review_ticket': ['user_access_review'],
  'bamboohr.employees_snapshot': ['user_provisioning_joiner', 'deprovisioning_offboarding'],
  'bamboohr.termination': ['deprovisioning_offboarding'],
  'aws.credential_report': ['user_access_review', 'idp_auth_policy_mfa_password_session'],
  'aws.users_snapshot': ['user_access_review', 'privileged_role_assignment'],
  'aws.identity_center_snapshot': ['user_access_review', 'privileged_role_assignment'],
  'aws.iam_change': ['deprovisioning_offboarding', 'privileged_role_assignment'],
  'gitlab.merge_request.approval': ['pr_code_review_approval'],
  'gitlab.branch_protection': ['branch_protection_config'],
  'gitlab.group_members': ['user_access_review', 'org_2fa_enforcement', 'privileged_role_assignment'],
  'gitlab.member_removed': ['deprovisioning_offboarding'],
  'crosswalk.deprovisioning_timeliness': ['deprovisioning_offboarding'],
  'crosswalk.leaver_timeliness': ['deprovisioning_offboarding'],
  'crosswalk.orphaned_accounts': ['deprovisioning_offboarding'],
};

describe('the kind -> category declarations the composition registers', () => {
  it('are the pinned ones, in the pinned order', () => {
    expect(kindCategories()).toEqual(pinnedCategories);
    expect(Object.keys(kindCategories())).toEqual(Object.keys(pinnedCategories));
  });
});

describe('kindsFor', () => {
  it('lists the kinds that evidence a SOC 2 criterion', () => {
    expect(kindsFor('soc2-2017', 'CC8.1')).toContain('github.pull_request.approval');
    expect(kindsFor('soc2', 'cc8.1')).toEqual([
      'github.pull_request.approval',
      'github.branch_protection',
      'gitlab.merge_request.approval',
      'gitlab.branch_protection',
    ]);
  });

  it('lists the kinds that evidence an ISO 2022 control', () => {
    expect(kindsFor('iso27001-2022', 'A.8.5')).toEqual([
      'github.org_members',
      'okta.policy',
      'entra.policy',
      'entra.sign_in_summary',
      'google_workspace.users_snapshot',
      'google_workspace.admin_event',
      'google_workspace.login_activity',
      'aws.credential_report',
      'gitlab.group_members',
    ]);
  });

  it('is the inverse of controlsFor', () => {
    for (const kind of evidenceKindIds()) {
      const controls = controlsFor(kind);
      for (const id of controls['soc2-2017']) expect(kindsFor('soc2-2017', id)).toContain(kind);
      for (const id of controls['iso27001-2022']) expect(kindsFor('iso27001-2022', id)).toContain(kind);
    }
  });

  it('translates a 2013 id first', () => {
    expect(kindsFor('iso27001-2013', 'A.9.4.2')).toEqual(kindsFor('iso27001-2022', 'A.8.5'));
    expect(kindsFor('iso27001-2013', 'A.12.1.2')).toEqual(kindsFor('iso27001-2022', 'A.8.32'));
    expect(kindsFor('iso27001-2013', 'a.9.2.6')).toContain('okta.user_lifecycle');
  });

  it('gives a known control that no kind evidences an empty list', () => {
    expect(kindsFor('iso27001-2022', '9.3')).toEqual([]);
    expect(kindsFor('soc2-2017', 'P8.1')).toEqual([]);
  });

  it('rejects an unknown control with CW_CONTROL_UNKNOWN naming the framework and the id', () => {
    const error = thrown(() => kindsFor('iso27001-2013', 'A.5.1'));
    expect(isCrosswalkError(error, 'CW_CONTROL_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('"A.5.1"');
    expect((error as Error).message).toContain('iso27001-2013');
  });
});

describe('manualControls', () => {
  it('lists ISO management review and the other controls no kind evidences', () => {
    const manual = manualControls('iso27001-2022').map((c) => c.id);
    expect(manual).toEqual(expect.arrayContaining(['9.3', '9.3.1', '9.3.2', '9.3.3', 'A.5.1', 'A.7.1']));
    expect(manual).not.toContain('A.8.32');
    expect(manual).not.toContain('A.8.5');
  });

  it('lists SOC 2 criteria no kind evidences, and none that one does', () => {
    const manual = manualControls('soc2').map((c) => c.id);
    expect(manual).toContain('CC1.1');
    expect(manual).not.toContain('CC8.1');
    for (const id of manual) expect(kindsFor('soc2', id)).toEqual([]);
  });

  it('does not claim the return of assets (A.5.11) for account removals, only tickets may', () => {
    expect(controlsFor('okta.user_lifecycle')['iso27001-2022']).not.toContain('A.5.11');
    expect(controlsFor('github.member_removed')['iso27001-2022']).not.toContain('A.5.11');
  });

  it('claims A.5.11 for a deprovisioning ticket only when the record says its process covers asset return', () => {
    const base = controlsFor('jira.deprovisioning_ticket');
    expect(base['iso27001-2022']).not.toContain('A.5.11');
    expect(controlsFor('jira.deprovisioning_ticket', { assetReturn: false })['iso27001-2022']).toEqual(
      base['iso27001-2022'],
    );
    expect(controlsFor('jira.deprovisioning_ticket', { assetReturn: 'yes' })['iso27001-2022']).toEqual(
      base['iso27001-2022'],
    );
    const claimed = controlsFor('jira.deprovisioning_ticket', { assetReturn: true });
    expect(claimed['iso27001-2022']).toEqual(['A.5.11', ...base['iso27001-2022']]);
    expect(claimed['soc2-2017']).toEqual(base['soc2-2017']);
    // Only that kind takes record-level claims; kind-level readers do not count them.
    expect(controlsFor('jira.provisioning_ticket', { assetReturn: true })['iso27001-2022']).not.toContain(
      'A.5.11',
    );
    expect(kindsFor('iso27001-2022', 'A.5.11')).toEqual([]);
  });

  it('does not claim monitoring (CC4.1, CC4.2) for population snapshots, only for reviews', () => {
    expect(controlsFor('okta.users_snapshot')['soc2-2017']).not.toContain('CC4.1');
    expect(controlsFor('okta.access_review')['soc2-2017']).toEqual(
      expect.arrayContaining(['CC4.1', 'CC4.2']),
    );
  });
});
