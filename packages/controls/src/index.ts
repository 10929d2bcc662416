export {
  findControl,
  getControl,
  inCatalogOrder,
  listControls,
  normalizeControlId,
} from './catalog.js';
export {
  type Confidence,
  type Counterpart,
  type CrosswalkPair,
  type CrosswalkSourceId,
  counterparts,
  crosswalkPairs,
  crosswalkSource,
  findPair,
} from './crosswalk.js';
export { mappingFingerprint } from './fingerprint.js';
export {
  type Framework,
  type FrameworkId,
  frameworkIds,
  frameworks,
  getFramework,
  isFrameworkId,
  resolveFramework,
} from './frameworks.js';
export { translationSource } from './iso2013.js';
export {
  controlsFor,
  type EvidenceCategory,
  type EvidenceCategoryId,
  evidenceCategories,
  kindCategories,
  kindExclusions,
  kindsFor,
  manualControls,
  recordClaims,
} from './kinds.js';
export { type ControlRef, formatControlRef, parseControlRef } from './refs.js';
export { translate2013 } from './translate.js';
export type {
  Control,
  ControlOf,
  Iso2013Control,
  Iso2022Control,
  IsoAnnexAControl,
  IsoClause,
  IsoPart,
  IsoTheme,
  Soc2Category,
  Soc2Criterion,
  Soc2Equivalence,
} from './types.js';
export { MAPPING_VERSION } from './version.js';
