import type { ControlTestResult, PopulationRow } from '@crosswalk/assurance';
import { z } from 'zod';

/** The query fields that page a control's population; without `limit` the whole population is returned. */
export const populationPageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Population rows per page (1-1000); without it every row is returned'),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(0)
    .describe('Rows to skip (after filtering)'),
  outcome: z.enum(['pass', 'fail', 'pending']).optional().describe('Only rows with this outcome'),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only rows whose id, ref, people or actors contain this text (case-insensitive)'),
  sort: z
    .enum(['occurredAt', '-occurredAt'])
    .default('occurredAt')
    .describe('Population order by occurredAt: ascending (the population order) or descending'),
};

export interface PopulationPage {
  limit?: number | undefined;
  offset: number;
  outcome?: PopulationRow['outcome'] | undefined;
  q?: string | undefined;
  sort: 'occurredAt' | '-occurredAt';
}

/**
 * `result` with one page of its population rows (filtered, searched, sorted) and `population.page` saying which:
 * a year's population is tens of thousands of rows, more than a page should carry. Without `limit` the result
 * is returned whole, as before paging existed. The population's hash and count stay the whole population's.
 */
export function pagePopulation(
  result: ControlTestResult,
  page: PopulationPage,
): ControlTestResult & { population: { page?: { offset: number; limit: number; matched: number } } } {
  const rows = result.population.rows;
  if (page.limit === undefined || !rows) return result;
  const needle = page.q?.toLowerCase();
  const matched = rows.filter(
    (row) =>
      (page.outcome === undefined || row.outcome === page.outcome) &&
      (needle === undefined ||
        row.id.toLowerCase().includes(needle) ||
        row.ref.toLowerCase().includes(needle) ||
        row.people.toLowerCase().includes(needle) ||
        row.actors.toLowerCase().includes(needle)),
  );
  const ascending = sortedByOccurredAt(matched);
  const ordered = page.sort === '-occurredAt' ? [...ascending].reverse() : ascending;
  const slice = ordered.slice(page.offset, page.offset + page.limit);
  return {
    ...result,
    population: {
      ...result.population,
      rows: slice,
      page: { offset: page.offset, limit: page.limit, matched: matched.length },
    },
  };
}

/**
 * Population order is per kind, each in occurredAt order; a control resting on several kinds is merged by
 * occurredAt (stable, so equal instants keep population order).
 */
function sortedByOccurredAt(rows: PopulationRow[]): PopulationRow[] {
  for (let i = 1; i < rows.length; i++)
    if (rows[i]!.occurredAt < rows[i - 1]!.occurredAt) return sortAll(rows);
  return rows;
}

function sortAll(rows: PopulationRow[]): PopulationRow[] {
  return [...rows].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
}
