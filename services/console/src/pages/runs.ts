export interface CollectorRun {
  id: string;
  kind: string;
  status: 'succeeded' | 'failed';
  stored: number;
  duplicates: number;
  error: { code: string; message: string } | null;
}

export interface RunSummary {
  runId: string;
  sequence: number;
  startedAt: string;
  finishedAt: string;
  status: 'succeeded' | 'partial' | 'failed';
  trigger: Record<string, unknown>;
  collectors: CollectorRun[];
  recordsStored: number;
  sha256: string;
}

/** The newest run of each collector among `runs` (oldest first, as the API lists them). */
export function lastRunsByCollector(runs: RunSummary[]): { collector: CollectorRun; run: RunSummary }[] {
  const last = new Map<string, { collector: CollectorRun; run: RunSummary }>();
  for (const run of runs) for (const collector of run.collectors) last.set(collector.id, { collector, run });
  return [...last.values()];
}

/**
 * The chain as the run listing shows it: each run's sequence follows the one before. A missing sequence is a run
 * whose manifest is not readable (or outside the listed days): `crosswalk locker verify-runs` says which.
 */
export function chainStatus(runs: RunSummary[]): { runId: string; status: string }[] {
  return runs.map((run, index) => {
    const before = runs[index - 1];
    if (!before) return { runId: run.runId, status: `link ${run.sequence}` };
    return {
      runId: run.runId,
      status:
        run.sequence === before.sequence + 1
          ? `link ${run.sequence}, follows ${before.sequence}`
          : `link ${run.sequence}: ${run.sequence - before.sequence - 1} link(s) missing before it`,
    };
  });
}
