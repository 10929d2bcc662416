import { CrosswalkError } from '@crosswalk/core';

export type FrameworkId = 'soc2-2017' | 'iso27001-2022' | 'iso27001-2013';

export interface Framework {
  readonly id: FrameworkId;
  readonly name: string;
  readonly version: string;
  /**
   * Whether evidence is indexed against it. ISO/IEC 27001:2013 is input-only: its certificates lapsed at the
   * end of the transition (October 2025), so its ids are accepted and translated to their 2022 successors.
   */
  readonly primary: boolean;
}

export const frameworks: readonly Framework[] = Object.freeze([
  Object.freeze({
    id: 'soc2-2017',
    name: 'SOC 2 Trust Services Criteria',
    version: '2017 (revised points of focus, 2022)',
    primary: true,
  }),
  Object.freeze({ id: 'iso27001-2022', name: 'ISO/IEC 27001', version: '2022', primary: true }),
  Object.freeze({ id: 'iso27001-2013', name: 'ISO/IEC 27001', version: '2013', primary: false }),
] as const);

export const frameworkIds: readonly FrameworkId[] = Object.freeze(frameworks.map((f) => f.id));

/**
 * Friendly names people type; the bare names mean the current edition. Keys are lower case. A Map, not an
 * object literal: the names come from requests, and `constructor` or `__proto__` must not find Object's own.
 */
const aliases: ReadonlyMap<string, FrameworkId> = new Map<string, FrameworkId>([
  ['soc2', 'soc2-2017'],
  ['soc2:2017', 'soc2-2017'],
  ['tsc', 'soc2-2017'],
  ['iso', 'iso27001-2022'],
  ['iso27001', 'iso27001-2022'],
  ['iso27001:2022', 'iso27001-2022'],
  ['iso27001:2013', 'iso27001-2013'],
]);

export function isFrameworkId(value: unknown): value is FrameworkId {
  return typeof value === 'string' && (frameworkIds as readonly string[]).includes(value);
}

/**
 * The framework id for an id or alias, case-insensitive.
 *
 * @example resolveFramework('SOC2') // 'soc2-2017'
 * @example resolveFramework('iso') // 'iso27001-2022'
 * @throws CrosswalkError CW_FRAMEWORK_UNKNOWN naming the input and the valid ids
 */
export function resolveFramework(value: string): FrameworkId {
  const key = String(value).trim().toLowerCase();
  if (isFrameworkId(key)) return key;
  const aliased = aliases.get(key);
  if (aliased !== undefined) return aliased;
  throw new CrosswalkError(
    'CW_FRAMEWORK_UNKNOWN',
    `Unknown framework "${value}": expected one of ${frameworkIds.join(', ')} ` +
      `(aliases: ${[...aliases.keys()].join(', ')})`,
    { where: String(value) },
  );
}

export function getFramework(value: string): Framework {
  const id = resolveFramework(value);
  return frameworks.find((f) => f.id === id)!;
}
