import { ExportLedger } from '@crosswalk/export';
import { checkSchedules, type Runtime, reconcileSchedules } from '@crosswalk/runtime';
import { failureOfJob } from './process-export.js';
import { recoverDeadRuns } from './recover-dead-runs.js';

export interface Maintenance {
  /** One pass now: schedules against configs, export failures not yet recorded, dead runs recovered. */
  run(options?: { all?: boolean }): Promise<void>;
  /** Dead runs recovered now (the worker's start), alone; never rejects (a failure is logged, retried later). */
  recover(): Promise<void>;
  close(): void;
}

/** Failed export jobs looked at per pass (BullMQ keeps failed jobs 7 days; exports fail rarely). */
const FAILED_EXPORTS_PER_PASS = 100;

/**
 * What a worker keeps true while it runs, beside taking jobs:
 * - the collection schedules match the stored connectors. Redis holds the schedulers and loses them all when it
 *   restarts without persistence; the configs are in the locker. Checked at start (every connector re-declared),
 *   whenever the Redis connection is ready again after a loss, and every CROSSWALK_RECONCILE_INTERVAL_MS.
 * - every export whose job failed for good has its `failure.json`: the last attempt writes it, but when the locker
 *   is what failed, that write fails too, and the status would read from the job alone until the queue forgets it.
 * - what dead runs left is vouched for: links claimed by a run that died before its manifest are finished, and the
 *   records of collect jobs that failed for good adopted (recover-dead-runs.ts). At start, then at every pass.
 */
export function startMaintenance(runtime: Runtime): Maintenance {
  const ledger = new ExportLedger(runtime.locker);
  const settled = new Set<string>();
  const recovered = new Set<string>();
  let running: Promise<void> | undefined;
  let recovering: Promise<void> | undefined;

  // One recovery at a time in this process; other workers may run theirs at once (the write-once claims decide).
  const recovery = () => {
    recovering ??= recoverDeadRuns(runtime, recovered).finally(() => {
      recovering = undefined;
    });
    return recovering;
  };

  async function schedules(all: boolean): Promise<void> {
    let result: Awaited<ReturnType<typeof reconcileSchedules>>;
    try {
      result = await reconcileSchedules(runtime, { all });
    } catch (error) {
      // Say how many are missing if Redis can still tell (a declaration failed); else crosswalk_redis_up does.
      const check = await checkSchedules(runtime).catch(() => undefined);
      if (check) runtime.metrics.schedulesMissing.set(check.missing.length);
      throw error;
    }
    runtime.metrics.schedulesConfigured.set(result.configured);
    runtime.metrics.schedulesMissing.set(0);
    if (all) {
      runtime.logger.info({ schedulers: result.configured }, 'schedules declared');
    } else if (result.restored > 0) {
      runtime.metrics.schedulesRestored.inc(result.restored);
      runtime.logger.warn(
        { restored: result.restored, configured: result.configured },
        'collection schedules were missing from Redis: declared again',
      );
    }
    if (result.removed > 0) {
      runtime.logger.info({ removed: result.removed }, 'schedules of deleted connectors removed');
    }
  }

  async function exportFailures(): Promise<void> {
    for (const job of await runtime.exportQueue.queue.getFailed(0, FAILED_EXPORTS_PER_PASS - 1)) {
      const failure = failureOfJob(job);
      if (!failure || settled.has(failure.exportId)) continue;
      if (!(await ledger.result(failure.exportId)) && !(await ledger.failure(failure.exportId))) {
        await ledger.recordFailure(failure);
        runtime.logger.info(
          { exportId: failure.exportId, code: failure.code },
          'export failure recorded late',
        );
      }
      settled.add(failure.exportId);
    }
  }

  async function pass(all: boolean): Promise<void> {
    const outcomes = await Promise.allSettled([schedules(all), exportFailures(), recovery()]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        runtime.logger.warn(
          { error: (outcome.reason as Error).message },
          'maintenance pass failed: tried again later',
        );
      }
    }
  }

  const run = (options: { all?: boolean } = {}) => {
    running ??= pass(options.all ?? false).finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => void run(), runtime.env.CROSSWALK_RECONCILE_INTERVAL_MS);
  timer.unref();
  // The collect queue's connection is ready again after it closed: Redis may have restarted empty.
  let lost = false;
  const backend = runtime.collectQueue.queue.getBackend() as unknown as NodeJS.EventEmitter;
  const onClose = () => {
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    runtime.logger.info('redis connection ready again: checking schedules');
    void run();
  };
  backend.on('close', onClose);
  backend.on('ready', onReady);
  return {
    run,
    recover: () =>
      recovery().catch((error: unknown) =>
        runtime.logger.warn(
          { error: (error as Error).message },
          'recovery of dead runs failed: tried again at the next maintenance pass',
        ),
      ),
    close() {
      clearInterval(timer);
      backend.off('ready', onReady);
      backend.off('close', onClose);
    },
  };
}
