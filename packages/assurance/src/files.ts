import { csvLine, csvText } from './csv.js';
import type { ControlTestResult, ExceptionRow, PopulationRow } from './test-control.js';

/**
 * A control test as the files of its folder in an export bundle (and of `crosswalk controls test --output-dir`):
 * population.csv, exceptions.csv (with remediations), sample.csv (seed, method and population hash in its first
 * lines' columns), operation.csv (periods), ipe.json and control.json (the register entry as it stood, its mappings
 * and the register version).
 */
export const POPULATION_COLUMNS = [
  'id',
  'kind',
  'occurredAt',
  'collectedAt',
  'ref',
  'url',
  'people',
  'actors',
  'outcome',
  'failed',
  'facts',
  'sha256',
] as const;

/** One population row as a line of population.csv (CRLF-terminated). */
export function populationCsvLine(r: PopulationRow): string {
  return csvLine([
    r.id,
    r.kind,
    r.occurredAt,
    r.collectedAt,
    r.ref,
    r.url,
    r.people,
    r.actors,
    r.outcome,
    r.failed.join('; '),
    r.facts,
    r.sha256,
  ]);
}

export const EXCEPTION_COLUMNS = [
  'item',
  'occurredAt',
  'ref',
  'failed',
  'status',
  'remediationType',
  'remediationText',
  'remediationLink',
  'remediationBy',
  'remediationAt',
] as const;

/** One exception as lines of exceptions.csv: one per remediation, or one with empty remediation columns. */
export function exceptionCsvLines(e: ExceptionRow): string {
  return (e.remediations.length > 0 ? e.remediations : [null])
    .map((r) =>
      csvLine([
        e.item,
        e.occurredAt,
        e.ref,
        e.failed.join('; '),
        e.status,
        r?.type ?? null,
        r?.text ?? null,
        r?.link ?? null,
        r?.by ?? null,
        r?.at ?? null,
      ]),
    )
    .join('');
}

/**
 * population.csv and exceptions.csv are among the files only when the result kept their rows; a caller that
 * streamed them to sinks (testControls' `sinks`, `exceptionSinks`) wrote those files there, header
 * (`csvLine(POPULATION_COLUMNS)`, `csvLine(EXCEPTION_COLUMNS)`) and lines alike.
 */
export function controlTestFiles(result: ControlTestResult): Record<string, string> {
  const rows = result.population.rows;
  const population =
    rows === undefined ? undefined : csvLine(POPULATION_COLUMNS) + rows.map(populationCsvLine).join('');
  const exceptions =
    result.exceptions === undefined
      ? undefined
      : csvLine(EXCEPTION_COLUMNS) + result.exceptions.map(exceptionCsvLines).join('');
  const { sample } = result;
  const sampleCsv = csvText(
    ['rank', 'id', 'occurredAt', 'ref', 'outcome', 'rankKey', 'seed', 'populationSha256', 'method'],
    sample.items.map((s) => [
      s.rank,
      s.id,
      s.occurredAt,
      s.ref,
      s.outcome,
      s.key,
      sample.seed,
      sample.populationSha256,
      sample.method,
    ]),
  );
  const operation = csvText(
    ['period', 'start', 'end', 'status', 'items', 'passed', 'failed', 'pending', 'evidence'],
    result.operation.map((o) => [
      o.period,
      o.start,
      o.end,
      o.status,
      o.items,
      o.passed,
      o.failed,
      o.pending,
      o.evidence.join('; '),
    ]),
  );
  const control = {
    control: result.control,
    mappings: result.mappings,
    register: result.register,
    window: result.window,
    evaluatedUntil: result.evaluatedUntil,
    generatedAt: result.generatedAt,
    summary: result.summary,
    sample: {
      seed: sample.seed,
      size: sample.size,
      table: sample.table,
      method: sample.method,
      populationSha256: sample.populationSha256,
    },
  };
  return {
    ...(population === undefined ? {} : { 'population.csv': population }),
    ...(exceptions === undefined ? {} : { 'exceptions.csv': exceptions }),
    'sample.csv': sampleCsv,
    'operation.csv': operation,
    'ipe.json': `${JSON.stringify(result.ipe, null, 2)}\n`,
    'control.json': `${JSON.stringify(control, null, 2)}\n`,
  };
}
