import annexARows from '../data/iso27001-2022-annex-a.json' with { type: 'json' };
import clauseRows from '../data/iso27001-2022-clauses.json' with { type: 'json' };
import { dataError, oneOf } from './check.js';
import { deepFreeze } from './freeze.js';
import type { IsoAnnexAControl, IsoClause, IsoTheme, Soc2Equivalence } from './types.js';

const themes: readonly IsoTheme[] = ['organizational', 'people', 'physical', 'technological'];
const equivalences: readonly Soc2Equivalence[] = ['direct', 'partial', 'none'];

/** The 93 Annex A controls of ISO/IEC 27001:2022, in the standard's order. */
export const isoAnnexA: readonly IsoAnnexAControl[] = deepFreeze(
  annexARows.map(
    (row): IsoAnnexAControl => ({
      framework: 'iso27001-2022',
      part: 'annexA',
      id: row.id,
      title: row.title,
      group: row.theme,
      theme: oneOf('iso27001-2022-annex-a.json', row.theme, themes, `${row.id} theme`),
      newIn2022: row.newIn2022,
      predecessors2013: row.predecessors2013,
    }),
  ),
);

const file = 'iso27001-2022-clauses.json';
const parents = new Set(clauseRows.map((row) => row.parent));
const topLevel = new Map(clauseRows.filter((row) => row.level === 1).map((row) => [row.id, row.title]));

function topLevelGroup(id: string): string {
  const top = id.split('.')[0]!;
  const title = topLevel.get(top);
  if (title === undefined) throw dataError(file, `clause ${id} has no top-level clause ${top}`);
  return `${top} ${title}`;
}

function level(id: string, value: number): 1 | 2 | 3 {
  if (value !== 1 && value !== 2 && value !== 3) throw dataError(file, `clause ${id} has level ${value}`);
  return value;
}

/** The ISMS requirements, clauses 4 to 10 of ISO/IEC 27001:2022, headings included. */
export const isoClauses: readonly IsoClause[] = deepFreeze(
  clauseRows.map(
    (row): IsoClause => ({
      framework: 'iso27001-2022',
      part: 'clause',
      id: row.id,
      title: row.title,
      group: topLevelGroup(row.id),
      level: level(row.id, row.level),
      parent: row.parent,
      isHeading: parents.has(row.id),
      soc2Equivalence:
        row.soc2Equivalence === null
          ? null
          : oneOf(file, row.soc2Equivalence, equivalences, `${row.id} soc2Equivalence`),
      note: row.note,
    }),
  ),
);
