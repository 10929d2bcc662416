import type { Queue } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Job states counted for queue depth (BullMQ's names). */
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** A scrape waits this long for Redis at most; a scrape must not hang on an outage. */
const DEPTH_TIMEOUT_MS = 1_000;

/**
 * Prometheus metrics: jobs, runs, records stored, webhook deliveries, source API calls and rate-limit waits (counted
 * by the process that does the work: workers for jobs, the API for deliveries), plus queue depth and schedule
 * health, read from Redis at scrape time by any process given the queues.
 */
export function createMetrics(queues: readonly Queue[] = []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crosswalk_process_' });
  // One read of every queue's counts per scrape, shared by the gauges that report it.
  let depth:
    | { at: number; read: Promise<(readonly [string, Record<string, number>])[] | undefined> }
    | undefined;
  const readDepth = () => {
    if (!depth || Date.now() - depth.at > 500) {
      depth = {
        at: Date.now(),
        read: Promise.race([
          Promise.all(
            queues.map(async (queue) => [queue.name, await queue.getJobCounts(...DEPTH_STATES)] as const),
          ),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), DEPTH_TIMEOUT_MS).unref(),
          ),
        ]).catch(() => undefined),
      };
    }
    return depth.read;
  };
  if (queues.length) {
    new Gauge({
      name: 'crosswalk_redis_up',
      help: 'Whether Redis answered the queue depth read of this scrape (1) or not (0)',
      registers: [registry],
      async collect() {
        this.set((await readDepth()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'crosswalk_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time (no samples while Redis is down)',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [queue, byState] of (await readDepth()) ?? []) {
          for (const state of DEPTH_STATES) this.set({ queue, state }, byState[state] ?? 0);
        }
      },
    });
  }
  return {
    registry,
    jobs: new Counter({
      name: 'crosswalk_jobs_total',
      help: 'Jobs processed, by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    runs: new Counter({
      name: 'crosswalk_runs_total',
      help: 'Connector runs, by connector and status',
      labelNames: ['connector', 'status'],
      registers: [registry],
    }),
    records: new Counter({
      name: 'crosswalk_records_stored_total',
      help: 'Evidence records stored (new), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'crosswalk_records_duplicate_total',
      help: 'Evidence records already present, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'crosswalk_webhook_deliveries_total',
      help: 'Webhook deliveries, by source and outcome',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    sourceRequests: new Counter({
      name: 'crosswalk_source_requests_total',
      help: 'Source API requests recorded in provenance, by connector',
      labelNames: ['connector'],
      registers: [registry],
    }),
    rateLimitWaits: new Counter({
      name: 'crosswalk_rate_limit_waits_total',
      help: 'Waits for a source rate limit to reset, by connector',
      labelNames: ['connector'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'crosswalk_job_duration_seconds',
      help: 'How long a job attempt ran, by queue and outcome (completed, retried, failed)',
      labelNames: ['queue', 'outcome'],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [registry],
    }),
    schedulesConfigured: new Gauge({
      name: 'crosswalk_schedules_configured',
      help: 'Collection schedules the stored connectors call for (one per connector collector)',
      registers: [registry],
    }),
    schedulesMissing: new Gauge({
      name: 'crosswalk_schedules_missing',
      help: 'Configured collection schedules Redis did not hold at the last check (a worker restores them)',
      registers: [registry],
    }),
    schedulesRestored: new Counter({
      name: 'crosswalk_schedules_restored_total',
      help: 'Collection schedules a worker declared again because Redis had lost them',
      registers: [registry],
    }),
    activeJobs: new Gauge({
      name: 'crosswalk_jobs_active',
      help: 'Jobs being processed now',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
