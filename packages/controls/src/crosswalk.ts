import rows from '../data/crosswalk-soc2-iso27001-2022.json' with { type: 'json' };
import { findControl, getControl, inCatalogOrder } from './catalog.js';
import { dataError, oneOf } from './check.js';
import type { FrameworkId } from './frameworks.js';
import { deepFreeze } from './freeze.js';
import { translationSource } from './iso2013.js';
import type { IsoPart } from './types.js';

const file = 'crosswalk-soc2-iso27001-2022.json';

/**
 * Which mapping the SOC 2 <-> ISO 27001:2022 pairs follow. Swapping it (for the AICPA's own mapping, say)
 * means new data, a new `id` and a new MAPPING_VERSION; nothing else in the package assumes this source.
 */
export const crosswalkSource = deepFreeze({
  id: 'consensus3',
  name: 'Consensus of three pivot mappings',
  version: 'adobe-ccf-v5+scf-2025.2.2+cisco-ccf-v3.0',
  frameworks: ['soc2-2017', 'iso27001-2022'] as const,
  method:
    'Each source maps SOC 2 criteria and ISO 27001:2022 controls to its own control set (the pivot); a pair ' +
    'is claimed by a source when one of its pivot controls maps to both. Points of focus are rolled up to ' +
    'their criterion. A pair is kept when at least two sources claim it; processing-integrity and privacy ' +
    'criteria are mapped by one source only, so their single-source pairs are kept as low confidence.',
  confidence: {
    high: 'claimed by all three sources',
    medium: 'claimed by two of the three sources',
    low: 'claimed by one source (processing-integrity and privacy criteria only)',
  },
  sources: [
    { id: 'adobe-ccf-v5', name: 'Adobe Common Controls Framework', version: '5' },
    { id: 'scf-2025.2.2', name: 'Secure Controls Framework', version: '2025.2.2', license: 'CC BY-ND 4.0' },
    { id: 'cisco-ccf-v3.0', name: 'Cisco Cloud Controls Framework', version: '3.0' },
  ],
  obtainedFrom: 'mapping libraries of intuitem/ciso-assistant-community at commit f990d7b1',
  notYetObtained: 'AICPA "Mapping of the 2017 Trust Services Criteria to ISO/IEC 27001:2022"',
});

export type CrosswalkSourceId = (typeof crosswalkSource.sources)[number]['id'];
export type Confidence = 'high' | 'medium' | 'low';

export interface CrosswalkPair {
  readonly soc2: string;
  readonly iso: string;
  readonly confidence: Confidence;
  /** How many of the sources claim the pair (1-3). */
  readonly supportCount: number;
  readonly sources: readonly CrosswalkSourceId[];
  readonly isoPart: IsoPart;
}

const confidences: readonly Confidence[] = ['high', 'medium', 'low'];
const confidenceBySupport: Readonly<Record<number, Confidence>> = { 3: 'high', 2: 'medium', 1: 'low' };
const sourceIds = crosswalkSource.sources.map((s) => s.id);

const pairs: readonly CrosswalkPair[] = deepFreeze(
  rows.map((row): CrosswalkPair => {
    const where = `${row.soc2} <-> ${row.iso}`;
    const iso = findControl('iso27001-2022', row.iso);
    if (findControl('soc2-2017', row.soc2)?.id !== row.soc2)
      throw dataError(file, `${where}: unknown SOC 2 id`);
    if (iso?.id !== row.iso || iso.part === undefined) throw dataError(file, `${where}: unknown ISO 2022 id`);
    const sources = row.sources.map((s) => oneOf(file, s, sourceIds, `${where} source`));
    const confidence = oneOf(file, row.confidence, confidences, `${where} confidence`);
    if (row.supportCount !== new Set(sources).size || confidenceBySupport[row.supportCount] !== confidence) {
      throw dataError(
        file,
        `${where}: support ${row.supportCount} / ${confidence} disagrees with its sources`,
      );
    }
    return {
      soc2: row.soc2,
      iso: row.iso,
      confidence,
      supportCount: row.supportCount,
      sources,
      isoPart: iso.part,
    };
  }),
);

const bySoc2 = new Map<string, CrosswalkPair[]>();
const byIso = new Map<string, CrosswalkPair[]>();
for (const pair of pairs) {
  const fromSoc2 = bySoc2.get(pair.soc2) ?? [];
  if (fromSoc2.some((p) => p.iso === pair.iso))
    throw dataError(file, `duplicate pair ${pair.soc2} <-> ${pair.iso}`);
  bySoc2.set(pair.soc2, [...fromSoc2, pair]);
  byIso.set(pair.iso, [...(byIso.get(pair.iso) ?? []), pair]);
}

/** Every SOC 2 <-> ISO 27001:2022 pair of the crosswalk, SOC 2 catalog order first; frozen. */
export function crosswalkPairs(): readonly CrosswalkPair[] {
  return pairs;
}

/** The crosswalk pair for two ids, or undefined when no source supports it. Ids are normalized. */
export function findPair(soc2: string, iso: string): CrosswalkPair | undefined {
  const soc2Id = findControl('soc2-2017', soc2)?.id;
  const isoId = findControl('iso27001-2022', iso)?.id;
  return bySoc2.get(soc2Id ?? '')?.find((pair) => pair.iso === isoId);
}

export interface Counterpart {
  readonly framework: FrameworkId;
  readonly id: string;
  readonly title: string;
  /** `exact` marks a 2013 -> 2022 translation from the standard itself, not a crosswalk claim. */
  readonly confidence: Confidence | 'exact';
  readonly supportCount: number;
  readonly sources: readonly string[];
  /** For a 2013 control: the 2022 control the SOC 2 counterpart was reached through. */
  readonly via?: string;
}

function fromPair(framework: FrameworkId, id: string, pair: CrosswalkPair, via?: string): Counterpart {
  return {
    framework,
    id,
    title: getControl(framework, id).title,
    confidence: pair.confidence,
    supportCount: pair.supportCount,
    sources: pair.sources,
    ...(via === undefined ? {} : { via }),
  };
}

function soc2CounterpartsOf(isoId: string, via?: string): Counterpart[] {
  const found = byIso.get(isoId) ?? [];
  return inCatalogOrder(
    'soc2-2017',
    found.map((p) => p.soc2),
  ).map((soc2) => fromPair('soc2-2017', soc2, found.find((p) => p.soc2 === soc2)!, via));
}

/**
 * The controls of the other framework that correspond to one control, in the other framework's catalog order.
 * - a SOC 2 criterion: its ISO 27001:2022 pairs;
 * - an ISO 27001:2022 control or clause: its SOC 2 pairs;
 * - an ISO 27001:2013 control: first its 2022 successors (confidence `exact`), then the SOC 2 pairs of
 *   each successor, with `via` naming the successor (a criterion reached through two successors appears twice).
 *
 * @example counterparts('soc2', 'CC8.1').map((c) => c.id) // [..., 'A.8.32', ...]
 * @throws CrosswalkError CW_FRAMEWORK_UNKNOWN, CW_CONTROL_UNKNOWN
 */
export function counterparts(framework: string, id: string): readonly Counterpart[] {
  const control = getControl(framework, id);
  let result: Counterpart[];
  if (control.framework === 'soc2-2017') {
    const found = bySoc2.get(control.id) ?? [];
    result = inCatalogOrder(
      'iso27001-2022',
      found.map((p) => p.iso),
    ).map((iso) => fromPair('iso27001-2022', iso, found.find((p) => p.iso === iso)!));
  } else if (control.framework === 'iso27001-2022') {
    result = soc2CounterpartsOf(control.id);
  } else {
    const successors = control.successors2022;
    result = [
      ...successors.map(
        (successor): Counterpart => ({
          framework: 'iso27001-2022',
          id: successor,
          title: getControl('iso27001-2022', successor).title,
          confidence: 'exact',
          supportCount: 1,
          sources: [translationSource],
        }),
      ),
      ...successors.flatMap((successor) => soc2CounterpartsOf(successor, successor)),
    ];
  }
  return deepFreeze(result);
}
