/**
 * What a `crosswalk worker` process keeps true by itself, with real processes: a private redis-server the test
 * kills and starts again (no persistence: a restart forgets every schedule), a real bucket, the loopback GitHub.
 * - Schedules: a Redis restart loses every scheduler; the worker declares them again as soon as its connection is
 *   ready (not at its next start, not at its periodic check, which is set far away here).
 * - Metrics: the worker's /metrics, scraped over HTTP, has samples for jobs, job durations, records stored,
 *   rate-limit waits, queue depth and schedule health.
 */
import { acme, configFor, startFake } from '@crosswalk/connector-github/testing';
import type { Runtime } from '@crosswalk/runtime';
import { describe, expect, it, onTestFailed } from 'vitest';
import { cleanupAfterEach } from './cleanup.js';
import {
  type FakeGitHub,
  freePort,
  PrivateRedis,
  realProcessesS3,
  runtimeFrom,
  serviceVars,
  settled,
  WorkerProcess,
  waitFor,
} from './helpers.js';

const s3 = await realProcessesS3();

const CONNECTOR = 'gh-acme';

const defer = cleanupAfterEach();

async function scene(extra: Record<string, string> = {}) {
  const redis = await PrivateRedis.start();
  const fake = await startFake(acme());
  const vars = await serviceVars(s3!, { redisUrl: redis.url, extra });
  const runtime = runtimeFrom(vars);
  defer(
    () => redis.kill(),
    () => fake.close(),
    () => runtime.close(),
  );
  await runtime.configs.create(CONNECTOR, configFor(fake), 'test');
  const worker = await WorkerProcess.start(vars);
  defer(() => worker.kill('SIGKILL'));
  onTestFailed(() => console.error(`--- worker (last 40 lines)\n${worker.lines.slice(-40).join('\n')}`));
  return { redis, fake, vars, runtime, worker };
}

const schedulers = async (runtime: Runtime) =>
  (await runtime.collectQueue.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();

describe.skipIf(!s3)('A worker after Redis restarts', () => {
  it('declares every configured schedule again as soon as Redis is back', async () => {
    const { redis, runtime, worker } = await scene({ CROSSWALK_RECONCILE_INTERVAL_MS: '3600000' });
    const declared = await schedulers(runtime);
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.every((id) => id.startsWith(`schedule|${CONNECTOR}|`))).toBe(true);

    await redis.kill();
    await redis.restart();
    const back = performance.now();
    expect(await schedulers(runtime).catch(() => [])).not.toEqual(declared); // the restart lost them
    await waitFor('the schedules to be declared again', async () => {
      const now = await schedulers(runtime).catch(() => []);
      return now.length === declared.length && now.every((id, i) => id === declared[i]);
    });
    const restoredMs = Math.round(performance.now() - back);
    console.info(`schedules restored ${restoredMs} ms after Redis answered again`);
    expect(restoredMs).toBeLessThan(15_000);
    await waitFor(
      'the worker to say so',
      () => worker.logged('collection schedules were missing from Redis: declared again').length === 1,
    );
  });

  it('drops the schedules of a connector deleted while it could not reach Redis, and keeps the others', async () => {
    const { runtime, worker } = await scene({ CROSSWALK_RECONCILE_INTERVAL_MS: '500' });
    const declared = await schedulers(runtime);
    await runtime.configs.create(
      'gh-other',
      { ...(await runtime.configs.resolve(CONNECTOR)).config, type: 'github' },
      'test',
    );
    // Declared by nobody (as when the API could not reach Redis): the worker's periodic check declares them.
    await waitFor('the new connector to be scheduled', async () =>
      (await schedulers(runtime)).some((id) => id.startsWith('schedule|gh-other|')),
    );
    await runtime.configs.delete('gh-other', 'test');
    await waitFor('the deleted connector to be unscheduled', async () => {
      const now = await schedulers(runtime);
      return now.length === declared.length && now.every((id, i) => id === declared[i]);
    });
    expect(worker.alive).toBe(true);
  });
});

describe.skipIf(!s3)("A worker's metrics", () => {
  it('are served on CROSSWALK_METRICS_PORT with samples for jobs, records, rate-limit waits, queues and schedules', async () => {
    const port = await freePort();
    const { runtime, fake } = await scene({
      CROSSWALK_METRICS_PORT: String(port),
      CROSSWALK_METRICS_HOST: '127.0.0.1',
    });
    (fake as FakeGitHub).fault({
      path: /members/,
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
      },
      body: {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
      },
    });
    const id = await runtime.collectQueue.enqueue({
      connectorId: CONNECTOR,
      collector: 'org_members',
      window: null,
      filter: {},
      trigger: { type: 'manual', by: 'test' },
    });
    expect((await settled(runtime.collectQueue.queue, id, 30_000)).state).toBe('completed');

    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    const sample = (pattern: RegExp) => {
      const line = text.split('\n').find((l) => !l.startsWith('#') && pattern.test(l));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(sample(/^crosswalk_jobs_total\{queue="crosswalk-collect",outcome="completed"\}/)).toBe(1);
    expect(
      sample(/^crosswalk_job_duration_seconds_count\{queue="crosswalk-collect",outcome="completed"\}/),
    ).toBe(1);
    expect(sample(/^crosswalk_records_stored_total\{kind="github.org_members"\}/)).toBeGreaterThan(0);
    expect(sample(/^crosswalk_rate_limit_waits_total\{connector="gh-acme"\}/)).toBeGreaterThanOrEqual(1);
    expect(sample(/^crosswalk_queue_jobs\{queue="crosswalk-collect",state="waiting"\}/)).toBe(0);
    expect(sample(/^crosswalk_redis_up/)).toBe(1);
    expect(sample(/^crosswalk_schedules_configured/)).toBeGreaterThan(0);
    expect(sample(/^crosswalk_schedules_missing/)).toBe(0);
    // Counts and labels only: no token of the connector.
    expect(text).not.toContain((await runtime.configs.resolve(CONNECTOR)).config.auth as never);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });
});
