import {
  type CollectionWindow,
  type ConnectorDefinition,
  collectorCadence,
  triggerSchema,
} from '@crosswalk/core';
import { type JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';

/**
 * The job catalog: one queue per kind of work, each job's data a zod schema validated when the job is taken,
 * so a malformed job fails loudly instead of half-running.
 */
export const QUEUES = { collect: 'crosswalk-collect', webhook: 'crosswalk-webhook' } as const;

const windowSchema = z.object({ since: z.string(), until: z.string() }).strict();

export const collectJobSchema = z
  .object({
    connectorId: z.string().min(1),
    /** One collector per job: one collector job per (connector, collector, window) at a time. */
    collector: z.string().min(1),
    window: windowSchema.nullable(),
    filter: z.record(z.string(), z.string()),
    trigger: triggerSchema,
  })
  .strict();
export type CollectJob = z.infer<typeof collectJobSchema>;

export const webhookJobSchema = z
  .object({
    connectorId: z.string().min(1),
    event: z.string().min(1),
    deliveryId: z.string().min(1),
    receivedAt: z.string(),
    payload: z.unknown(),
  })
  .strict();
export type WebhookJob = z.infer<typeof webhookJobSchema>;

/** Retries with exponential backoff for what can heal (S3 down, source 5xx, Redis blips). */
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The deduplication id of a collection: two triggers for the same (connector, collector, window, filter) while
 * one is pending collapse into one job, and never run side by side.
 */
export function collectJobId(job: CollectJob): string {
  const window = job.window ? `${job.window.since}..${job.window.until}` : 'next';
  const filter = Object.entries(job.filter)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // BullMQ job ids may not contain ':' (it separates Redis key parts).
  return ['collect', job.connectorId, job.collector, window, filter].join('|').replace(/:/g, '_');
}

/** Cadence -> how often the worker runs a collector: event kinds hourly, snapshots and reviews daily. */
export function schedulePattern(cadence: ReturnType<typeof collectorCadence>): string {
  return cadence === 'event' ? '7 * * * *' : '17 2 * * *';
}

export function schedulerId(connectorId: string, collector: string): string {
  return `schedule|${connectorId}|${collector}`;
}

export class CollectQueue {
  readonly queue: Queue;

  constructor(connection: { url: string }) {
    this.queue = new Queue(QUEUES.collect, { connection: redisOptions(connection.url), defaultJobOptions });
  }

  /**
   * Enqueues a collection now. Resolves to the job id (the pending one when the same work is already waiting).
   * Deduplication, not a fixed job id: a fixed id would also swallow a new request for hours after the first
   * completed (BullMQ keeps completed jobs), while new evidence (a review added after the merge) needs the
   * collection to run again. While one is running, one more is kept to run after it, never beside it.
   */
  async enqueue(job: CollectJob): Promise<string> {
    const data = collectJobSchema.parse(job);
    const added = await this.queue.add('collect', data, {
      deduplication: { id: collectJobId(data), keepLastIfActive: true },
    });
    return added.id!;
  }

  /** Declares (or re-declares) one scheduler per collector; idempotent, run at every worker start. */
  async declareSchedules(connectorId: string, connector: ConnectorDefinition): Promise<string[]> {
    const ids: string[] = [];
    for (const collector of connector.collectors) {
      const id = schedulerId(connectorId, collector.id);
      await this.queue.upsertJobScheduler(
        id,
        { pattern: schedulePattern(collectorCadence(collector)), tz: 'UTC' },
        {
          name: 'collect',
          data: {
            connectorId,
            collector: collector.id,
            window: null,
            filter: {},
            trigger: { type: 'schedule', scheduler: id },
          } satisfies CollectJob,
          // Scheduler templates take no deduplication option in BullMQ; a scheduled run beside a manual one
          // of the same collector stores nothing twice (ids are deterministic, writes are write-once).
          opts: defaultJobOptions,
        },
      );
      ids.push(id);
    }
    return ids;
  }

  /** Removes every scheduler of a connector (when it is deleted). */
  async removeSchedules(connectorId: string): Promise<number> {
    let removed = 0;
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      if (scheduler.key.startsWith(`schedule|${connectorId}|`)) {
        await this.queue.removeJobScheduler(scheduler.key);
        removed++;
      }
    }
    return removed;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export class WebhookQueue {
  readonly queue: Queue;

  constructor(connection: { url: string }) {
    this.queue = new Queue(QUEUES.webhook, { connection: redisOptions(connection.url), defaultJobOptions });
  }

  /**
   * One job per delivery: the delivery id is the job id, so a replayed delivery adds nothing while the first
   * is kept (completed jobs are kept a day for exactly this).
   */
  async enqueue(job: WebhookJob): Promise<{ id: string; duplicate: boolean }> {
    const data = webhookJobSchema.parse(job);
    const jobId = `webhook|${data.connectorId}|${data.deliveryId}`.replace(/:/g, '_');
    const existing = await this.queue.getJob(jobId);
    if (existing) return { id: jobId, duplicate: true };
    await this.queue.add('webhook', data, { jobId });
    return { id: jobId, duplicate: false };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections so a Redis restart is waited out, not fatal. */
export function redisOptions(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    maxRetriesPerRequest: null,
  };
}

export type { CollectionWindow };
