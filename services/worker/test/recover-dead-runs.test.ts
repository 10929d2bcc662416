/**
 * What a worker recovers by itself (docs/architecture.md, "Dead runs and recovery"): the records a collect job that
 * failed for good stored and no manifest lists are adopted by one recovery manifest, even with two workers at it at
 * once, and not while a collection of the connector is waiting or running. The job's one attempt loses the locker
 * exactly when it writes its manifest (its records are stored); its failure is a real BullMQ failure in a
 * redis-server of the test's own. Links of runs killed between claim and manifest: completeness-faults.test.ts.
 */
import { findUnvouched } from '@crosswalk/collect';
import { acme, configFor, startFake } from '@crosswalk/connector-github/testing';
import { CrosswalkError } from '@crosswalk/core';
import { type CollectJob, QUEUES, type Runtime, redisOptions } from '@crosswalk/runtime';
import { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { processCollect } from '../src/process-collect.js';
import { recoverDeadRuns } from '../src/recover-dead-runs.js';
import { cleanupAfterEach } from './cleanup.js';
import {
  PrivateRedis,
  rangeOf,
  realProcessesS3,
  runtimeFrom,
  serviceVars,
  settled,
  WINDOW,
} from './helpers.js';

const s3 = await realProcessesS3();
const CONNECTOR = 'gh-dead';
const job: CollectJob = {
  connectorId: CONNECTOR,
  collector: 'pull_request_approvals',
  window: WINDOW,
  filter: {},
  trigger: { type: 'manual', by: 'recover-test' },
};

const defer = cleanupAfterEach();

const adopted = async (runtime: Runtime) =>
  (await runtime.metrics.recordsAdopted.get()).values.reduce((sum, v) => sum + v.value, 0);

describe.skipIf(!s3)('a worker recovering what a collect job that failed for good left', () => {
  it('adopts its records once between two workers, and waits while a collection of the connector is pending', {
    timeout: 120_000,
  }, async () => {
    const redis = await PrivateRedis.start();
    const fake = await startFake(acme());
    const vars = await serviceVars(s3!, { redisUrl: redis.url });
    const [a, b] = [runtimeFrom(vars), runtimeFrom(vars)];
    defer(
      () => redis.kill(),
      () => fake.close(),
      () => a.close(),
      () => b.close(),
    );
    await a.configs.create(CONNECTOR, configFor(fake), 'test');

    // One attempt, which stores every record and loses the locker when it writes its manifest.
    const dying = runtimeFrom(vars);
    defer(() => dying.close());
    dying.locker.runs.append = () =>
      Promise.reject(new CrosswalkError('CW_LOCKER_UNAVAILABLE', 'locker unreachable writing the manifest'));
    const queue = a.collectQueue.queue;
    const failing = await queue.add('collect', job, { attempts: 1 });
    const attempt = new Worker(QUEUES.collect, (j) => processCollect(dying, j.data), {
      connection: redisOptions(redis.url),
    });
    const { state } = await settled(queue, failing.id!, 60_000);
    await attempt.close();
    expect(state).toBe('failed');
    const range = rangeOf(WINDOW);
    const left = await findUnvouched({ locker: a.locker, connectorId: CONNECTOR, range });
    expect(left.unvouched.length).toBeGreaterThan(0);
    const deadRun = left.unvouched[0]!.runId;

    // A collection of the connector is waiting: its run may store, so nothing is adopted yet.
    const pending = await queue.add('collect', { ...job, window: null });
    await recoverDeadRuns(a, new Set());
    expect(await adopted(a)).toBe(0);
    expect((await findUnvouched({ locker: a.locker, connectorId: CONNECTOR, range })).unvouched).toHaveLength(
      left.unvouched.length,
    );
    await pending.remove();

    // Two workers at once: one recovery manifest between them.
    await Promise.all([recoverDeadRuns(a, new Set()), recoverDeadRuns(b, new Set())]);
    expect((await adopted(a)) + (await adopted(b))).toBe(left.unvouched.length);
    const chain = await a.locker.runs.verifyChain(CONNECTOR);
    expect(chain).toMatchObject({ ok: true, checked: 1, head: { sequence: 1 } });
    const manifest = await a.locker.runs.read(chain.head!.key);
    expect(manifest).toMatchObject({
      trigger: { type: 'recovery', by: 'worker' },
      recovers: [deadRun],
      collectors: [],
    });
    expect(manifest.records.map((r) => r.id).sort()).toEqual(left.unvouched.map((u) => u.id).sort());
    expect((await findUnvouched({ locker: a.locker, connectorId: CONNECTOR, range })).unvouched).toEqual([]);

    // A later pass (or a worker started later) finds nothing to do.
    await recoverDeadRuns(b, new Set());
    expect((await a.locker.runs.verifyChain(CONNECTOR)).head?.sequence).toBe(1);
  });
});
