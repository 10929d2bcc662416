import type { Queue } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/** Job states counted for queue depth (BullMQ's names). */
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** A scrape waits this long for Redis at most; a scrape must not hang on an outage. */
const DEPTH_TIMEOUT_MS = 1_000;

/**
 * Prometheus metrics: jobs, runs, records stored, webhook deliveries, source API calls and rate-limit waits (counted
 * by the process that does the work: workers for jobs, the API for deliveries), plus queue depth and schedule
 * health, read from Redis at scrape time by any process given the queues.
 *
 * The work counters only a worker increments (made through `onlyInWorkers`) join the registry when the process starts a
 * worker (`workerMetrics()`): an API process would otherwise print their HELP and TYPE with never a sample, which
 * reads as "no jobs ran" when it means "not counted here".
 */
export function createMetrics(queues: readonly Queue[] = []) {
  const registry = new Registry();
  /** Metrics created outside the registry until this process runs a worker. */
  const workerOnly: Metric[] = [];
  const onlyInWorkers = <T extends Metric>(metric: T): T => {
    workerOnly.push(metric);
    return metric;
  };
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
  let workerRegistered = false;
  return {
    registry,
    /** Adds the worker-only counters to the registry (idempotent): called by a process that starts a worker. */
    workerMetrics(): void {
      if (workerRegistered) return;
      workerRegistered = true;
      for (const metric of workerOnly) registry.registerMetric(metric);
    },
    jobs: onlyInWorkers(
      new Counter({
        name: 'crosswalk_jobs_total',
        help: 'Jobs processed, by queue and outcome',
        labelNames: ['queue', 'outcome'],
        registers: [],
      }),
    ),
    runs: onlyInWorkers(
      new Counter({
        name: 'crosswalk_runs_total',
        help: 'Connector runs, by connector and status',
        labelNames: ['connector', 'status'],
        registers: [],
      }),
    ),
    records: onlyInWorkers(
      new Counter({
        name: 'crosswalk_records_stored_total',
        help: 'Evidence records stored (new), by kind',
        labelNames: ['kind'],
        registers: [],
      }),
    ),
    duplicates: onlyInWorkers(
      new Counter({
        name: 'crosswalk_records_duplicate_total',
        help: 'Evidence records already present, by kind',
        labelNames: ['kind'],
        registers: [],
      }),
    ),
    deliveries: new Counter({
      name: 'crosswalk_webhook_deliveries_total',
      help: 'Webhook deliveries, by source and outcome',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    sourceRequests: onlyInWorkers(
      new Counter({
        name: 'crosswalk_source_requests_total',
        help: 'Source API requests recorded in provenance, by connector',
        labelNames: ['connector'],
        registers: [],
      }),
    ),
    rateLimitWaits: onlyInWorkers(
      new Counter({
        name: 'crosswalk_rate_limit_waits_total',
        help: 'Waits for a source rate limit to reset, by connector',
        labelNames: ['connector'],
        registers: [],
      }),
    ),
    jobDuration: onlyInWorkers(
      new Histogram({
        name: 'crosswalk_job_duration_seconds',
        help: 'How long a job attempt ran, by queue and outcome (completed, retried, failed)',
        labelNames: ['queue', 'outcome'],
        buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1800, 7200],
        registers: [],
      }),
    ),
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
    schedulesRestored: onlyInWorkers(
      new Counter({
        name: 'crosswalk_schedules_restored_total',
        help: 'Collection schedules a worker declared again because Redis had lost them',
        registers: [],
      }),
    ),
    linksCompleted: onlyInWorkers(
      new Counter({
        name: 'crosswalk_recovery_links_completed_total',
        help: 'Run chain links whose run died between claiming them and writing its manifest, finished by a worker from the manifest the run staged',
        labelNames: ['connector'],
        registers: [],
      }),
    ),
    recordsAdopted: onlyInWorkers(
      new Counter({
        name: 'crosswalk_recovery_records_adopted_total',
        help: 'Stored records of dead runs that no manifest listed, vouched for by a recovery manifest a worker appended',
        labelNames: ['connector'],
        registers: [],
      }),
    ),
    activeJobs: onlyInWorkers(
      new Gauge({
        name: 'crosswalk_jobs_active',
        help: 'Jobs being processed now',
        labelNames: ['queue'],
        registers: [],
      }),
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
