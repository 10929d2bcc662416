import { randomBytes } from 'node:crypto';
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

/**
 * The name of the jobs schedulers emit. Such a job only hands its collection to `CollectQueue.enqueue`, so a
 * scheduled run is deduplicated against manual and webhook runs of the same collector like any other: BullMQ's
 * scheduler templates take no deduplication option, and two runs of one collector side by side would race on
 * its cursor.
 */
export const SCHEDULED_JOB = 'schedule';

export function schedulerId(connectorId: string, collector: string): string {
  return `schedule|${connectorId}|${collector}`;
}

/**
 * Whether a stored config gives a collector something to collect (its `notConfigured` says why not). The stored
 * config passed its schema when it was written; a check that cannot read it counts as configured, so a schedule
 * is never lost to a shape the check did not expect.
 */
export function isConfigured(
  collector: ConnectorDefinition['collectors'][number],
  config: Record<string, unknown>,
): boolean {
  try {
    return collector.notConfigured?.(config) === undefined;
  } catch {
    return true;
  }
}

export class CollectQueue {
  readonly queue: Queue;

  constructor(connection: { url: string }) {
    this.queue = new Queue(QUEUES.collect, {
      connection: queueConnection(connection.url),
      defaultJobOptions,
    });
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

  /**
   * Declares (or re-declares) one scheduler per collector; idempotent, run at every worker start. Given the
   * connector's stored config, a collector it leaves unconfigured (a Jira kind without a JQL) gets no scheduler,
   * and one declared before is removed: its runs would be refused, not collect.
   */
  async declareSchedules(
    connectorId: string,
    connector: ConnectorDefinition,
    config?: Record<string, unknown>,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const collector of connector.collectors) {
      const id = schedulerId(connectorId, collector.id);
      if (config && !isConfigured(collector, config)) {
        await this.queue.removeJobScheduler(id);
        continue;
      }
      await this.queue.upsertJobScheduler(
        id,
        { pattern: schedulePattern(collectorCadence(collector)), tz: 'UTC' },
        {
          name: SCHEDULED_JOB,
          data: {
            connectorId,
            collector: collector.id,
            window: null,
            filter: {},
            trigger: { type: 'schedule', scheduler: id },
          } satisfies CollectJob,
          opts: defaultJobOptions,
        },
      );
      ids.push(id);
    }
    return ids;
  }

  /** A connector's schedulers: each collector's cron pattern (UTC) and when BullMQ will next add its job. */
  async schedulesOf(
    connectorId: string,
  ): Promise<{ collector: string; pattern: string; next: string | null }[]> {
    const prefix = schedulerId(connectorId, '');
    return (await this.queue.getJobSchedulers(0, -1))
      .filter((scheduler) => scheduler.key.startsWith(prefix))
      .map((scheduler) => ({
        collector: scheduler.key.slice(prefix.length),
        pattern: scheduler.pattern ?? '',
        next: typeof scheduler.next === 'number' ? new Date(scheduler.next).toISOString() : null,
      }))
      .sort((a, b) => a.collector.localeCompare(b.collector));
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

/**
 * How long a webhook delivery id is remembered, so that a replay is acknowledged as a duplicate and adds no job.
 * GitHub redelivers (by hand or through its API) deliveries of the last 3 days; senders that retry do so within
 * hours. Independent of how long BullMQ keeps finished jobs.
 */
export const DELIVERY_CLAIM_SECONDS = 3 * 24 * 3600;

/** The claim id of a delivery (BullMQ deduplication id): one per connector and delivery id. */
export function deliveryClaimId(connectorId: string, deliveryId: string): string {
  return `webhook|${connectorId}|${deliveryId}`;
}

/** Deletes a claim only if it is still this job's (a newer delivery's claim is left alone). */
const RELEASE_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

interface ClaimRedis {
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

export class WebhookQueue {
  readonly queue: Queue;

  constructor(connection: { url: string }) {
    this.queue = new Queue(QUEUES.webhook, {
      connection: queueConnection(connection.url),
      defaultJobOptions,
    });
  }

  /** The Redis key of a delivery's claim: BullMQ's deduplication key, whose value is the job id. */
  claimKey(connectorId: string, deliveryId: string): string {
    return `${this.queue.qualifiedName}:de:${deliveryClaimId(connectorId, deliveryId)}`;
  }

  /**
   * One job per delivery. The add claims the (connector, delivery id) in the same Redis script that adds the job
   * (BullMQ deduplication with a TTL: `SET NX PX` of the claim key, DELIVERY_CLAIM_SECONDS), so there is no moment
   * with a claim and no job; a replay finds the claim and is a duplicate naming the first job. The claim, not the
   * job, remembers the delivery: BullMQ trimming finished jobs (at most 10,000 kept) does not touch it, so replay
   * detection does not depend on how long jobs are kept. The worker releases the claim when the job fails for good
   * (releaseClaim), so the sender's redelivery of a delivery that failed is processed; each claim gets a job id of
   * its own, since the failed job is kept for inspection under the old one. One round trip to Redis.
   */
  async enqueue(job: WebhookJob): Promise<{ id: string; duplicate: boolean }> {
    const data = webhookJobSchema.parse(job);
    const claim = deliveryClaimId(data.connectorId, data.deliveryId);
    // Unique per attempt: a replay's add returns the claiming job's id, which tells it apart from ours.
    const jobId = `${claim}|${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.replace(/:/g, '_');
    const added = await this.queue.add('webhook', data, {
      jobId,
      deduplication: { id: claim, ttl: DELIVERY_CLAIM_SECONDS * 1000 },
    });
    return { id: added.id!, duplicate: added.id !== jobId };
  }

  /**
   * Forgets a delivery whose job failed for good, so that a redelivery is taken as new. Only that job's claim
   * is released (compare and delete): a newer claim of the same delivery is left alone.
   */
  async releaseClaim(job: { id: string; connectorId: string; deliveryId: string }): Promise<boolean> {
    const redis = (await this.queue.getBackend().client) as unknown as ClaimRedis;
    return (await redis.eval(RELEASE_CLAIM, 1, this.claimKey(job.connectorId, job.deliveryId), job.id)) === 1;
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

/**
 * The connection of a Queue (the producer side: adds, scheduler declarations, state reads). Unlike a worker's,
 * it keeps no command while Redis is away (`enableOfflineQueue: false`): a command fails at once, so the API
 * answers 503 instead of hanging, and a request it refused cannot turn into a job when Redis comes back
 * (BullMQ's advice for queues used from HTTP handlers). Workers keep the default and wait out a restart.
 */
export function queueConnection(url: string) {
  return { ...redisOptions(url), enableOfflineQueue: false };
}

export type { CollectionWindow };
