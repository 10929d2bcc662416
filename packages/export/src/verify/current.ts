import { POPULATION_COLUMNS } from '../build.js';

type Report = (failure: { file: string; check: 'population'; message: string }) => void;

const KIND = POPULATION_COLUMNS.indexOf('kind');
const CURRENT = POPULATION_COLUMNS.indexOf('current');
const SUPERSEDED_BY = POPULATION_COLUMNS.indexOf('supersededBy');
const CURRENT_ID = POPULATION_COLUMNS.indexOf('currentId');

/**
 * verify's check of current answers (docs/export-format.md, "Current answers and superseded ones"): each row of
 * populations.csv is either current (its own currentId, no supersededBy) or superseded (naming what replaced it
 * and the current answer, which, when in the bundle, is current); and each control's population is exactly the
 * current rows of its kinds, each once. So a population that counts a superseded answer, or leaves a current one
 * out, fails even when it was signed.
 */
export class CurrentAnswers {
  /** id -> kind and currentId of the rows populations.csv lists as current / superseded. */
  private readonly rows = new Map<string, { kind: string; current: boolean; currentId: string }>();
  private readonly currentPerKind = new Map<string, number>();

  constructor(private readonly report: Report) {}

  /** One data row of populations.csv, as parsed. */
  add(row: readonly string[]): void {
    const id = row[0] ?? '';
    const [kind, current, supersededBy, currentId] = [KIND, CURRENT, SUPERSEDED_BY, CURRENT_ID].map(
      (i) => row[i] ?? '',
    ) as [string, string, string, string];
    const file = 'populations.csv';
    if (current === 'yes') {
      if (currentId !== id || supersededBy !== '')
        this.report({
          file,
          check: 'population',
          message: `${id} is marked current but names ${supersededBy || currentId} as replacing it`,
        });
      this.currentPerKind.set(kind, (this.currentPerKind.get(kind) ?? 0) + 1);
    } else if (current === 'no') {
      if (supersededBy === '' || currentId === '' || currentId === id)
        this.report({
          file,
          check: 'population',
          message: `${id} is marked superseded but does not name what replaced it`,
        });
    } else {
      this.report({ file, check: 'population', message: `${id}: current is "${current}", not yes or no` });
    }
    this.rows.set(id, { kind, current: current === 'yes', currentId });
  }

  /** `controls`: each file of population rows besides populations.csv, with the kinds it holds the current rows of. */
  check(controls: readonly { file: string; kinds: readonly string[]; ids: readonly string[] }[]): void {
    for (const [id, row] of this.rows) {
      const head = this.rows.get(row.currentId);
      if (!row.current && head && !head.current)
        this.report({
          file: 'populations.csv',
          check: 'population',
          message: `${id} names ${row.currentId} as the current answer, which is itself marked superseded`,
        });
    }
    for (const { file, kinds, ids } of controls) {
      for (const id of ids) {
        const row = this.rows.get(id);
        if (row && (!row.current || !kinds.includes(row.kind)))
          this.report({
            file,
            check: 'population',
            message: `${file} lists ${id}, which is not a current answer of the control's kinds`,
          });
      }
      const expected = kinds.reduce((sum, kind) => sum + (this.currentPerKind.get(kind) ?? 0), 0);
      if (new Set(ids).size !== ids.length || ids.length !== expected)
        this.report({
          file,
          check: 'population',
          message: `${file} has ${ids.length} rows for the ${expected} current answers of its kinds in populations.csv`,
        });
    }
  }
}
