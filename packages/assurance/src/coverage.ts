import { MAPPING_VERSION } from '@crosswalk/controls';
import { type Cadence, type EvidenceKind, kindDeclaration } from '@crosswalk/core';
import type { Locker, RunManifest } from '@crosswalk/locker';
import { currencyInWindow } from './currency.js';
import { discoverConnectors } from './runs.js';
import { type ExportFramework, resolveRequest, type Scope, type Window } from './scope.js';
import { VouchedSet } from './vouched.js';

/**
 * Coverage: for a window, per control and cadence period, how much evidence was expected and found, on which
 * days the connector that produces it did not run successfully, and where the gaps are. The rules (also in
 * docs/export-format.md):
 *
 * - Periods are UTC: a day for `daily` kinds, a calendar quarter for `quarterly` kinds, a calendar month for
 *   `event` kinds (a period only groups the found count and the run days for reading).
 * - Expected: 1 per period for daily and quarterly kinds, but only for a period wholly inside the window and
 *   already over (`evaluatedUntil` = min(to, now)); partial periods at the edges expect nothing, their found
 *   count is still shown. For event kinds nothing can be expected (no one knows how many PRs should have been
 *   merged): `expected` is null and only found counts and run days are reported.
 * - A gap is a period whose found count is below its expected count.
 * - Run days: for each UTC day wholly inside the window and over, a kind's day is `ok` when at least one run
 *   (of any connector) has a collector of that kind that succeeded, `failed` when such collectors ran and all
 *   failed, `none` when none ran. Which connectors produce a kind is read from the run manifests'
 *   `collectors[].kind`, not from configuration.
 * - Source retention: a collector whose source forgets (the Google Reports API keeps 180 days) says so in its run
 *   manifests (`sourceRetentionDays`, and `sourceUnavailableBefore` when a run's window reached past it). A day of
 *   the window is `beyondSourceRetention` for a kind when it ended more than the retention before `now` and no run
 *   of the kind succeeded on it (or a later run asked for it and the source no longer had it): a gap that collecting
 *   again cannot close.
 * - A control that no kind maps to is `manual` (documents, meetings: ISO 9.3 management review), never hidden.
 *   Otherwise: `no-evidence` when nothing was found, `gaps` when a period has a gap or a day is not ok,
 *   `complete` when neither.
 */

export type ControlStatus = 'complete' | 'gaps' | 'no-evidence' | 'manual';

export interface PeriodCoverage {
  /** `2026-03-10`, `2026-Q1` or `2026-03`. */
  period: string;
  /** The part of the period inside the window: [start, end). */
  start: string;
  end: string;
  /** null for event kinds. */
  expected: number | null;
  found: number;
  gap: boolean;
  /** Days in the period on which the kind's collectors ran and all failed. */
  failedRunDays: string[];
  /** Days in the period on which no collector of the kind ran at all. */
  noRunDays: string[];
  /** Days in the period the kind's source can no longer give (its retention), without evidence collected in time. */
  beyondSourceRetentionDays: string[];
}

export interface KindCoverage {
  kind: EvidenceKind;
  title: string;
  cadence: Cadence;
  /** Connectors whose runs in the window had a collector of this kind. */
  connectors: string[];
  found: number;
  expected: number | null;
  gapPeriods: string[];
  failedRunDays: string[];
  noRunDays: string[];
  /** How many days the kind's source keeps, as its collectors' manifests state; null when none does. */
  sourceRetentionDays: number | null;
  beyondSourceRetentionDays: string[];
  periods: PeriodCoverage[];
}

export interface ControlCoverage {
  framework: ExportFramework;
  id: string;
  title: string;
  status: ControlStatus;
  kinds: EvidenceKind[];
  found: number;
  /** Sum over its non-event kinds; null when all its kinds are event kinds (or it is manual). */
  expected: number | null;
  gapPeriods: number;
  /** Distinct days on which some kind of the control had only failed runs / no run. */
  failedRunDays: number;
  noRunDays: number;
  /** Distinct days some kind of the control's source can no longer give, with no evidence collected in time. */
  beyondSourceRetentionDays: number;
}

export interface CoverageReport {
  window: Window;
  /** min(to, now): periods and days after it expect nothing yet. */
  evaluatedUntil: string;
  generatedAt: string;
  mappingVersion: string;
  frameworks: ExportFramework[];
  summary: {
    controls: number;
    complete: number;
    gaps: number;
    noEvidence: number;
    manual: number;
    records: number;
  };
  kinds: KindCoverage[];
  controls: ControlCoverage[];
  /**
   * Breaks of the run chains (each unreadable run also counts as no run), and records the chains disagree with:
   * vouched for but missing from the locker, or in the locker and vouched for by no chained run.
   */
  runProblems: { connectorId: string; key: string; message: string }[];
}

/** Found counts per kind and UTC day, kept while records stream past (bounded: kinds x days). */
export class FoundTally {
  private readonly byKind = new Map<EvidenceKind, Map<string, number>>();
  total = 0;

  add(kind: EvidenceKind, occurredAt: string): void {
    let days = this.byKind.get(kind);
    if (!days) {
      days = new Map();
      this.byKind.set(kind, days);
    }
    const day = occurredAt.slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + 1);
    this.total++;
  }

  count(kind: EvidenceKind, fromDay: string, toDayExclusive: string): number {
    let sum = 0;
    for (const [day, n] of this.byKind.get(kind) ?? []) if (day >= fromDay && day < toDayExclusive) sum += n;
    return sum;
  }

  kindTotal(kind: EvidenceKind): number {
    let sum = 0;
    for (const n of this.byKind.get(kind)?.values() ?? []) sum += n;
    return sum;
  }
}

/** Per kind and UTC day: how many collectors of that kind succeeded / failed, from the window's runs. */
export class RunTally {
  private readonly days = new Map<string, Map<string, { succeeded: number; failed: number }>>();
  private readonly producers = new Map<string, Set<string>>();
  private readonly retention = new Map<string, number>();
  private readonly unavailable = new Map<string, { since: string; before: string }[]>();
  readonly problems: CoverageReport['runProblems'] = [];

  /** What a run's collectors say of their source's retention; read from every run met, whenever it ran. */
  noteRetention(run: RunManifest): void {
    for (const collector of run.collectors) {
      if (collector.sourceRetentionDays !== undefined) {
        const known = this.retention.get(collector.kind);
        this.retention.set(
          collector.kind,
          Math.min(known ?? Number.POSITIVE_INFINITY, collector.sourceRetentionDays),
        );
      }
      if (collector.sourceUnavailableBefore !== undefined) {
        const ranges = this.unavailable.get(collector.kind) ?? [];
        ranges.push({ since: collector.window.since, before: collector.sourceUnavailableBefore });
        this.unavailable.set(collector.kind, ranges);
      }
    }
  }

  retentionDays(kind: string): number | null {
    return this.retention.get(kind) ?? null;
  }

  /** Whether a UTC day (YYYY-MM-DD) lies wholly in a range some run asked for and its source no longer had. */
  askedButGone(kind: string, day: string): boolean {
    const start = `${day}T00:00:00.000Z`;
    const end = new Date(Date.parse(start) + 86_400_000).toISOString();
    return (this.unavailable.get(kind) ?? []).some((range) => range.since <= start && end <= range.before);
  }

  add(run: RunManifest): void {
    const day = run.startedAt.slice(0, 10);
    for (const collector of run.collectors) {
      let byDay = this.days.get(collector.kind);
      if (!byDay) {
        byDay = new Map();
        this.days.set(collector.kind, byDay);
      }
      const tally = byDay.get(day) ?? { succeeded: 0, failed: 0 };
      if (collector.status === 'succeeded') tally.succeeded++;
      else tally.failed++;
      byDay.set(day, tally);
      let producers = this.producers.get(collector.kind);
      if (!producers) {
        producers = new Set();
        this.producers.set(collector.kind, producers);
      }
      producers.add(run.connectorId);
    }
  }

  problem(connectorId: string, key: string, message: string): void {
    this.problems.push({ connectorId, key, message });
  }

  status(kind: string, day: string): 'ok' | 'failed' | 'none' {
    const tally = this.days.get(kind)?.get(day);
    if (!tally) return 'none';
    return tally.succeeded > 0 ? 'ok' : 'failed';
  }

  connectors(kind: string): string[] {
    return [...(this.producers.get(kind) ?? [])].sort();
  }
}

export interface ComputeCoverageOptions {
  locker: Locker;
  frameworks: readonly string[];
  controls?: readonly string[] | null;
  from: string | Date;
  to: string | Date;
  /** Defaults to the current time; periods that are not over by then expect nothing. */
  now?: Date;
  /** Connectors whose runs count; default: configured ones plus every one with runs (discoverConnectors). */
  connectors?: readonly string[];
}

/**
 * Coverage of a window straight from the locker: record keys (no bodies) per kind in scope and the run
 * manifests of every connector. What `GET /v1/coverage` and `crosswalk coverage` return. Throws the same 400s
 * as an export for bad frameworks, controls or windows.
 */
export async function computeCoverage(options: ComputeCoverageOptions): Promise<CoverageReport> {
  return buildCoverage({ ...(await tallyCoverage(options)), now: options.now ?? new Date() });
}

/** What a coverage report is built from: everything read from the locker, nothing that depends on the clock. */
export interface CoverageTallies {
  scope: Scope;
  window: Window;
  found: FoundTally;
  runs: RunTally;
}

/**
 * The locker's part of computeCoverage: found counts, run days and chain problems of the window. Independent of
 * `now`, so a caller may keep it while the locker is unchanged and build reports from it at later times
 * (the API's coverage cache, services/api/src/coverage-cache.ts).
 */
export async function tallyCoverage(options: Omit<ComputeCoverageOptions, 'now'>): Promise<CoverageTallies> {
  const { scope, window } = resolveRequest(options);
  const found = new FoundTally();
  for (const kind of scope.kinds) {
    // Current answers only: a subject with superseded answers is one found item (current.ts).
    for await (const { occurredAt, current } of currencyInWindow(options.locker, kind, window))
      if (current) found.add(kind, occurredAt);
  }
  // The runs of the window from each connector's chain, which also names every record of the window a run
  // vouches for, whenever it was collected (docs/architecture.md, "What an export proves"): a record removed
  // from the locker, or one no chained run vouches for, is a problem here as it is for an export.
  const runs = new RunTally();
  const vouched = await VouchedSet.create(scope.kinds, window);
  try {
    const connectors = options.connectors ?? (await discoverConnectors(options.locker));
    for (const connectorId of connectors) {
      const check = await options.locker.runs.verifyChain(connectorId, window, {
        wants: (link) => vouched.wants(link),
        onVisit: async ({ manifest }) => {
          if (!manifest) return;
          await vouched.addRun(connectorId, manifest);
          runs.noteRetention(manifest);
          if (manifest.startedAt >= window.from && manifest.startedAt < window.to) runs.add(manifest);
        },
      });
      for (const problem of check.problems)
        runs.problem(connectorId, problem.key ?? `chain/${connectorId}/`, problem.message);
    }
    for (const kind of scope.kinds) {
      for await (const { ref, expected } of vouched.match(kind, options.locker.records.refs(kind, window))) {
        if (expected === undefined)
          runs.problem(
            '',
            ref.key,
            `${ref.id} is vouched for by no chained run (see crosswalk locker verify-runs)`,
          );
      }
    }
    await vouched.finish();
  } finally {
    await vouched.dispose();
  }
  for (const problem of vouched.problems) runs.problem('', problem.path, problem.message);
  return { scope, window, found, runs };
}

const DAY_MS = 86_400_000;

/** Builds the report from tallies; shared by computeCoverage and the export (which tallies as it streams). */
export function buildCoverage(input: {
  scope: Scope;
  window: Window;
  found: FoundTally;
  runs: RunTally;
  now: Date;
}): CoverageReport {
  const { scope, window, found, runs } = input;
  const nowIso = input.now.toISOString();
  const evaluatedUntil = earlier(later(nowIso, window.from), window.to);

  const kinds: KindCoverage[] = scope.kinds.map((kind) => {
    const cadence: Cadence = kindDeclaration(kind).cadence;
    const retention = runs.retentionDays(kind);
    const periods = periodsOf(cadence, window).map((p) => {
      const over = p.periodStart >= window.from && p.periodEnd <= window.to && p.periodEnd <= evaluatedUntil;
      const expected = cadence === 'event' ? null : over ? 1 : 0;
      const count = found.count(kind, p.start.slice(0, 10), dayAfter(p.end));
      const failedRunDays: string[] = [];
      const noRunDays: string[] = [];
      const beyondSourceRetentionDays: string[] = [];
      for (const day of fullDays(p.start, p.end, evaluatedUntil)) {
        const status = runs.status(kind, day);
        if (status === 'failed') failedRunDays.push(day);
        else if (status === 'none') noRunDays.push(day);
        const dayEnd = Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
        const forgotten = retention !== null && dayEnd <= input.now.getTime() - retention * DAY_MS;
        // Evidence collected in time stands; a day without it that the source has forgotten is lost for good.
        if (status !== 'ok' && (forgotten || runs.askedButGone(kind, day)))
          beyondSourceRetentionDays.push(day);
      }
      return {
        period: p.label,
        start: p.start,
        end: p.end,
        expected,
        found: count,
        gap: expected !== null && count < expected,
        failedRunDays,
        noRunDays,
        beyondSourceRetentionDays,
      };
    });
    return {
      kind,
      title: kindDeclaration(kind).title,
      cadence,
      connectors: runs.connectors(kind),
      found: found.kindTotal(kind),
      expected: cadence === 'event' ? null : periods.reduce((sum, p) => sum + (p.expected ?? 0), 0),
      gapPeriods: periods.filter((p) => p.gap).map((p) => p.period),
      failedRunDays: periods.flatMap((p) => p.failedRunDays),
      noRunDays: periods.flatMap((p) => p.noRunDays),
      sourceRetentionDays: retention,
      beyondSourceRetentionDays: periods.flatMap((p) => p.beyondSourceRetentionDays),
      periods,
    };
  });
  const byKind = new Map(kinds.map((k) => [k.kind, k]));

  const controls: ControlCoverage[] = scope.controls.map((control) => {
    const mine = control.kinds.map((kind) => byKind.get(kind)!);
    const foundCount = mine.reduce((sum, k) => sum + k.found, 0);
    const expectedKinds = mine.filter((k) => k.expected !== null);
    const gapPeriods = mine.reduce((sum, k) => sum + k.gapPeriods.length, 0);
    const failedDays = new Set(mine.flatMap((k) => k.failedRunDays));
    const noRunDays = new Set(mine.flatMap((k) => k.noRunDays));
    const forgottenDays = new Set(mine.flatMap((k) => k.beyondSourceRetentionDays));
    let status: ControlStatus;
    if (mine.length === 0) status = 'manual';
    else if (foundCount === 0) status = 'no-evidence';
    else if (gapPeriods > 0 || failedDays.size > 0 || noRunDays.size > 0) status = 'gaps';
    else status = 'complete';
    return {
      framework: control.framework,
      id: control.id,
      title: control.title,
      status,
      kinds: [...control.kinds],
      found: foundCount,
      expected: expectedKinds.length === 0 ? null : expectedKinds.reduce((sum, k) => sum + k.expected!, 0),
      gapPeriods,
      failedRunDays: failedDays.size,
      noRunDays: noRunDays.size,
      beyondSourceRetentionDays: forgottenDays.size,
    };
  });

  const count = (status: ControlStatus) => controls.filter((c) => c.status === status).length;
  return {
    window,
    evaluatedUntil,
    generatedAt: nowIso,
    mappingVersion: MAPPING_VERSION,
    frameworks: scope.frameworks,
    summary: {
      controls: controls.length,
      complete: count('complete'),
      gaps: count('gaps'),
      noEvidence: count('no-evidence'),
      manual: count('manual'),
      records: kinds.reduce((sum, k) => sum + k.found, 0),
    },
    kinds,
    controls,
    runProblems: runs.problems,
  };
}

interface Period {
  label: string;
  /** The whole calendar period. */
  periodStart: string;
  periodEnd: string;
  /** Clipped to the window. */
  start: string;
  end: string;
}

/** The UTC days, months or quarters that overlap the window, each clipped to it. */
export function periodsOf(cadence: Cadence, window: Window): Period[] {
  const periods: Period[] = [];
  const first = new Date(window.from);
  let cursor: Date;
  if (cadence === 'daily') {
    cursor = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()));
  } else if (cadence === 'quarterly') {
    cursor = new Date(Date.UTC(first.getUTCFullYear(), Math.floor(first.getUTCMonth() / 3) * 3, 1));
  } else {
    cursor = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1));
  }
  while (cursor.toISOString() < window.to) {
    const next =
      cadence === 'daily'
        ? new Date(cursor.getTime() + DAY_MS)
        : new Date(
            Date.UTC(cursor.getUTCFullYear(), cursor.getUTCMonth() + (cadence === 'quarterly' ? 3 : 1), 1),
          );
    const periodStart = cursor.toISOString();
    const periodEnd = next.toISOString();
    const label =
      cadence === 'daily'
        ? periodStart.slice(0, 10)
        : cadence === 'quarterly'
          ? `${periodStart.slice(0, 4)}-Q${Math.floor(cursor.getUTCMonth() / 3) + 1}`
          : periodStart.slice(0, 7);
    periods.push({
      label,
      periodStart,
      periodEnd,
      start: later(periodStart, window.from),
      end: earlier(periodEnd, window.to),
    });
    cursor = next;
  }
  return periods;
}

/** UTC days wholly inside [start, end) that ended by `until`, as YYYY-MM-DD. */
function fullDays(start: string, end: string, until: string): string[] {
  const days: string[] = [];
  const limit = earlier(end, until);
  const s = new Date(start);
  let day = new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate()));
  if (day.toISOString() < start) day = new Date(day.getTime() + DAY_MS);
  for (;;) {
    const next = new Date(day.getTime() + DAY_MS);
    if (next.toISOString() > limit) return days;
    days.push(day.toISOString().slice(0, 10));
    day = next;
  }
}

/** The YYYY-MM-DD after the day that `end` (exclusive) falls in, so [start day, that) covers [start, end). */
function dayAfter(end: string): string {
  const e = new Date(end);
  const startOfDay = Date.UTC(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate());
  // An exclusive end at midnight does not include that day.
  const last = startOfDay === e.getTime() ? startOfDay - DAY_MS : startOfDay;
  return new Date(last + DAY_MS).toISOString().slice(0, 10);
}

/** `2026-01-01..2026-01-05, 2026-02-10`: consecutive days folded into ranges. */
export function compactDays(days: readonly string[], max = 6): string {
  if (days.length === 0) return '';
  const sorted = [...new Set(days)].sort();
  const ranges: string[] = [];
  let first = sorted[0]!;
  let last = first;
  const push = () => ranges.push(first === last ? first : `${first}..${last}`);
  for (const day of sorted.slice(1)) {
    if (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${last}T00:00:00Z`) === DAY_MS) {
      last = day;
    } else {
      push();
      first = day;
      last = day;
    }
  }
  push();
  return ranges.length > max
    ? `${ranges.slice(0, max).join(', ')}, +${ranges.length - max} more`
    : ranges.join(', ');
}

/** coverage.csv: one row per control, kind and period; one row per manual control. */
export const COVERAGE_COLUMNS = [
  'framework',
  'control',
  'title',
  'status',
  'kind',
  'cadence',
  'period',
  'periodStart',
  'periodEnd',
  'expected',
  'found',
  'gap',
  'failedRunDays',
  'noRunDays',
  'connectors',
] as const;

export function* coverageRows(report: CoverageReport): Iterable<string[]> {
  const byKind = new Map(report.kinds.map((k) => [k.kind, k]));
  for (const control of report.controls) {
    const head = [control.framework, control.id, control.title, control.status];
    if (control.kinds.length === 0) {
      yield [...head, '', '', '', '', '', '', '', '', '', '', ''];
      continue;
    }
    for (const kindId of control.kinds) {
      const kind = byKind.get(kindId)!;
      for (const p of kind.periods) {
        yield [
          ...head,
          kind.kind,
          kind.cadence,
          p.period,
          p.start,
          p.end,
          p.expected === null ? '' : String(p.expected),
          String(p.found),
          p.gap ? 'yes' : 'no',
          p.failedRunDays.join(';'),
          p.noRunDays.join(';'),
          kind.connectors.join(';'),
        ];
      }
    }
  }
}

/** The later / earlier of two fixed-width UTC timestamps (string order is time order). */
function later(a: string, b: string): string {
  return a > b ? a : b;
}

function earlier(a: string, b: string): string {
  return a < b ? a : b;
}
