import { errorCatalog } from '@crosswalk/core';
import { createMetrics } from '@crosswalk/runtime';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { failureError } from '../src/process-collect.js';

describe('a collector failure as a job error', () => {
  it('is retried exactly when its code is a retryable catalog entry', () => {
    for (const [code, entry] of Object.entries(errorCatalog)) {
      const error = failureError({ code, message: 'm' }, 'gh/members');
      expect(error instanceof UnrecoverableError, code).toBe(!entry.retryable);
      expect(error.message).toBe(`gh/members: ${code}: m`);
    }
  });

  it('is never retried for a code the catalog lacks, prototype names included', () => {
    for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'CW_NOPE', '']) {
      expect(failureError({ code, message: 'm' }, 'gh/members'), code).toBeInstanceOf(UnrecoverableError);
    }
  });
});

describe('metrics by process role', () => {
  const workerOnly = [
    'crosswalk_jobs_total',
    'crosswalk_runs_total',
    'crosswalk_records_stored_total',
    'crosswalk_records_duplicate_total',
    'crosswalk_source_requests_total',
    'crosswalk_rate_limit_waits_total',
    'crosswalk_job_duration_seconds',
    'crosswalk_schedules_restored_total',
    'crosswalk_jobs_active',
  ];

  it('keeps the work counters out of a process that runs no worker, and counts them once one starts', async () => {
    const metrics = createMetrics();
    const before = await metrics.registry.metrics();
    for (const name of workerOnly) expect(before, name).not.toContain(`# TYPE ${name} `);
    expect(before).toContain('# TYPE crosswalk_webhook_deliveries_total counter');
    // Counted before registration (the API never does; a worker's first event might race its start): kept.
    metrics.jobs.inc({ queue: 'crosswalk-collect', outcome: 'completed' });
    metrics.workerMetrics();
    metrics.workerMetrics();
    const after = await metrics.registry.metrics();
    for (const name of workerOnly) expect(after.split(`# TYPE ${name} `).length, name).toBe(2);
    expect(after).toContain('crosswalk_jobs_total{queue="crosswalk-collect",outcome="completed"} 1');
  });
});
