import { CrosswalkError, type EvidenceRecord, parseInstant, toTimestamp } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { IpeCollector, type IpePack, type RunIndexCache } from './ipe.js';
import { type ControlMappings, controlMappings } from './mappings.js';
import { type Period, periodsIn } from './periods.js';
import { readPopulation } from './population.js';
import type { ControlEntry, Register } from './register/schema.js';
import type { RegisterSource } from './register/versions.js';
import { listRemediations, type Remediation } from './remediations.js';
import {
  checkSeed,
  DEFAULT_SAMPLE_TABLE,
  drawSample,
  newSeed,
  populationHash,
  SAMPLE_METHOD,
  type SampleTable,
  sampleSize,
} from './sample.js';
import { personLabel, type Verdict } from './tests/builtin.js';
import { compileVerdict } from './tests/verdict.js';

/**
 * One item of a control's population, with the fields an auditor samples on and the test's verdict. Lists are
 * joined with "; " and the facts kept as their JSON text: a year's population is held whole while it is tested,
 * and flat strings cost a fraction of the objects they come from.
 */
export interface PopulationRow {
  id: string;
  kind: string;
  occurredAt: string;
  collectedAt: string;
  ref: string;
  url: string | null;
  /** Who performed or is accountable (the record's owner.people), "; "-separated. */
  people: string;
  /** `role:person`, "; "-separated. */
  actors: string;
  outcome: Verdict['outcome'];
  failed: string[];
  /** The values the verdict rests on, as JSON. */
  facts: string;
  sha256: string;
}

export interface OperationRow {
  period: string;
  start: string;
  end: string;
  items: number;
  passed: number;
  failed: number;
  pending: number;
  /** operated: evidence, no exception; exceptions: evidence with failures; gap: no evidence in the period. */
  status: 'operated' | 'exceptions' | 'gap';
  evidence: string[];
}

export interface ExceptionRow {
  /** The evidence id, or `period:<label>` for a period with no evidence. */
  item: string;
  occurredAt: string | null;
  ref: string | null;
  failed: string[];
  remediations: Remediation[];
  status: 'open' | 'remediated' | 'justified';
}

export interface ControlTestResult {
  control: ControlEntry;
  mappings: ControlMappings;
  register: RegisterSource;
  window: { from: string; to: string };
  /** min(to, now): periods ending after it are not expected yet. */
  evaluatedUntil: string;
  generatedAt: string;
  summary: {
    items: number;
    passed: number;
    failed: number;
    pending: number;
    periodsExpected: number | null;
    periodsOperated: number | null;
    gaps: number | null;
    exceptions: number;
    exceptionsOpen: number;
    exceptionsRemediated: number;
  };
  population: { records: number; sha256: string; rows: PopulationRow[] };
  operation: OperationRow[];
  exceptions: ExceptionRow[];
  sample: {
    seed: string;
    size: number;
    table: SampleTable;
    method: string;
    populationSha256: string;
    items: { rank: number; id: string; key: string; occurredAt: string; ref: string; outcome: string }[];
  };
  ipe: IpePack;
}

export interface TestOptions {
  locker: Locker;
  register: Register;
  registerSource: RegisterSource;
  control: string;
  from: string;
  to: string;
  seed?: string;
  table?: SampleTable;
  now?: Date;
  /** Shared by controls tested together over one window, so their connectors' runs are read once. */
  runIndex?: RunIndexCache;
}

export function findRegisterControl(register: Register, id: string, where = 'control'): ControlEntry {
  const control = register.controls.find((c) => c.id === id);
  if (control) return control;
  throw new CrosswalkError(
    'CW_CONTROL_UNKNOWN',
    `no control "${id.slice(0, 80)}" in the register; it has ${register.controls.map((c) => c.id).join(', ')}`,
    { where },
  );
}

const NONE: string[] = Object.freeze([]) as unknown as string[];

function rowOf(record: EvidenceRecord, verdict: Verdict): PopulationRow {
  return {
    id: record.id,
    kind: record.kind,
    occurredAt: record.occurredAt,
    collectedAt: record.collectedAt,
    ref: record.source.ref,
    url: record.source.url,
    people: record.owner.people.map((p) => personLabel(p) ?? '?').join('; '),
    actors: record.actors.map((a) => `${a.role}:${personLabel(a.person) ?? '?'}`).join('; '),
    outcome: verdict.outcome,
    failed: verdict.failed.length === 0 ? NONE : verdict.failed,
    facts: JSON.stringify(verdict.facts),
    sha256: record.sha256,
  };
}

/**
 * Tests one register control over [from, to), from the locker only: population (current answers), operation per
 * period for periodic controls, exceptions with their remediations, a reproducible sample and the IPE pack. The CLI,
 * the API and the export bundle all call this, so they give the same answer for the same locker, register and seed.
 */
export async function testControl(options: TestOptions): Promise<ControlTestResult> {
  const window = { from: parseInstant(options.from, 'from'), to: parseInstant(options.to, 'to') };
  if (window.from >= window.to) {
    throw new CrosswalkError('CW_INPUT_INVALID', `from (${window.from}) must be before to (${window.to})`, {
      where: 'from',
    });
  }
  const seed = options.seed === undefined ? newSeed() : checkSeed(options.seed, 'seed');
  const control = findRegisterControl(options.register, options.control);
  const now = options.now ?? new Date();
  const evaluatedUntil = toTimestamp(Math.min(now.getTime(), Date.parse(window.to)));
  const judge = compileVerdict(control);
  const rows: PopulationRow[] = [];
  const ipe = new IpeCollector();
  const { superseded } = await readPopulation(options.locker, control, window, (record) => {
    rows.push(rowOf(record, judge(record)));
    ipe.add(record);
  });
  rows.sort((a, b) =>
    a.occurredAt === b.occurredAt ? (a.id < b.id ? -1 : 1) : a.occurredAt < b.occurredAt ? -1 : 1,
  );
  const sha256 = populationHash(rows);

  const operation: OperationRow[] = [];
  if (control.frequency !== 'event') {
    const periods = periodsIn(control.frequency, window).filter((p) => p.end <= evaluatedUntil);
    let at = 0;
    for (const period of periods)
      operation.push(
        operate(
          period,
          rows,
          () => at,
          (n) => (at = n),
        ),
      );
  }

  const remediations = await listRemediations(options.locker, control.id);
  const exceptions: ExceptionRow[] = [];
  const withRemediations = (item: string) => remediations.filter((r) => r.item === item);
  const statusOf = (found: Remediation[]): ExceptionRow['status'] =>
    found.some((r) => r.type === 'remediation') ? 'remediated' : found.length > 0 ? 'justified' : 'open';
  for (const row of rows) {
    if (row.outcome !== 'fail') continue;
    const found = withRemediations(row.id);
    exceptions.push({
      item: row.id,
      occurredAt: row.occurredAt,
      ref: row.ref,
      failed: row.failed,
      remediations: found,
      status: statusOf(found),
    });
  }
  for (const period of operation) {
    if (period.status !== 'gap') continue;
    const item = `period:${period.period}`;
    const found = withRemediations(item);
    exceptions.push({
      item,
      occurredAt: null,
      ref: null,
      failed: [`no evidence of operation in ${period.period} (${period.start} to ${period.end})`],
      remediations: found,
      status: statusOf(found),
    });
  }

  const table = options.table ?? DEFAULT_SAMPLE_TABLE;
  const size = sampleSize(table, control.frequency, rows.length);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const drawn = drawSample(
    rows.map((r) => r.id),
    seed,
    size,
  );
  const count = (outcome: Verdict['outcome']) => rows.filter((r) => r.outcome === outcome).length;
  const periodic = control.frequency !== 'event';
  return {
    control,
    mappings: controlMappings(control),
    register: options.registerSource,
    window,
    evaluatedUntil,
    generatedAt: toTimestamp(now),
    summary: {
      items: rows.length,
      passed: count('pass'),
      failed: count('fail'),
      pending: count('pending'),
      periodsExpected: periodic ? operation.length : null,
      periodsOperated: periodic ? operation.filter((p) => p.status !== 'gap').length : null,
      gaps: periodic ? operation.filter((p) => p.status === 'gap').length : null,
      exceptions: exceptions.length,
      exceptionsOpen: exceptions.filter((e) => e.status === 'open').length,
      exceptionsRemediated: exceptions.filter((e) => e.status !== 'open').length,
    },
    population: { records: rows.length, sha256, rows },
    operation,
    exceptions,
    sample: {
      seed,
      size,
      table,
      method: SAMPLE_METHOD,
      populationSha256: sha256,
      items: drawn.map((d) => {
        const row = byId.get(d.id)!;
        return {
          rank: d.rank,
          id: d.id,
          key: d.key,
          occurredAt: row.occurredAt,
          ref: row.ref,
          outcome: row.outcome,
        };
      }),
    },
    ipe: await ipe.finish(
      options.locker,
      window,
      control.evidence.map((e) => e.kind),
      { records: rows.length, sha256, supersededLeftOut: superseded },
      evaluatedUntil,
      options.runIndex,
    ),
  };
}

/** Rows are in occurredAt order and periods in time order, so one pass over both suffices. */
function operate(
  period: Period,
  rows: readonly PopulationRow[],
  cursor: () => number,
  advance: (n: number) => void,
): OperationRow {
  let i = cursor();
  while (i < rows.length && rows[i]!.occurredAt < period.start) i++;
  const inside: PopulationRow[] = [];
  while (i < rows.length && rows[i]!.occurredAt < period.end) inside.push(rows[i++]!);
  advance(i);
  const failed = inside.filter((r) => r.outcome === 'fail').length;
  return {
    period: period.label,
    start: period.start,
    end: period.end,
    items: inside.length,
    passed: inside.filter((r) => r.outcome === 'pass').length,
    failed,
    pending: inside.filter((r) => r.outcome === 'pending').length,
    status: inside.length === 0 ? 'gap' : failed > 0 ? 'exceptions' : 'operated',
    evidence: inside.slice(0, 20).map((r) => r.id),
  };
}
