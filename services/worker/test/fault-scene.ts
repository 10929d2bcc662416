/**
 * The scene of the worker's fault tests (faults.test.ts, completeness-faults.test.ts): a redis-server of the test's
 * own (the shared one's spare databases are taken by other suites, so no other suite's worker can take these jobs),
 * the loopback GitHub with `pulls` merged PRs behind a slow HTTP hop, a fresh bucket, one connector stored, and
 * `crosswalk worker` children started on demand. Everything is stopped after each test, whatever happened.
 */
import { configFor, manyPullRequests, startFake } from '@crosswalk/connector-github/testing';
import type { CollectJob, Runtime } from '@crosswalk/runtime';
import type { S3TestConfig } from '@crosswalk/testing';
import { onTestFailed } from 'vitest';
import { cleanupAfterEach } from './cleanup.js';
import {
  type FakeGitHub,
  PrivateRedis,
  runtimeFrom,
  SlowProxy,
  serviceVars,
  WINDOW,
  WorkerProcess,
  waitFor,
} from './helpers.js';

export interface FaultScene {
  fake: FakeGitHub;
  /** The hop between the worker and the fake; its `delayMs` may be changed mid-test. */
  slow: SlowProxy;
  redis: PrivateRedis;
  /** The test's own runtime (same Redis and bucket as the workers). */
  runtime: Runtime;
  /** The workers' environment. */
  vars: Record<string, string>;
  workers: WorkerProcess[];
}

export interface SceneOptions {
  /** How long the hop holds each request to the fake. */
  delayMs: number;
  /** The workers' S3 endpoint, e.g. a proxy the test controls. */
  s3Endpoint?: string;
  /** Overrides for the test's own runtime, e.g. the real S3 endpoint when the workers' goes through a proxy. */
  direct?: Record<string, string>;
  /** More of the workers' environment. */
  extra?: Record<string, string>;
}

export function faultScenes(settings: {
  s3: S3TestConfig;
  connectorId: string;
  pulls: number;
  pageSize: number;
  /** Who the jobs and the connector's config say started them. */
  by: string;
}) {
  const defer = cleanupAfterEach();

  /** The pull-request collection of the whole window, as the tests enqueue it. */
  const job = (): CollectJob => ({
    connectorId: settings.connectorId,
    collector: 'pull_request_approvals',
    window: WINDOW,
    filter: {},
    trigger: { type: 'manual', by: settings.by },
  });

  async function setUp(options: SceneOptions): Promise<FaultScene> {
    const redis = await PrivateRedis.start();
    defer(() => redis.kill());
    const fake = await startFake(manyPullRequests(settings.pulls, WINDOW), { validate: false });
    defer(() => fake.close());
    const slow = await SlowProxy.start(fake.url, options.delayMs);
    defer(() => slow.close());
    const vars = await serviceVars(settings.s3, {
      redisUrl: redis.url,
      ...(options.s3Endpoint ? { s3Endpoint: options.s3Endpoint } : {}),
      // A worker that dies is noticed within seconds, not the production 30 s.
      extra: { CROSSWALK_STALLED_INTERVAL_MS: '2000', ...options.extra },
    });
    const runtime = runtimeFrom({ ...vars, ...options.direct });
    defer(() => runtime.close());
    await runtime.configs.create(
      settings.connectorId,
      configFor(fake, {
        baseUrl: slow.url,
        requests: { graphqlSpacingMs: 0, pageSize: settings.pageSize, retries: 0 },
      }),
      settings.by,
    );
    const scene: FaultScene = { fake, slow, redis, runtime, vars, workers: [] };
    onTestFailed(() => {
      for (const [i, worker] of scene.workers.entries())
        console.error(`--- worker ${i} (last 60 lines)\n${worker.lines.slice(-60).join('\n')}`);
    });
    return scene;
  }

  /** One more `crosswalk worker` child on the scene's environment, killed after the test. */
  async function startWorker(scene: FaultScene): Promise<WorkerProcess> {
    const worker = await WorkerProcess.start(scene.vars, `worker ${scene.workers.length}`);
    scene.workers.push(worker);
    defer(() => worker.kill('SIGKILL'));
    return worker;
  }

  /** Waits until the job is being processed and its run has stored at least `records`. */
  async function midRun(scene: FaultScene, id: string, records: number, timeoutMs: number): Promise<void> {
    await waitFor(
      `job ${id} to be active with ${records} records stored`,
      async () => {
        const found = await scene.runtime.collectQueue.queue.getJob(id);
        const progress = found?.progress as { stored?: number } | undefined;
        return (await found?.getState()) === 'active' && (progress?.stored ?? 0) >= records;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  return { setUp, startWorker, midRun, job, defer };
}
