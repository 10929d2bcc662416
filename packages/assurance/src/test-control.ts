import { createHash, type Hash } from 'node:crypto';
import {
  CrosswalkError,
  type EvidenceKind,
  type EvidenceRecord,
  parseInstant,
  toTimestamp,
} from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import {
  type ConnectorRuns,
  connectorRuns,
  IpeCollector,
  type IpePack,
  type RunIndexCache,
  type RunSummaries,
} from './ipe.js';
import { type ControlMappings, controlMappings } from './mappings.js';
import { type Period, periodsIn } from './periods.js';
import { currentRecords, matches, type RecordFeed } from './population.js';
import type { ControlEntry, Register } from './register/schema.js';
import type { RegisterSource } from './register/versions.js';
import { exceptionStatus, listRemediations, type Remediation } from './remediations.js';
import {
  checkSeed,
  DEFAULT_SAMPLE_TABLE,
  drawSample,
  newSeed,
  SAMPLE_METHOD,
  SampleSelector,
  type SampleTable,
  sampleSize,
} from './sample.js';
import { personLabel, type Verdict } from './tests/builtin.js';
import { compileVerdict } from './tests/verdict.js';

/**
 * One item of a control's population, with the fields an auditor samples on and the test's verdict. Lists are
 * joined with "; " and the facts kept as their JSON text (a row is a line of population.csv).
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
  /**
   * `rows` when they were kept (testControl, or testControls without a sink for this control); a caller that gave
   * a sink received them there, in the same order, instead.
   */
  population: { records: number; sha256: string; rows?: PopulationRow[] };
  operation: OperationRow[];
  /** Per UTC day of occurredAt with items: how many, how many failed (the coverage picture's cells). */
  days: { day: string; items: number; failed: number }[];
  /**
   * Failed items (population order) and then periods without evidence, each with its remediations. Absent when the
   * caller gave an exceptions sink for this control: the rows went there, in the same order, instead.
   */
  exceptions?: ExceptionRow[];
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

/** Receives a control's population rows, in population order, instead of the result holding them. */
export interface PopulationSink {
  add(row: PopulationRow): void | Promise<void>;
}

/** Receives a control's exceptions, in the result's order, instead of the result holding them. */
export interface ExceptionSink {
  add(row: ExceptionRow): void | Promise<void>;
}

export interface TestControlsOptions {
  locker: Locker;
  register: Register;
  registerSource: RegisterSource;
  /** Register control ids, tested together over one window (each kind read once for all of them). */
  controls: readonly string[];
  from: string;
  to: string;
  seed?: string;
  table?: SampleTable;
  now?: Date;
  /** Shared by tests over one window, so their connectors' runs are read once. */
  runIndex?: RunIndexCache;
  /**
   * Where each control's population rows go. Without a sink for a control its rows are kept in its result
   * (`population.rows`): a year's population then stays in memory, so callers writing files give a sink.
   */
  sinks?: (control: ControlEntry) => PopulationSink | undefined;
  /**
   * Where each control's exceptions go. Without one they are kept in its result: a period where most items fail
   * then holds one exception per item, so callers writing files give a sink.
   */
  exceptionSinks?: (control: ControlEntry) => ExceptionSink | undefined;
  /**
   * Records a caller already read and verified (an export's own read of the window), per kind, so each record is
   * fetched from the locker once; kinds it does not feed are read from the locker. Same answer either way.
   */
  feed?: RecordFeed;
  /**
   * A connector's runs for the IPE pack as the caller already read and checked them (an export's own walk of the
   * chain), or undefined for a connector it did not read: those are read from the locker.
   */
  runs?: (connector: string) => RunSummaries | undefined;
}

export interface TestOptions
  extends Omit<TestControlsOptions, 'controls' | 'sinks' | 'exceptionSinks' | 'feed' | 'runs'> {
  control: string;
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

/** A result that kept its exceptions (no exceptions sink was given). */
export type KeptControlTestResult = ControlTestResult & { exceptions: ExceptionRow[] };

/** Tests one register control over [from, to): testControls for one control, its rows kept in the result. */
export async function testControl(options: TestOptions): Promise<KeptControlTestResult> {
  const { control, ...rest } = options;
  const [result] = await testControls({ ...rest, controls: [control] });
  return result as KeptControlTestResult;
}

/**
 * Tests register controls over [from, to), from the locker only: per control its population (current answers),
 * operation per period for periodic controls, exceptions with their remediations, a reproducible sample and the
 * IPE pack. The CLI, the API and the export bundle all call this, so they give the same answer for the same
 * locker, register and seed. Each kind the controls rest on is read once, in population order, and every record
 * handed to each control it belongs to; a control keeps counts, its exceptions, the sample's candidates and a
 * running population hash, not its population (rows go to the caller's sink, or are kept when it gives none).
 */
export async function testControls(options: TestControlsOptions): Promise<ControlTestResult[]> {
  const window = { from: parseInstant(options.from, 'from'), to: parseInstant(options.to, 'to') };
  if (window.from >= window.to) {
    throw new CrosswalkError('CW_INPUT_INVALID', `from (${window.from}) must be before to (${window.to})`, {
      where: 'from',
    });
  }
  const seed = options.seed === undefined ? newSeed() : checkSeed(options.seed, 'seed');
  const now = options.now ?? new Date();
  const evaluatedUntil = toTimestamp(Math.min(now.getTime(), Date.parse(window.to)));
  const table = options.table ?? DEFAULT_SAMPLE_TABLE;
  const runs: ControlRun[] = [];
  for (const id of options.controls) {
    const control = findRegisterControl(options.register, id);
    const remediations = await listRemediations(options.locker, control.id);
    runs.push(
      new ControlRun(
        control,
        { seed, table, evaluatedUntil, window, remediations },
        options.sinks?.(control),
        options.exceptionSinks?.(control),
      ),
    );
  }
  const byKind = new Map<EvidenceKind, ControlRun[]>();
  for (const run of runs) {
    for (const kind of new Set(run.control.evidence.map((e) => e.kind))) {
      byKind.set(kind, [...(byKind.get(kind) ?? []), run]);
    }
  }
  const readRuns = connectorRuns(options.locker, window, options.runIndex ?? new Map());
  const given = options.runs;
  const runsOf = given
    ? async (connector: string): Promise<RunSummaries> => given(connector) ?? readRuns(connector)
    : readRuns;
  const known = new Map<string, ConnectorRuns>();
  const superseded = new Map<EvidenceKind, number>();
  // Kinds the caller fed with its own verdict on vouching: their records' connectors' manifests are not read again.
  const unvouchedOf = new Map<EvidenceKind, ReadonlySet<string>>();
  const feed: RecordFeed | undefined =
    options.feed &&
    (async (kind) => {
      const fed = await options.feed!(kind);
      if (fed?.unvouched) unvouchedOf.set(kind, fed.unvouched);
      return fed;
    });
  for await (const record of currentRecords(options.locker, [...byKind.keys()], window, superseded, feed)) {
    const wanting = byKind.get(record.kind)!.filter((run) => run.wants(record));
    if (wanting.length === 0) continue;
    let vouched: boolean;
    const unvouched = unvouchedOf.get(record.kind);
    if (unvouched) vouched = !unvouched.has(record.id);
    else {
      const connector = record.provenance.connector.id;
      let index = known.get(connector);
      if (!index) {
        index = await readRuns(connector);
        known.set(connector, index);
      }
      vouched = index.named.has(record.id);
    }
    for (const run of wanting) await run.add(record, vouched);
  }
  const results: ControlTestResult[] = [];
  for (const run of runs) {
    const left = [...new Set(run.control.evidence.map((e) => e.kind))].reduce(
      (sum, kind) => sum + (superseded.get(kind) ?? 0),
      0,
    );
    results.push(
      await run.finish({
        register: options.registerSource,
        now,
        supersededLeftOut: left,
        runsOf,
      }),
    );
  }
  return results;
}

interface RunContext {
  seed: string;
  table: SampleTable;
  evaluatedUntil: string;
  window: { from: string; to: string };
  remediations: Remediation[];
}

interface Counts {
  items: number;
  passed: number;
  failed: number;
  pending: number;
}

interface SampleCandidate {
  id: string;
  occurredAt: string;
  ref: string;
  outcome: Verdict['outcome'];
}

const SHARED_FAILURES = 10_000;

/** One control's test as its population streams past, in population order. */
class ControlRun {
  private readonly judge: (record: EvidenceRecord) => Verdict;
  private readonly counts: Counts = { items: 0, passed: 0, failed: 0, pending: 0 };
  private readonly hash: Hash = createHash('sha256');
  private readonly sample: SampleSelector<SampleCandidate>;
  private readonly ipe = new IpeCollector();
  private readonly failures: { item: string; occurredAt: string; ref: string; failed: string[] }[] = [];
  /** Remediations by item (evidence id or `period:<label>`), known before the first record. */
  private readonly remediationsOf: Map<string, Remediation[]>;
  /** Exceptions handed to the sink so far, open and not. */
  private readonly sunk = { count: 0, open: 0 };
  private readonly rows: PopulationRow[] | undefined;
  private readonly periods: (Period & Counts & { evidence: string[] })[];
  private period = 0;
  private readonly failedTexts = new Map<string, string[]>();
  private readonly days: { day: string; items: number; failed: number }[] = [];
  private readonly entries: ControlEntry['evidence'];

  constructor(
    readonly control: ControlEntry,
    private readonly context: RunContext,
    private readonly sink: PopulationSink | undefined,
    private readonly exceptionSink: ExceptionSink | undefined,
  ) {
    this.remediationsOf = remediationsByItem(context.remediations);
    this.judge = compileVerdict(control);
    this.sample = new SampleSelector(context.seed, context.table, control.frequency);
    this.rows = sink ? undefined : [];
    this.periods =
      control.frequency === 'event'
        ? []
        : periodsIn(control.frequency, context.window)
            .filter((p) => p.end <= context.evaluatedUntil)
            .map((p) => ({ ...p, items: 0, passed: 0, failed: 0, pending: 0, evidence: [] }));
    this.entries = control.evidence;
  }

  /**
   * One array per distinct list of failed facts: a year of exceptions mostly repeats a few texts, and each kept
   * exception holds its list until the test ends. Up to SHARED_FAILURES texts; past that each keeps its own.
   */
  private shared(failed: string[]): string[] {
    const key = failed.join('\n');
    const known = this.failedTexts.get(key);
    if (known) return known;
    if (this.failedTexts.size < SHARED_FAILURES) this.failedTexts.set(key, failed);
    return failed;
  }

  /** An exception with the remediations entered for its item, and the status they give it. */
  private exception(f: Omit<ExceptionRow, 'remediations' | 'status'>): ExceptionRow {
    const found = this.remediationsOf.get(f.item) ?? [];
    return { ...f, remediations: found, status: exceptionStatus(found) };
  }

  private async sinkException(row: ExceptionRow): Promise<void> {
    this.sunk.count++;
    if (row.status === 'open') this.sunk.open++;
    await this.exceptionSink!.add(row);
  }

  /** Whether a record of one of its kinds passes one of its evidence entries' filters. */
  wants(record: EvidenceRecord): boolean {
    return this.entries.some((e) => e.kind === record.kind && matches(record, e.where));
  }

  async add(record: EvidenceRecord, vouched: boolean): Promise<void> {
    const verdict = this.judge(record);
    tally(this.counts, verdict.outcome);
    this.hash.update(`${record.id} ${record.sha256}\n`);
    this.sample.add({
      id: record.id,
      occurredAt: record.occurredAt,
      ref: record.source.ref,
      outcome: verdict.outcome,
    });
    this.ipe.add(record, vouched);
    if (verdict.outcome === 'fail') {
      const failure = {
        item: record.id,
        occurredAt: record.occurredAt,
        ref: record.source.ref,
        failed: this.shared(verdict.failed),
      };
      if (this.exceptionSink) await this.sinkException(this.exception(failure));
      else this.failures.push(failure);
    }
    const day = record.occurredAt.slice(0, 10);
    let today = this.days.at(-1);
    if (today?.day !== day) {
      today = { day, items: 0, failed: 0 };
      this.days.push(today);
    }
    today.items++;
    if (verdict.outcome === 'fail') today.failed++;
    // Records come in occurredAt order and periods in time order: one forward pass over both.
    while (this.period < this.periods.length && this.periods[this.period]!.end <= record.occurredAt) {
      this.period++;
    }
    const period = this.periods[this.period];
    if (period && record.occurredAt >= period.start) {
      tally(period, verdict.outcome);
      if (period.evidence.length < 20) period.evidence.push(record.id);
    }
    if (this.sink || this.rows) {
      const row = rowOf(record, verdict);
      if (this.sink) await this.sink.add(row);
      else this.rows!.push(row);
    }
  }

  async finish(options: {
    register: RegisterSource;
    now: Date;
    supersededLeftOut: number;
    runsOf: (connector: string) => Promise<RunSummaries>;
  }): Promise<ControlTestResult> {
    const { control, context, counts } = this;
    const sha256 = this.hash.digest('hex');
    const operation: OperationRow[] = this.periods.map((p) => ({
      period: p.label,
      start: p.start,
      end: p.end,
      items: p.items,
      passed: p.passed,
      failed: p.failed,
      pending: p.pending,
      status: p.items === 0 ? 'gap' : p.failed > 0 ? 'exceptions' : 'operated',
      evidence: p.evidence,
    }));
    const exceptions: ExceptionRow[] = this.failures.map((f) => this.exception(f));
    for (const period of operation) {
      if (period.status !== 'gap') continue;
      const gap = this.exception({
        item: `period:${period.period}`,
        occurredAt: null,
        ref: null,
        failed: [`no evidence of operation in ${period.period} (${period.start} to ${period.end})`],
      });
      if (this.exceptionSink) await this.sinkException(gap);
      else exceptions.push(gap);
    }
    const exceptionSummary = this.exceptionSink
      ? {
          exceptions: this.sunk.count,
          exceptionsOpen: this.sunk.open,
          exceptionsRemediated: this.sunk.count - this.sunk.open,
        }
      : exceptionCounts(exceptions);
    const drawn = this.sample.finish();
    const periodic = control.frequency !== 'event';
    return {
      control,
      mappings: controlMappings(control),
      register: options.register,
      window: context.window,
      evaluatedUntil: context.evaluatedUntil,
      generatedAt: toTimestamp(options.now),
      summary: {
        ...counts,
        periodsExpected: periodic ? operation.length : null,
        periodsOperated: periodic ? operation.filter((p) => p.status !== 'gap').length : null,
        gaps: periodic ? operation.filter((p) => p.status === 'gap').length : null,
        ...exceptionSummary,
      },
      population: { records: counts.items, sha256, ...(this.rows ? { rows: this.rows } : {}) },
      operation,
      days: this.days,
      ...(this.exceptionSink ? {} : { exceptions }),
      sample: {
        seed: context.seed,
        size: drawn.size,
        table: context.table,
        method: SAMPLE_METHOD,
        populationSha256: sha256,
        items: drawn.items.map((d) => ({
          rank: d.rank,
          id: d.id,
          key: d.key,
          occurredAt: d.item.occurredAt,
          ref: d.item.ref,
          outcome: d.item.outcome,
        })),
      },
      ipe: await this.ipe.finish(
        context.window,
        control.evidence.map((e) => e.kind),
        { records: counts.items, sha256, supersededLeftOut: options.supersededLeftOut },
        context.evaluatedUntil,
        options.runsOf,
      ),
    };
  }
}

function tally(counts: Counts, outcome: Verdict['outcome']): void {
  counts.items++;
  if (outcome === 'pass') counts.passed++;
  else if (outcome === 'fail') counts.failed++;
  else counts.pending++;
}

function remediationsByItem(remediations: readonly Remediation[]): Map<string, Remediation[]> {
  const byItem = new Map<string, Remediation[]>();
  for (const r of remediations) byItem.set(r.item, [...(byItem.get(r.item) ?? []), r]);
  return byItem;
}

function exceptionCounts(exceptions: readonly ExceptionRow[]) {
  return {
    exceptions: exceptions.length,
    exceptionsOpen: exceptions.filter((e) => e.status === 'open').length,
    exceptionsRemediated: exceptions.filter((e) => e.status !== 'open').length,
  };
}

/**
 * `result` with `remediations` (the control's, as stored now) in place of those it was tested with: each
 * exception's remediations and status, and the summary's counts, as a fresh test would give them. Exceptions are
 * findings of the evidence; what was entered about them only changes their status, so a result kept for
 * unchanged evidence stays right after a remediation is entered.
 */
export function withRemediations(
  result: ControlTestResult,
  remediations: readonly Remediation[],
): ControlTestResult {
  if (!result.exceptions) throw new Error('withRemediations needs a result that kept its exceptions');
  const byItem = remediationsByItem(remediations);
  const exceptions = result.exceptions.map((e) => {
    const found = byItem.get(e.item) ?? [];
    return { ...e, remediations: found, status: exceptionStatus(found) };
  });
  return { ...result, exceptions, summary: { ...result.summary, ...exceptionCounts(exceptions) } };
}

/**
 * `result` with its sample drawn again with `seed` from the population rows it kept: the sample testControl gives
 * for the same locker, register and seed (drawSample ranks the same keys the streaming selector keeps).
 */
export function withSeed(result: ControlTestResult, seed: string, where = 'seed'): ControlTestResult {
  const rows = result.population.rows;
  if (!rows) throw new Error('withSeed needs a result that kept its population rows');
  const checked = checkSeed(seed, where);
  const size = sampleSize(result.sample.table, result.control.frequency, rows.length);
  const drawn = drawSample(
    rows.map((r) => r.id),
    checked,
    size,
  );
  const byId = new Map<string, PopulationRow | undefined>(drawn.map((d) => [d.id, undefined]));
  for (const row of rows) if (byId.has(row.id)) byId.set(row.id, row);
  return {
    ...result,
    sample: {
      ...result.sample,
      seed: checked,
      size,
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
  };
}
