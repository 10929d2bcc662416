import type { SigningKey } from '@crosswalk/export';
import {
  EXPORT_QUEUE,
  QUEUES,
  type Runtime,
  reconcileSchedules,
  redisOptions,
  SCHEDULED_JOB,
} from '@crosswalk/runtime';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { startMaintenance } from './maintenance.js';
import { startMetricsServer } from './metrics-server.js';
import { handOffScheduled, processCollect } from './process-collect.js';
import { processExport, signingKeyLoader } from './process-export.js';
import { removeStaleExportDirs } from './tmp-cleanup.js';
import { webhookWorker } from './webhook-worker.js';

export interface WorkerOptions {
  concurrency?: number;
  /** How soon a job whose worker died (SIGKILL, crash) is handed to another worker. @defaultValue 30000 */
  stalledIntervalMs?: number;
  /**
   * The key export manifests are signed with. Default: loadSigningKey() at the first export job
   * (CROSSWALK_SIGNING_KEY, CROSSWALK_SIGNING_KEY_FILE, or the default file, created on first use).
   */
  signingKey?: SigningKey;
  /** Serve metrics on this port (0: any free one). @defaultValue CROSSWALK_METRICS_PORT (unset: none) */
  metricsPort?: number;
}

export interface RunningWorker {
  workers: Worker[];
  /** Where the Prometheus metrics are served, when a port is configured. */
  metricsUrl?: string;
  /** Stops taking jobs, lets the current ones finish (or hands them back), and closes. */
  close(): Promise<void>;
}

/**
 * Removes what killed workers left in the temporary directory, declares every configured connector's schedules
 * (idempotent: re-declared at each start, and restored whenever Redis comes back without them; see maintenance),
 * recovers what dead runs left (in the background; again at every maintenance pass), serves metrics when a port
 * is configured, then takes collect, webhook and export jobs. Any number of these processes can share the queues:
 * ids are deterministic and writes are write-once, so two workers never double-store.
 */
export async function startWorker(runtime: Runtime, options: WorkerOptions = {}): Promise<RunningWorker> {
  runtime.metrics.workerMetrics();
  const stale = await removeStaleExportDirs();
  if (stale.length)
    runtime.logger.info({ removed: stale }, 'export build directories of dead workers removed');
  const maintenance = startMaintenance(runtime);
  // At start every connector's schedulers are declared again (a changed cadence takes effect); a failure stops
  // the start, as before: a worker that cannot reach Redis or the locker has nothing to do.
  await reconcileSchedules(runtime, { all: true }).then((result) => {
    runtime.metrics.schedulesConfigured.set(result.configured);
    runtime.logger.info({ schedulers: result.configured, removed: result.removed }, 'schedules declared');
  });
  // Dead runs are recovered in the background: jobs need not wait for it (see recover-dead-runs.ts).
  void maintenance.recover();
  const metrics = options.metricsPort ?? runtime.env.CROSSWALK_METRICS_PORT ?? undefined;
  const metricsServer =
    metrics === undefined
      ? undefined
      : await startMetricsServer(runtime, metrics, runtime.env.CROSSWALK_METRICS_HOST);
  const signingKey = signingKeyLoader(runtime, options.signingKey);
  const common = {
    connection: redisOptions(runtime.env.REDIS_URL),
    concurrency: options.concurrency ?? runtime.env.CROSSWALK_WORKER_CONCURRENCY,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job may run long (a first run over 30 days); its lock is renewed while the process lives.
    lockDuration: Math.max(options.stalledIntervalMs ?? 30_000, 10_000),
  };
  const track = (queue: (typeof QUEUES)[keyof typeof QUEUES] | typeof EXPORT_QUEUE, worker: Worker) => {
    worker.on('active', () => runtime.metrics.activeJobs.inc({ queue }));
    const timed = (job: Job | undefined, outcome: string) => {
      runtime.metrics.jobs.inc({ queue, outcome });
      if (job?.processedOn && job.finishedOn) {
        runtime.metrics.jobDuration.observe({ queue, outcome }, (job.finishedOn - job.processedOn) / 1000);
      }
    };
    worker.on('completed', (job) => {
      runtime.metrics.activeJobs.dec({ queue });
      timed(job, 'completed');
    });
    worker.on('failed', (job, error) => {
      runtime.metrics.activeJobs.dec({ queue });
      // BullMQ reports each failed attempt; one that will be retried is not a failure yet.
      const final =
        !job || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      timed(job, final ? 'failed' : 'retried');
      runtime.logger.warn(
        { queue, jobId: job?.id, attempts: job?.attemptsMade, error: error.message },
        'job failed',
      );
    });
    worker.on('error', (error) => runtime.logger.error({ queue, error: error.message }, 'worker error'));
    return worker;
  };
  const workers = [
    track(
      QUEUES.collect,
      new Worker(
        QUEUES.collect,
        (job) =>
          job.name === SCHEDULED_JOB
            ? handOffScheduled(runtime, job.data)
            : processCollect(runtime, job.data, (value) => job.updateProgress(value)),
        common,
      ),
    ),
    track(QUEUES.webhook, webhookWorker(runtime, common)),
    track(
      EXPORT_QUEUE,
      new Worker(
        EXPORT_QUEUE,
        (job) =>
          processExport(
            runtime,
            job.data,
            signingKey,
            { attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 },
            (value) => job.updateProgress(value),
          ),
        { ...common, concurrency: runtime.env.CROSSWALK_EXPORT_CONCURRENCY },
      ),
    ),
  ];
  return {
    workers,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    async close() {
      maintenance.close();
      await Promise.all(workers.map((w) => w.close()));
      await metricsServer?.close();
    },
  };
}
