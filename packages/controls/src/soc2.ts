import rows from '../data/soc2-tsc-2017.json' with { type: 'json' };
import { oneOf } from './check.js';
import { deepFreeze } from './freeze.js';
import type { Soc2Category, Soc2Criterion } from './types.js';

const file = 'soc2-tsc-2017.json';
const categories: readonly Soc2Category[] = [
  'Security (Common Criteria)',
  'Availability',
  'Confidentiality',
  'Processing Integrity',
  'Privacy',
];

/** The 61 Trust Services Criteria (2017, with the 2022 points of focus), in the AICPA's order. */
export const soc2Criteria: readonly Soc2Criterion[] = deepFreeze(
  rows.map(
    (row): Soc2Criterion => ({
      framework: 'soc2-2017',
      id: row.id,
      title: row.title,
      group: row.series,
      category: oneOf(file, row.category, categories, `${row.id} category`),
      series: row.series,
      cosoPrinciple: row.cosoPrinciple,
    }),
  ),
);
