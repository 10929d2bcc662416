import { recoverUnvouched } from '@crosswalk/collect';
import type { TimeRange } from '@crosswalk/locker';
import { collectJobSchema, connectorFor, type Runtime, SCHEDULED_JOB } from '@crosswalk/runtime';

/** Failed collect jobs looked at per pass (BullMQ keeps failed jobs 7 days). */
const FAILED_COLLECTS_PER_PASS = 100;
/** A job's window widened by this on each side for the adoption: snapshots are dated at 00:00 of their day. */
const WINDOW_MARGIN_MS = 86_400_000;

/**
 * What a worker does about dead runs, at start and at each maintenance pass (docs/architecture.md, "Dead runs and
 * recovery"), safely beside other workers doing the same (the write-once claims decide):
 * 1. every configured connector's links claimed by a run that died before writing its manifest are finished from
 *    the manifest that run staged (`runs.completeClaims`: one listing of `staging/<connector>/`, empty as a rule);
 * 2. for each collect job that failed for good (its last attempt could not write its manifest, or it was killed
 *    too often), what its attempts stored and no manifest lists is adopted by one recovery manifest, over the
 *    job's kind and window, unless a collection of the same connector is under way (its run may be storing
 *    now): tried again at the next pass. `settled` holds the jobs already handled by this process.
 */
export async function recoverDeadRuns(runtime: Runtime, settled: Set<string>): Promise<void> {
  for await (const connectorId of runtime.locker.configs.ids()) {
    for (const link of await runtime.locker.runs.completeClaims(connectorId)) {
      runtime.metrics.linksCompleted.inc({ connector: connectorId });
      runtime.logger.warn(
        { connectorId, sequence: link.sequence, runId: link.runId, claimedAt: link.claimedAt, key: link.key },
        'run died between claiming its chain link and writing its manifest: manifest written from what it staged',
      );
    }
  }

  const queue = runtime.collectQueue.queue;
  const failed = await queue.getFailed(0, FAILED_COLLECTS_PER_PASS - 1);
  if (failed.every((job) => job.id === undefined || settled.has(job.id))) return;
  const busy = new Set<string>();
  for (const job of await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized'])) {
    const data = collectJobSchema.safeParse(job?.data);
    if (data.success) busy.add(data.data.connectorId);
  }
  for (const job of await runtime.webhookQueue.queue.getJobs(['active', 'waiting', 'delayed'])) {
    const connectorId = (job?.data as { connectorId?: unknown } | undefined)?.connectorId;
    if (typeof connectorId === 'string') busy.add(connectorId);
  }
  for (const job of failed) {
    if (job.id === undefined || settled.has(job.id)) continue;
    const data = collectJobSchema.safeParse(job.data);
    if (job.name === SCHEDULED_JOB || !data.success) {
      settled.add(job.id); // a scheduler's hand-off stores nothing; malformed data names no collection
      continue;
    }
    const { connectorId, collector, window } = data.data;
    if (busy.has(connectorId)) continue;
    const type = await runtime.configs.resolve(connectorId).then(
      (resolved) => resolved.type,
      () => undefined,
    );
    const kind = type ? connectorFor(type).collectors.find((c) => c.id === collector)?.kind : undefined;
    if (!kind) {
      settled.add(job.id); // the connector or its collector is gone: `crosswalk locker recover` remains
      continue;
    }
    const range: TimeRange | undefined = window
      ? {
          from: new Date(Date.parse(window.since) - WINDOW_MARGIN_MS).toISOString(),
          to: new Date(Date.parse(window.until) + WINDOW_MARGIN_MS).toISOString(),
        }
      : undefined;
    const result = await recoverUnvouched({
      locker: runtime.locker,
      connectorId,
      kinds: [kind],
      ...(range ? { range } : {}),
      by: 'worker',
    });
    if (result.manifest) {
      runtime.metrics.recordsAdopted.inc({ connector: connectorId }, result.adopted.length);
      runtime.logger.warn(
        {
          connectorId,
          jobId: job.id,
          adopted: result.adopted.length,
          recovers: result.manifest.recovers,
          sequence: result.manifest.sequence,
        },
        'records of dead runs that no manifest listed: vouched for by a recovery manifest',
      );
    }
    settled.add(job.id);
  }
}
