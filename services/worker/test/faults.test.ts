/**
 * The faults, with real processes: `crosswalk worker` children (node --import tsx, exactly what
 * `pnpm crosswalk worker` runs), a private redis-server, and a TCP proxy in front of Ceph RGW. Each run collects
 * 60 merged PRs from the loopback GitHub through an HTTP hop that holds every request, so a run takes seconds
 * and a fault can land in the middle of it. Completeness is checked against the collector run directly on the
 * fake: every expected record id in the locker, no other, and the run manifests chain.
 *
 * Each test has a redis-server of its own (the shared one's spare databases are taken by other suites), so no
 * other suite's worker can take these jobs and no test here can disturb another's queues.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { RunManifest } from '@crosswalk/locker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type FaultScene, faultScenes, type SceneOptions } from './fault-scene.js';
import {
  expectedIds,
  rangeOf,
  realProcessesS3,
  SlowProxy,
  settled,
  sleep,
  storedIds,
  TcpProxy,
  WINDOW,
  waitFor,
} from './helpers.js';

const s3 = await realProcessesS3();

const PULLS = 60;
const PAGE = 5;
const CONNECTOR = 'gh-slow';
const KIND = 'github.pull_request.approval' as const;

type Example = { name: string; examples: Record<string, unknown>[] };
// biome-ignore lint/suspicious/noExplicitAny: a real webhook payload, edited field by field
function removalPayload(): Record<string, any> {
  const ghes: Example[] = createRequire(import.meta.url)('@octokit/webhooks-examples/ghes-35/index.json');
  const found = ghes
    .find((e) => e.name === 'organization')
    ?.examples.find((p) => p.action === 'member_removed');
  if (!found) throw new Error('no organization.member_removed example');
  return found;
}

const scenes = faultScenes({
  s3: s3!,
  connectorId: CONNECTOR,
  pulls: PULLS,
  pageSize: PAGE,
  by: 'fault-test',
});
const { job, startWorker } = scenes;

/** A fault scene (12 search pages of 5 PRs), with the record ids the collector finds run directly on the fake. */
interface Scene extends FaultScene {
  expected: string[];
}

async function setUp(options: SceneOptions): Promise<Scene> {
  const current = await scenes.setUp(options);
  const expected = await expectedIds(current.fake, 'pull_request_approvals', { window: WINDOW });
  expect(expected).toHaveLength(PULLS);
  return { ...current, expected };
}

const midRun = (current: Scene, id: string, records: number) => scenes.midRun(current, id, records, 30_000);

async function runsOf(current: Scene): Promise<RunManifest[]> {
  const runs: RunManifest[] = [];
  for await (const run of current.runtime.locker.runs.list(CONNECTOR, {
    from: '2000-01-01T00:00:00.000Z',
    to: '2100-01-01T00:00:00.000Z',
  })) {
    runs.push(run);
  }
  return runs;
}

/** Every expected record is stored, nothing else of the kind in the window, and the run chain is intact. */
async function expectCompleteEvidence(current: Scene): Promise<void> {
  const stored = await storedIds(current.runtime.locker, KIND, rangeOf(WINDOW));
  expect(stored).toEqual(current.expected);
  const chain = await current.runtime.locker.runs.verifyChain(CONNECTOR);
  expect(chain.problems).toEqual([]);
  expect(chain.ok).toBe(true);
}

describe.skipIf(!s3)('worker faults (real processes)', () => {
  describe('when a worker is SIGKILLed in the middle of a run', () => {
    it('another worker takes the stalled job over and completes the run: none missing, none twice', {
      timeout: 120_000,
    }, async () => {
      const current = await setUp({ delayMs: 400 });
      const first = await startWorker(current);
      const id = await current.runtime.collectQueue.enqueue(job());
      await midRun(current, id, 2 * PAGE);

      await first.kill('SIGKILL');
      const killedAt = Date.now();
      expect((await first.exited).signal).toBe('SIGKILL');
      const storedBeforeKill = (await storedIds(current.runtime.locker, KIND, rangeOf(WINDOW))).length;
      expect(storedBeforeKill).toBeGreaterThanOrEqual(2 * PAGE);
      expect(storedBeforeKill).toBeLessThan(PULLS);
      // Nothing has finished the run: no manifest yet.
      expect(await runsOf(current)).toEqual([]);

      await startWorker(current);
      const { state, job: done } = await settled(current.runtime.collectQueue.queue, id, 60_000);
      const recoveredInMs = Date.now() - killedAt;
      expect(state).toBe('completed');
      // It came back through stall detection (the lock of the dead worker expired), not as a retry.
      expect(done.stalledCounter).toBe(1);
      expect(done.attemptsMade).toBe(1);
      const manifest = done.returnvalue as RunManifest;
      expect(manifest.status).toBe('succeeded');
      // The second run found exactly what the killed one had written, and wrote the rest.
      expect(manifest.collectors[0]).toMatchObject({
        duplicates: storedBeforeKill,
        stored: PULLS - storedBeforeKill,
      });
      await expectCompleteEvidence(current);
      expect((await runsOf(current)).map((r) => r.runId)).toEqual([manifest.runId]);
      console.info(
        `SIGKILL: ${storedBeforeKill}/${PULLS} stored before the kill; run completed by the second worker ` +
          `${(recoveredInMs / 1000).toFixed(1)} s after it (stalled ${done.stalledCounter}x, ` +
          `attempts started ${done.attemptsStarted})`,
      );
    });
  });

  describe('when a worker is SIGKILLed in the middle of a batch of webhook deliveries', () => {
    it('another worker takes the stalled jobs over: every delivery has its record, none twice', {
      timeout: 120_000,
    }, async () => {
      const DELIVERIES = 120;
      // The worker's S3 requests held 150 ms each, so a batch run lasts long enough to be killed in.
      const slowS3 = await SlowProxy.start(s3!.endpoint, 150, { keepHost: true });
      const current = await setUp({
        delayMs: 0,
        s3Endpoint: slowS3.url,
        direct: { CROSSWALK_S3_ENDPOINT: s3!.endpoint },
      });
      onTestFinished(() => slowS3.close());
      await current.runtime.configs.create(
        'gh-hooks',
        {
          type: 'github',
          org: 'Octocoders',
          auth: { kind: 'token', token: 'ghp_NeverUsedByRemovalDeliveries00' },
          // Removals stored from the deliveries themselves (with the audit log on, they are read back from it).
          collectors: { member_removed: { auditLog: false } },
        },
        'fault-test',
      );
      const base = removalPayload();
      const deliveries = Array.from({ length: DELIVERIES }, (_, i) => {
        const payload = structuredClone(base);
        payload.membership.user = { ...payload.membership.user, login: `gone-${i}`, id: 8_000_000 + i };
        return {
          connectorId: 'gh-hooks',
          event: 'organization',
          deliveryId: randomUUID(),
          receivedAt: new Date(Date.parse('2026-03-09T12:00:00.000Z') + i).toISOString(),
          payload,
        };
      });
      const ids: string[] = [];
      for (const delivery of deliveries) ids.push((await current.runtime.webhookQueue.enqueue(delivery)).id);
      const range = { from: '2026-03-09T12:00:00.000Z', to: '2026-03-09T12:00:01.000Z' };
      const stored = () => storedIds(current.runtime.locker, 'github.member_removed', range);

      const first = await startWorker(current);
      await waitFor('some removals stored', async () => (await stored()).length >= 10, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      await first.kill('SIGKILL');
      const before = (await stored()).length;
      expect(before).toBeLessThan(DELIVERIES);

      await startWorker(current);
      for (const id of ids) {
        expect((await settled(current.runtime.webhookQueue.queue, id, 90_000)).state).toBe('completed');
      }
      const perDelivery = new Map<string, number>();
      for await (const record of current.runtime.locker.records.list('github.member_removed', range)) {
        const trigger = record.provenance.trigger;
        if (trigger.type === 'webhook')
          perDelivery.set(trigger.deliveryId, (perDelivery.get(trigger.deliveryId) ?? 0) + 1);
      }
      expect([...perDelivery.keys()].sort()).toEqual(deliveries.map((d) => d.deliveryId).sort());
      expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
      // A batch killed between claiming its chain link and writing its manifest shows as exactly that; nothing else.
      const chain = await current.runtime.locker.runs.verifyChain('gh-hooks');
      for (const problem of chain.problems) expect(problem.message).toMatch(/but its manifest is missing/);
      console.info(
        `SIGKILL mid-batch: ${before}/${DELIVERIES} stored before the kill; chain problems ${chain.problems.length}`,
      );
    });
  });

  describe('when a worker gets SIGTERM in the middle of a run', () => {
    it('stops taking jobs, finishes the current run, then exits 0', { timeout: 60_000 }, async () => {
      const current = await setUp({ delayMs: 150 });
      const worker = await startWorker(current);
      const id = await current.runtime.collectQueue.enqueue(job());
      await midRun(current, id, PAGE);

      await worker.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(worker.logged('stopping: finishing current jobs')).toHaveLength(1);
      // Finished by the worker that had it, before it exited: no stall, no second run.
      expect(await current.runtime.collectQueue.queue.getJobState(id)).toBe('completed');
      const done = (await current.runtime.collectQueue.queue.getJob(id))!;
      expect(done.stalledCounter).toBe(0);
      expect((done.returnvalue as RunManifest).collectors[0]).toMatchObject({ stored: PULLS, duplicates: 0 });
      await expectCompleteEvidence(current);
    });
  });

  describe('when Redis restarts during a run (a private redis-server, no persistence)', () => {
    it('the run in flight still finishes, the worker reconnects and takes the next run, and the evidence is complete', {
      timeout: 120_000,
    }, async () => {
      const current = await setUp({ delayMs: 300 });
      const privateRedis = current.redis;
      const worker = await startWorker(current);
      const id = await current.runtime.collectQueue.enqueue(job());
      await midRun(current, id, 2 * PAGE);

      await privateRedis.kill();
      const downAt = Date.now();
      await sleep(2_000);
      await privateRedis.restart();
      const upAt = Date.now();

      // GitHub and S3 never went away: the run in flight writes its records and its manifest.
      const [inFlight] = await waitFor(
        'the run in flight to write its manifest',
        () => runsOf(current).then((r) => r.length > 0 && r),
        {
          timeoutMs: 30_000,
        },
      );
      expect(inFlight!.collectors[0]!.stored).toBe(PULLS);
      // Redis forgot the job; the worker must survive that, and everything it did not finish in Redis.
      expect(worker.alive).toBe(true);
      expect(await current.runtime.collectQueue.queue.getJob(id)).toBeUndefined();

      // The next run goes through the same worker once it has reconnected.
      current.slow.delayMs = 0;
      const next = await current.runtime.collectQueue.enqueue(job());
      const { state, job: done } = await settled(current.runtime.collectQueue.queue, next, 60_000);
      expect(state).toBe('completed');
      expect((done.returnvalue as RunManifest).collectors[0]).toMatchObject({ stored: 0, duplicates: PULLS });
      expect(worker.alive).toBe(true);
      await expectCompleteEvidence(current);
      console.info(
        `Redis restart: down ${((upAt - downAt) / 1000).toFixed(1)} s; next run completed ` +
          `${((Date.now() - upAt) / 1000).toFixed(1)} s after Redis came back`,
      );
    });
  });

  describe('when the S3 endpoint is down for 30 s', () => {
    it('the job fails its attempts while it is down, retries with backoff, and succeeds after: evidence complete', {
      timeout: 120_000,
    }, async () => {
      const proxy = await TcpProxy.start({
        host: '127.0.0.1',
        port: Number(new URL(s3!.endpoint).port || 80),
      });
      scenes.defer(() => proxy.down());
      const current = await setUp({
        delayMs: 300,
        s3Endpoint: proxy.url,
        // The test itself reads and writes S3 directly, so it can look while the worker cannot.
        direct: { CROSSWALK_S3_ENDPOINT: s3!.endpoint },
      });
      await startWorker(current);
      const id = await current.runtime.collectQueue.enqueue(job());
      await midRun(current, id, 2 * PAGE);

      await proxy.down();
      const downAt = Date.now();
      current.slow.delayMs = 0;
      const queue = current.runtime.collectQueue.queue;
      // While S3 is unreachable, the job is retried, waiting longer each time (2 s, 4 s, 8 s, ...).
      const failedAttempts = await waitFor(
        'the job to be waiting for a retry',
        async () => {
          const found = await queue.getJob(id);
          return (await found?.getState()) === 'delayed' && found!.attemptsMade >= 2 && found!.attemptsMade;
        },
        { timeoutMs: 30_000 },
      );
      expect(await queue.getJobState(id)).toBe('delayed');
      await sleep(Math.max(0, downAt + 30_000 - Date.now()));
      expect(await queue.getJobState(id)).not.toBe('completed');
      await proxy.up();
      const upAt = Date.now();

      const { state, job: done } = await settled(queue, id, 75_000);
      expect(state).toBe('completed');
      expect(done.attemptsMade).toBeGreaterThan(failedAttempts);
      expect((done.returnvalue as RunManifest).status).toBe('succeeded');
      await expectCompleteEvidence(current);
      console.info(
        `S3 down 30 s: ${done.attemptsMade} attempts; completed ${((Date.now() - upAt) / 1000).toFixed(1)} s ` +
          'after S3 came back',
      );
    });
  });
});
