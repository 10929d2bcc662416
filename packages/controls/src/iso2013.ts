import rows from '../data/iso27001-2013-annex-a.json' with { type: 'json' };
import { deepFreeze } from './freeze.js';
import type { Iso2013Control } from './types.js';

/**
 * The 114 Annex A controls of ISO/IEC 27001:2013, each with its 2022 successor(s) from ISO/IEC 27002:2022
 * Annex B. Kept so that 2013 ids in old policies, tickets and configs still resolve; evidence is never
 * indexed against them.
 */
export const iso2013AnnexA: readonly Iso2013Control[] = deepFreeze(
  rows.map(
    (row): Iso2013Control => ({
      framework: 'iso27001-2013',
      id: row.id,
      title: row.title,
      group: row.domain,
      domain: row.domain,
      successors2022: row.successors2022,
    }),
  ),
);

/** Where the 2013 -> 2022 translation comes from; used as the `sources` entry of a translated counterpart. */
export const translationSource = 'ISO/IEC 27002:2022 Annex B';
