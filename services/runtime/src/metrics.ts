import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Prometheus metrics: jobs, runs, records stored, webhook deliveries, source API calls and rate-limit waits. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crosswalk_process_' });
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
    activeJobs: new Gauge({
      name: 'crosswalk_jobs_active',
      help: 'Jobs being processed now',
      labelNames: ['queue'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
