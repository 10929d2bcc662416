import { EVIDENCE_ID_PATTERN, type EvidenceRecord, MAX_INSTANT } from '@crosswalk/core';
import type { ChainReport, Locker, RunManifest } from '@crosswalk/locker';
import { type RunTotal, type SourceTotal, sourceTotals } from './source-totals.js';

/**
 * The IPE pack (information produced by the entity): how a control's population was produced, so an auditor can
 * test its completeness and accuracy (AT-C 205.36): which connectors and collectors read which source endpoints
 * with which parameters, whether their runs read every page, the source's own totals where it reports one, the
 * stored count reconciled against the run manifests that vouch for each record, run days and gaps, collector
 * versions, and the chain proof of each connector's runs.
 */
export interface IpePack {
  window: { from: string; to: string };
  population: { records: number; sha256: string; supersededLeftOut: number };
  sources: {
    connector: string;
    connectorType: string;
    versions: string[];
    collector: string;
    kind: string;
    records: number;
    /** Distinct `METHOD path?query` the records' provenance names (paths carry no secrets), with counts. */
    requests: { request: string; count: number }[];
    requestsNotListed: number;
  }[];
  runs: {
    connector: string;
    /** Runs that started in the window. */
    runs: number;
    /**
     * Collector runs of the control's kinds: a collector is `succeeded` only when it read every page of its window
     * (a page it could not read fails it), so failed ones are where a population may be short.
     */
    collectorRuns: { succeeded: number; failed: number };
    daysWithRun: number;
    failedDays: string[];
    daysWithoutRun: string[];
  }[];
  /** Per kind: the source's own count reconciled with what its runs stored, or why there is none (source-totals.ts). */
  sourceTotals: SourceTotal[];
  reconciliation: {
    /** Population records named by a run manifest of their connector (each stored record is, by the run that stored it). */
    namedByRuns: number;
    notNamedByRuns: string[];
    ok: boolean;
  };
  chains: {
    connector: string;
    ok: boolean;
    checked: number;
    head: ChainReport['head'];
    problems: string[];
  }[];
}

const REQUESTS_LISTED = 50;
const DAY_MS = 86_400_000;

/**
 * Gathers one control's IPE pack as its population streams past: sources and requests per collector, and the
 * reconciliation of each record against the run manifests of its connector (read once per connector and window,
 * shared by every control tested together: `connectorRuns`).
 */
export class IpeCollector {
  private readonly sources = new Map<
    string,
    {
      connector: string;
      connectorType: string;
      versions: Set<string>;
      collector: string;
      kind: string;
      records: number;
      requests: Map<string, number>;
    }
  >();
  private readonly connectors = new Set<string>();
  private named = 0;
  private readonly notNamed: string[] = [];

  add(record: EvidenceRecord, vouched: boolean): void {
    const p = record.provenance;
    const key = `${p.connector.id}\u0000${p.collector}\u0000${record.kind}`;
    let source = this.sources.get(key);
    if (!source) {
      source = {
        connector: p.connector.id,
        connectorType: p.connector.type,
        versions: new Set(),
        collector: p.collector,
        kind: record.kind,
        records: 0,
        requests: new Map(),
      };
      this.sources.set(key, source);
    }
    source.records++;
    source.versions.add(p.connector.version);
    for (const request of p.requests) {
      const name = `${request.method} ${request.path}`;
      source.requests.set(name, (source.requests.get(name) ?? 0) + 1);
    }
    this.connectors.add(p.connector.id);
    if (vouched) this.named++;
    else if (this.notNamed.length < 100) this.notNamed.push(record.id);
  }

  async finish(
    window: { from: string; to: string },
    kinds: readonly string[],
    population: { records: number; sha256: string; supersededLeftOut: number },
    evaluatedUntil: string,
    runsOf: (connector: string) => Promise<RunSummaries>,
  ): Promise<IpePack> {
    const sources = [...this.sources.values()]
      .sort((a, b) => `${a.connector} ${a.collector}`.localeCompare(`${b.connector} ${b.collector}`))
      .map((s) => {
        const requests = [...s.requests.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([request, count]) => ({ request, count }));
        return {
          connector: s.connector,
          connectorType: s.connectorType,
          versions: [...s.versions].sort(),
          collector: s.collector,
          kind: s.kind,
          records: s.records,
          requests: requests.slice(0, REQUESTS_LISTED),
          requestsNotListed: Math.max(0, requests.length - REQUESTS_LISTED),
        };
      });
    const days: string[] = [];
    for (
      let t = Date.parse(window.from);
      t < Math.min(Date.parse(window.to), Date.parse(evaluatedUntil));
      t += DAY_MS
    ) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
    const runs: IpePack['runs'] = [];
    const chains: IpePack['chains'] = [];
    const counted: (RunTotal & { kind: string })[] = [];
    for (const connector of [...this.connectors].sort()) {
      const { runs: connectorRuns, chain } = await runsOf(connector);
      const okDays = new Set<string>();
      const failedDays = new Set<string>();
      let count = 0;
      const collectorRuns = { succeeded: 0, failed: 0 };
      for (const run of connectorRuns) {
        // A source count belongs to the collector's window, whenever the run started (a late collection too).
        for (const c of run.collectors) {
          if (
            kinds.includes(c.kind) &&
            c.status === 'succeeded' &&
            c.sourceTotal !== undefined &&
            c.window.since >= window.from &&
            c.window.until <= window.to
          ) {
            counted.push({
              kind: c.kind,
              runId: run.runId,
              window: c.window,
              sourceTotal: c.sourceTotal,
              stored: c.stored,
            });
          }
        }
        if (run.startedAt < window.from || run.startedAt >= window.to) continue;
        count++;
        const day = run.startedAt.slice(0, 10);
        for (const c of run.collectors) {
          if (!kinds.includes(c.kind)) continue;
          if (c.status === 'succeeded') {
            collectorRuns.succeeded++;
            okDays.add(day);
          } else {
            collectorRuns.failed++;
            failedDays.add(day);
          }
        }
      }
      runs.push({
        connector,
        runs: count,
        collectorRuns,
        daysWithRun: okDays.size,
        failedDays: [...failedDays].filter((d) => !okDays.has(d)).sort(),
        daysWithoutRun: days.filter((d) => !okDays.has(d) && !failedDays.has(d)),
      });
      chains.push({
        connector,
        ok: chain.ok,
        checked: chain.checked,
        head: chain.head,
        problems: chain.problems.map((p) => p.message),
      });
    }
    return {
      window,
      population,
      sources,
      runs,
      sourceTotals: sourceTotals(kinds, counted),
      reconciliation: {
        namedByRuns: this.named,
        notNamedByRuns: this.notNamed,
        ok: this.named === population.records,
      },
      chains,
    };
  }
}

/** A connector's runs as the IPE pack reports them: from a day before the window on, and its chain's check. */
export interface RunSummaries {
  runs: {
    runId: string;
    startedAt: string;
    collectors: {
      kind: string;
      status: string;
      window: { since: string; until: string };
      /** Items the run stored or found already stored; with the source's count where it gave one. */
      stored: number;
      sourceTotal?: number;
    }[];
  }[];
  chain: ChainReport;
}

export interface ConnectorRuns extends RunSummaries {
  /** Every id of a record of the window that a run manifest of the connector names. */
  named: Set<string>;
}

/**
 * What the IPE pack reads of a connector's runs for one window, shared by the controls tested together (one call
 * of testControls, or several sharing a cache): every control of one connector would otherwise read and hash the
 * same manifests again.
 */
export type RunIndexCache = Map<string, Promise<ConnectorRuns>>;

/** A connector's runs for a window, read once per cache. */
export function connectorRuns(
  locker: Locker,
  window: { from: string; to: string },
  cache: RunIndexCache,
): (connector: string) => Promise<ConnectorRuns> {
  // Runs from a day before the window (a run can start before the items it stores occurred) to now: late
  // collections vouch for records of the window too.
  const listFrom = runsListedFrom(window);
  return (connector) => {
    const key = `${connector}\u0000${listFrom}\u0000${window.from}\u0000${window.to}`;
    let index = cache.get(key);
    if (!index) {
      index = readRuns(locker, connector, listFrom, window);
      // Observed here so a failure is reported by the control that awaits it, not as unhandled.
      index.catch(() => {});
      cache.set(key, index);
    }
    return index;
  };
}

async function readRuns(
  locker: Locker,
  connector: string,
  listFrom: string,
  window: { from: string; to: string },
): Promise<ConnectorRuns> {
  const runs: ConnectorRuns['runs'] = [];
  const named = new Set<string>();
  // Only ids of the window's records are ever asked for: the runs listed reach to now, and holding the ids of
  // every later record they name would grow with the locker, not the window. An id carries its occurredAt.
  const [from, to] = [idInstant(window.from), idInstant(window.to)];
  for await (const run of locker.runs.list(connector, { from: listFrom, to: MAX_INSTANT })) {
    for (const stored of run.records) {
      const at = EVIDENCE_ID_PATTERN.exec(stored.id)?.[2];
      if (at === undefined || (at >= from && at < to)) named.add(stored.id);
    }
    runs.push(runSummary(run));
  }
  return { runs, named, chain: await locker.runs.verifyChain(connector, window) };
}

/** What the IPE pack keeps of one run manifest. */
export function runSummary(run: RunManifest): RunSummaries['runs'][number] {
  return {
    runId: run.runId,
    startedAt: run.startedAt,
    collectors: run.collectors.map((c) => ({
      kind: c.kind,
      status: c.status,
      window: c.window,
      stored: c.stored + c.duplicates,
      ...(c.sourceTotal !== undefined ? { sourceTotal: c.sourceTotal } : {}),
    })),
  };
}

/** The first run start the IPE pack reports for a window: a run can start before the items it stores occurred. */
export function runsListedFrom(window: { from: string }): string {
  return new Date(Date.parse(window.from) - DAY_MS).toISOString();
}

/** An instant as evidence ids write it (`2026-02-01T00:00:00.000Z` -> `20260201T000000000Z`), to compare with theirs. */
function idInstant(instant: string): string {
  return instant.replace(/[-:.]/g, '');
}
