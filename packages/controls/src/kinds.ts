import { type ControlsRef, type EvidenceKind, evidenceKindIds, kindDeclaration } from '@crosswalk/core';
import rows from '../data/evidence-categories.json' with { type: 'json' };
import { getControl, inCatalogOrder, listControls } from './catalog.js';
import { dataError } from './check.js';
import { resolveFramework } from './frameworks.js';
import { deepFreeze } from './freeze.js';
import type { Control } from './types.js';
import { MAPPING_VERSION } from './version.js';

export type EvidenceCategoryId =
  | 'pr_code_review_approval'
  | 'branch_protection_config'
  | 'user_access_review'
  | 'deprovisioning_offboarding'
  | 'idp_auth_policy_mfa_password_session'
  | 'user_provisioning_joiner'
  | 'privileged_role_assignment'
  | 'audit_logging_config'
  | 'vulnerability_alerts_dependabot'
  | 'secret_scanning'
  | 'org_2fa_enforcement';

/**
 * A system-neutral kind of evidence (e.g. "user access review") and the controls it supports. Connector kinds
 * reach controls only through categories, so two systems producing the same evidence map the same way.
 */
export interface EvidenceCategory {
  readonly id: EvidenceCategoryId;
  readonly soc2: readonly string[];
  readonly iso2022: readonly string[];
  readonly rationale: string;
  /** Pairs of the category's own controls that the crosswalk supports, with their support count. */
  readonly corroboratingPairs: readonly {
    readonly soc2: string;
    readonly iso: string;
    readonly supportCount: number;
  }[];
}

const file = 'evidence-categories.json';

export const evidenceCategories: readonly EvidenceCategory[] = deepFreeze(
  rows.map((row): EvidenceCategory => {
    for (const id of row.soc2)
      if (getControl('soc2-2017', id).id !== id) throw dataError(file, `${row.id}: ${id}`);
    for (const id of row.iso2022) {
      if (getControl('iso27001-2022', id).id !== id) throw dataError(file, `${row.id}: ${id}`);
    }
    return { ...row, id: row.id as EvidenceCategoryId };
  }),
);

const categoryById = new Map(evidenceCategories.map((category) => [category.id, category]));

/**
 * The categories each registered kind evidences, as its connector declares them (`categories` in the kind's
 * declaration, in the connector's folder), checked against the categories above. Read from core's kind catalog at
 * first use, so the composition has registered every connector's kinds. The mapping fingerprint covers the result:
 * moving or changing a declaration cannot change a record's controls silently.
 * @throws CrosswalkError CW_INTERNAL when a kind names a category the crosswalk does not have
 */
export function kindCategories(): Readonly<Record<EvidenceKind, readonly EvidenceCategoryId[]>> {
  return composed().categories;
}

/**
 * Controls a kind's categories name that the kind does not evidence by itself. A category describes a whole
 * practice; one kind of record may show only part of it, and claiming more would mislead an auditor.
 */
export const kindExclusions = deepFreeze({
  'github.org_members': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason:
      'a membership snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'okta.users_snapshot': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason: 'a user snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'entra.users_snapshot': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason: 'a user snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'entra.user_lifecycle': {
    'iso27001-2022': ['A.5.11'],
    reason: 'a directory audit entry says nothing about the return of assets',
  },
  'google_workspace.users_snapshot': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason: 'a user snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'google_workspace.admin_event': {
    'iso27001-2022': ['A.5.11'],
    reason: 'an account or role change says nothing about the return of assets',
  },
  'github.member_removed': {
    'iso27001-2022': ['A.5.11'],
    reason: 'removing an account says nothing about the return of assets',
  },
  'okta.user_lifecycle': {
    'iso27001-2022': ['A.5.11'],
    reason: 'a lifecycle event says nothing about the return of assets',
  },
  'bamboohr.employees_snapshot': {
    'iso27001-2022': ['A.5.11'],
    reason: 'an HR roster says who joined and left, not whether assets were returned',
  },
  'bamboohr.termination': {
    'iso27001-2022': ['A.5.11'],
    reason: 'a termination in HR says nothing about the return of assets',
  },
  'aws.users_snapshot': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason: 'a user snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'aws.identity_center_snapshot': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason:
      'an assignment snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'aws.credential_report': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason: 'a credential report is the population a review samples from, not the review (monitoring) itself',
  },
  'aws.iam_change': {
    'iso27001-2022': ['A.5.11'],
    reason: 'an IAM call says nothing about the return of assets',
  },
  'gitlab.group_members': {
    'soc2-2017': ['CC4.1', 'CC4.2'],
    reason:
      'a membership snapshot is the population a review samples from, not the review (monitoring) itself',
  },
  'gitlab.member_removed': {
    'iso27001-2022': ['A.5.11'],
    reason: 'removing an account says nothing about the return of assets',
  },
  'crosswalk.deprovisioning_timeliness': {
    'iso27001-2022': ['A.5.11'],
    reason: 'timeliness of account removal says nothing about the return of assets',
  },
  'crosswalk.leaver_timeliness': {
    'iso27001-2022': ['A.5.11'],
    reason: 'when a leaver lost access says nothing about the return of assets',
  },
  'crosswalk.orphaned_accounts': {
    'iso27001-2022': ['A.5.11'],
    reason: 'accounts left active say nothing about the return of assets',
  },
  'jira.deprovisioning_ticket': {
    'iso27001-2022': ['A.5.11'],
    reason:
      'an offboarding ticket shows the return of assets only when its process covers it: claimed per record, ' +
      'see recordClaims',
  },
} as const satisfies Partial<
  Record<
    EvidenceKind,
    { 'soc2-2017'?: readonly string[]; 'iso27001-2022'?: readonly string[]; reason: string }
  >
>);

/**
 * Controls a kind's records claim one by one, when the record itself says so: `when` names a boolean payload field
 * that must be `true`. The claim rests on what the record states (and its hash covers), never on the kind alone.
 * Kind-level readers (kindsFor, coverage, export populations) do not count these claims: a kind whose records only
 * sometimes show a control is not evidence of it as a whole.
 */
export const recordClaims = deepFreeze({
  'jira.deprovisioning_ticket': [
    {
      'iso27001-2022': ['A.5.11'],
      when: 'assetReturn',
      reason:
        "the ticket's configured process includes the return of assets (kinds.deprovisioning.assetReturn)",
    },
  ],
} as const satisfies Partial<
  Record<
    EvidenceKind,
    readonly {
      'soc2-2017'?: readonly string[];
      'iso27001-2022'?: readonly string[];
      when: string;
      reason: string;
    }[]
  >
>);

for (const [kind, claims] of Object.entries(recordClaims)) {
  for (const claim of claims) {
    for (const id of claim['iso27001-2022'])
      if (getControl('iso27001-2022', id).id !== id) throw dataError(file, `recordClaims ${kind}: ${id}`);
  }
}

interface KindControls {
  readonly 'soc2-2017': readonly string[];
  readonly 'iso27001-2022': readonly string[];
}

interface Composed {
  readonly categories: Readonly<Record<EvidenceKind, readonly EvidenceCategoryId[]>>;
  readonly controlsByKind: ReadonlyMap<EvidenceKind, KindControls>;
  readonly kindsByControl: ReadonlyMap<string, readonly EvidenceKind[]>;
}

let composition: Composed | undefined;

/** The kinds' categories and controls, composed once from the kind catalog (which is sealed by then). */
function composed(): Composed {
  if (composition) return composition;
  const categoriesOf = {} as Record<EvidenceKind, readonly EvidenceCategoryId[]>;
  const controlsByKind = new Map<EvidenceKind, KindControls>();
  for (const kind of evidenceKindIds()) {
    const declared = kindDeclaration(kind).categories;
    const categories = declared.map((id) => {
      const category = categoryById.get(id as EvidenceCategoryId);
      if (category === undefined) throw dataError(file, `kind ${kind} names missing category ${id}`);
      return category;
    });
    categoriesOf[kind] = deepFreeze(categories.map((c) => c.id));
    const excluded = (
      kindExclusions as Partial<Record<EvidenceKind, Record<string, readonly string[] | string>>>
    )[kind];
    const keep = (framework: 'soc2-2017' | 'iso27001-2022', ids: string[]) => {
      const dropped = (excluded?.[framework] ?? []) as readonly string[];
      for (const id of dropped)
        if (!ids.includes(id)) throw dataError(file, `kind ${kind} excludes ${id}, which it never had`);
      return inCatalogOrder(
        framework,
        ids.filter((id) => !dropped.includes(id)),
      );
    };
    controlsByKind.set(
      kind,
      deepFreeze({
        'soc2-2017': keep(
          'soc2-2017',
          categories.flatMap((c) => c.soc2),
        ),
        'iso27001-2022': keep(
          'iso27001-2022',
          categories.flatMap((c) => c.iso2022),
        ),
      }),
    );
  }
  const kindsByControl = new Map<string, EvidenceKind[]>();
  for (const [kind, controls] of controlsByKind) {
    for (const framework of ['soc2-2017', 'iso27001-2022'] as const) {
      for (const id of controls[framework]) {
        const key = `${framework}:${id}`;
        kindsByControl.set(key, [...(kindsByControl.get(key) ?? []), kind]);
      }
    }
  }
  for (const [key, kinds] of kindsByControl) kindsByControl.set(key, deepFreeze(kinds));
  composition = { categories: deepFreeze(categoriesOf), controlsByKind, kindsByControl };
  return composition;
}

/**
 * The controls one kind of evidence satisfies in each primary framework (the union of its categories'
 * controls, in catalog order) and the mapping version that said so: what a record's `controls` field holds.
 * Given the record's payload, the record-level claims it qualifies for are added (`recordClaims`).
 * Returns a fresh object each call, ready to put on a record.
 *
 * @example controlsFor('okta.policy') // { 'soc2-2017': ['CC6.1', 'CC6.6'], 'iso27001-2022': [...], mappingVersion }
 * @example controlsFor('jira.deprovisioning_ticket', { ..., assetReturn: true }) // iso27001-2022 includes A.5.11
 * @throws CrosswalkError CW_KIND_UNKNOWN naming the kind
 */
export function controlsFor(kind: EvidenceKind | string, payload?: unknown): ControlsRef {
  kindDeclaration(kind); // CW_KIND_UNKNOWN naming the kind and the known ones
  const controls = composed().controlsByKind.get(kind as EvidenceKind)!;
  const soc2 = [...controls['soc2-2017']];
  const iso = [...controls['iso27001-2022']];
  const claims = (recordClaims as Partial<Record<string, (typeof recordClaims)[keyof typeof recordClaims]>>)[
    kind
  ];
  if (claims && payload !== null && typeof payload === 'object') {
    for (const claim of claims) {
      if ((payload as Record<string, unknown>)[claim.when] !== true) continue;
      const add = (ids: string[], extra: readonly string[] | undefined) => {
        for (const id of extra ?? []) if (!ids.includes(id)) ids.push(id);
      };
      add(soc2, (claim as { 'soc2-2017'?: readonly string[] })['soc2-2017']);
      add(iso, claim['iso27001-2022']);
    }
  }
  return {
    'soc2-2017': inCatalogOrder('soc2-2017', soc2),
    'iso27001-2022': inCatalogOrder('iso27001-2022', iso),
    mappingVersion: MAPPING_VERSION,
  };
}

/**
 * The kinds whose evidence satisfies a control, in @crosswalk/core's kind order. A 2013 id is translated
 * first and gets the kinds of all its successors. A known control no kind evidences gets `[]`.
 *
 * @example kindsFor('soc2', 'CC8.1') // ['github.pull_request.approval', 'github.branch_protection']
 * @throws CrosswalkError CW_FRAMEWORK_UNKNOWN, CW_CONTROL_UNKNOWN
 */
export function kindsFor(framework: string, controlId: string): readonly EvidenceKind[] {
  const control = getControl(framework, controlId);
  if (control.framework !== 'iso27001-2013') {
    return composed().kindsByControl.get(`${control.framework}:${control.id}`) ?? Object.freeze([]);
  }
  const kinds = new Set(
    control.successors2022.flatMap((id) => composed().kindsByControl.get(`iso27001-2022:${id}`) ?? []),
  );
  return Object.freeze(evidenceKindIds().filter((kind) => kinds.has(kind)));
}

/**
 * The controls of a framework that no evidence kind satisfies, in catalog order: coverage lists them as manual
 * (evidenced by documents and meetings, e.g. ISO clause 9.3 management review, or by systems without a
 * connector yet).
 */
export function manualControls(framework: string): readonly Control[] {
  const resolved = resolveFramework(framework);
  const controls: readonly Control[] = listControls(resolved);
  return Object.freeze(controls.filter((control) => kindsFor(resolved, control.id).length === 0));
}
