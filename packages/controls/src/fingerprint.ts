import { canonicalSha256, evidenceKindIds } from '@crosswalk/core';
import { listControls } from './catalog.js';
import { crosswalkPairs, crosswalkSource } from './crosswalk.js';
import { controlsFor, recordClaims } from './kinds.js';

/**
 * SHA-256 (over RFC 8785 canonical JSON) of everything MAPPING_VERSION versions: each kind's controls, the
 * record-level claims, the crosswalk pairs with their confidence and sources, and the 2013 -> 2022 translation. Two builds with the
 * same fingerprint put the same control ids on the same evidence. Computed from the registered kinds (each kind's
 * controls come from the categories its connector declares), so call it after the composition.
 */
export function mappingFingerprint(): string {
  return canonicalSha256({
    crosswalkSource: crosswalkSource.id,
    kinds: Object.fromEntries(
      evidenceKindIds().map((kind) => {
        const { mappingVersion: _version, ...controls } = controlsFor(kind);
        return [kind, controls];
      }),
    ),
    recordClaims,
    crosswalk: crosswalkPairs().map((p) => [p.soc2, p.iso, p.confidence, p.supportCount, [...p.sources]]),
    translation2013: Object.fromEntries(
      listControls('iso27001-2013').map((control) => [control.id, [...control.successors2022]]),
    ),
  });
}
