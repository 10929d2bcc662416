import { CrosswalkError } from '@crosswalk/core';
import { dataError } from './check.js';
import { type FrameworkId, frameworkIds, resolveFramework } from './frameworks.js';
import { iso2013AnnexA } from './iso2013.js';
import { isoAnnexA, isoClauses } from './iso2022.js';
import { soc2Criteria } from './soc2.js';
import type { Control, ControlOf } from './types.js';

/**
 * Catalog order: the order each standard lists its controls in. ISO 2022 lists the ISMS clauses before
 * Annex A. Every list this package returns follows it, so output is stable and reads like the standard.
 */
const catalogs: { readonly [F in FrameworkId]: readonly ControlOf<F>[] } = Object.freeze({
  'soc2-2017': soc2Criteria,
  'iso27001-2022': Object.freeze([...isoClauses, ...isoAnnexA]),
  'iso27001-2013': iso2013AnnexA,
});

const byId = new Map<FrameworkId, ReadonlyMap<string, Control>>();
const rank = new Map<FrameworkId, ReadonlyMap<string, number>>();
for (const framework of frameworkIds) {
  const controls: readonly Control[] = catalogs[framework];
  const ids = new Map<string, Control>();
  for (const control of controls) {
    if (ids.has(control.id)) throw dataError(framework, `duplicate control id ${control.id}`);
    ids.set(control.id, control);
  }
  byId.set(framework, ids);
  rank.set(framework, new Map(controls.map((control, i) => [control.id, i])));
}

// The 2013 -> 2022 correspondence is stored from both ends (successors on 2013 rows, predecessors on
// Annex A rows); they must describe the same relation.
for (const old of iso2013AnnexA) {
  if (old.successors2022.length === 0) throw dataError('iso27001-2013', `${old.id} has no 2022 successor`);
  for (const id of old.successors2022) {
    const successor = byId.get('iso27001-2022')!.get(id);
    if (successor?.part !== 'annexA' || !successor.predecessors2013.includes(old.id)) {
      throw dataError('iso27001-2013', `${old.id} -> ${id} is not mirrored by ${id}'s predecessors`);
    }
  }
}
for (const control of isoAnnexA) {
  for (const id of control.predecessors2013) {
    const old = byId.get('iso27001-2013')!.get(id);
    if (old?.framework !== 'iso27001-2013' || !old.successors2022.includes(control.id)) {
      throw dataError('iso27001-2022', `${control.id} <- ${id} is not mirrored by ${id}'s successors`);
    }
  }
}

/**
 * Canonical spelling of a control id: no whitespace, upper case, and for ISO `A8.32` -> `A.8.32`.
 * A bare `8.32` is left alone: in ISO 27001:2022 it could only be read as a clause, and there is none.
 */
export function normalizeControlId(framework: FrameworkId, id: string): string {
  const compact = String(id).replace(/\s+/g, '').toUpperCase();
  return framework === 'soc2-2017' ? compact : compact.replace(/^A(?=\d)/, 'A.');
}

/**
 * Every control of a framework, in catalog order; frozen. Accepts aliases (`soc2`, `iso`).
 *
 * @example listControls('iso27001-2022').filter((c) => c.part === 'annexA').length // 93
 */
export function listControls<F extends FrameworkId>(framework: F): readonly ControlOf<F>[];
export function listControls(framework: string): readonly Control[];
export function listControls(framework: string): readonly Control[] {
  return catalogs[resolveFramework(framework)];
}

/** The control, or undefined; the id is normalized first. */
export function findControl(framework: string, id: string): Control | undefined {
  const resolved = resolveFramework(framework);
  return byId.get(resolved)!.get(normalizeControlId(resolved, id));
}

/**
 * One control by framework and id; obvious case and spacing variants of the id are accepted.
 *
 * @example getControl('soc2', 'cc8.1').id // 'CC8.1'
 * @throws CrosswalkError CW_FRAMEWORK_UNKNOWN, or CW_CONTROL_UNKNOWN naming the framework and the id
 */
export function getControl<F extends FrameworkId>(framework: F, id: string): ControlOf<F>;
export function getControl(framework: string, id: string): Control;
export function getControl(framework: string, id: string): Control {
  const resolved = resolveFramework(framework);
  const control = byId.get(resolved)!.get(normalizeControlId(resolved, id));
  if (control !== undefined) return control;
  throw new CrosswalkError(
    'CW_CONTROL_UNKNOWN',
    `Unknown control "${id}" in ${resolved}${unknownControlHint(resolved, id)}`,
    { where: `${resolved}:${id}` },
  );
}

function unknownControlHint(framework: FrameworkId, id: string): string {
  const asIso = normalizeControlId('iso27001-2022', id);
  if (framework === 'iso27001-2022' && byId.get('iso27001-2013')!.has(asIso)) {
    return `; ${asIso} is an ISO 27001:2013 id: use iso27001-2013:${asIso}, which translates to ${(byId.get('iso27001-2013')!.get(asIso) as ControlOf<'iso27001-2013'>).successors2022.join(', ')}`;
  }
  if (framework !== 'soc2-2017' && byId.get(framework)!.has(`A.${asIso}`)) {
    return `; Annex A ids start with "A.": did you mean A.${asIso}?`;
  }
  return '';
}

/** Sorts control ids of one framework into catalog order and drops duplicates. Ids must be canonical. */
export function inCatalogOrder(framework: FrameworkId, ids: Iterable<string>): string[] {
  const order = rank.get(framework)!;
  const position = (id: string) => order.get(id) ?? order.size;
  return [...new Set(ids)].sort((a, b) => position(a) - position(b));
}
