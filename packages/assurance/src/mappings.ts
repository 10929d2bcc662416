import { controlsFor, type FrameworkId, getControl, inCatalogOrder } from '@crosswalk/controls';
import type { ControlEntry } from './register/schema.js';

const FRAMEWORKS = ['soc2-2017', 'iso27001-2022'] as const satisfies readonly FrameworkId[];

export interface FrameworkMapping {
  /** What the crosswalk gives through the control's evidence kinds. */
  defaults: string[];
  /** The register's additions and removals: the difference from the defaults, shown as such. */
  added: string[];
  removed: string[];
  effective: string[];
}

export type ControlMappings = Record<(typeof FRAMEWORKS)[number], FrameworkMapping>;

/** A register control's framework mappings: the defaults through its kinds, plus and minus the register's changes. */
export function controlMappings(control: ControlEntry): ControlMappings {
  const result = {} as ControlMappings;
  for (const framework of FRAMEWORKS) {
    const defaults = inCatalogOrder(
      framework,
      control.evidence.flatMap((e) => controlsFor(e.kind)[framework]),
    );
    const canonical = (ids: string[] | undefined) => (ids ?? []).map((id) => getControl(framework, id).id);
    const add = canonical(control.mappings?.add?.[framework]).filter((id) => !defaults.includes(id));
    const remove = canonical(control.mappings?.remove?.[framework]).filter((id) => defaults.includes(id));
    const effective = inCatalogOrder(framework, [...defaults.filter((id) => !remove.includes(id)), ...add]);
    result[framework] = {
      defaults,
      added: inCatalogOrder(framework, add),
      removed: inCatalogOrder(framework, remove),
      effective,
    };
  }
  return result;
}
