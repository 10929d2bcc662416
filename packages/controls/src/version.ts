/**
 * The version of the kind -> control mapping, stamped on every evidence record (`controls.mappingVersion`).
 *
 * Format: `crosswalk-<yyyy>.<mm>.<n>+<soc2 catalog>-<iso catalog>-<crosswalk source>`.
 * Bump it with any change that can move an id on evidence: a kind's categories, a category's controls,
 * a crosswalk pair (added, removed, or its confidence or sources), or the 2013 -> 2022 translation.
 * `<yyyy>.<mm>` is the month of the change; `<n>` starts at 0 and counts changes within that month.
 * The suffix changes with the catalogs or the crosswalk source (e.g. `+tsc2017-iso2022-aicpa`).
 * Titles, notes and rationale are not part of the mapping and do not bump it.
 * The test suite pins `mappingFingerprint` per version, so a mapping change without a bump fails CI.
 */
export const MAPPING_VERSION = 'crosswalk-2026.12.8+tsc2017-iso2022-consensus3';
