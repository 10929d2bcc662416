import type { SigningKey } from '@crosswalk/export';
import {
  connectorFor,
  EXPORT_QUEUE,
  QUEUES,
  type Runtime,
  redisOptions,
  SCHEDULED_JOB,
} from '@crosswalk/runtime';
import { Worker } from 'bullmq';
import { handOffScheduled, processCollect } from './process-collect.js';
import { processExport, signingKeyLoader } from './process-export.js';
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
}

export interface RunningWorker {
  workers: Worker[];
  /** Stops taking jobs, lets the current ones finish (or hands them back), and closes. */
  close(): Promise<void>;
}

/**
 * Declares every configured connector's schedules (idempotent: re-declared at each start, so losing Redis
 * loses no schedule), then takes collect and webhook jobs. Any number of these processes can share the queues:
 * ids are deterministic and writes are write-once, so two workers never double-store.
 */
export async function startWorker(runtime: Runtime, options: WorkerOptions = {}): Promise<RunningWorker> {
  for (const view of await runtime.configs.list()) {
    const ids = await runtime.collectQueue.declareSchedules(view.id, connectorFor(view.type));
    runtime.logger.info({ connectorId: view.id, schedulers: ids.length }, 'schedules declared');
  }
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
    worker.on('completed', () => {
      runtime.metrics.activeJobs.dec({ queue });
      runtime.metrics.jobs.inc({ queue, outcome: 'completed' });
    });
    worker.on('failed', (job, error) => {
      runtime.metrics.activeJobs.dec({ queue });
      runtime.metrics.jobs.inc({ queue, outcome: 'failed' });
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
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
