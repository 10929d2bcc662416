import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { acme, configFor, manyPullRequests, startFake } from '@crosswalk/connector-github/testing';
import type { EvidenceRecord } from '@crosswalk/core';
import type { RunManifest } from '@crosswalk/locker';
import type { CollectJob, Runtime } from '@crosswalk/runtime';
import { redisTestUrl, s3TestConfig } from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../src/index.js';
import {
  expectedIds,
  type FakeGitHub,
  rangeOf,
  resetQueues,
  runtimeFrom,
  SlowProxy,
  serviceVars,
  settled,
  storedIds,
  WINDOW,
  withDb,
} from './helpers.js';

// This file owns Redis database 9 of the shared test Redis (services/api's tests use 10..15).
const s3 = await s3TestConfig();
const redis = await redisTestUrl();

const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const dotcom: Example[] = require('@octokit/webhooks-examples/api.github.com/index.json');
const ghes: Example[] = require('@octokit/webhooks-examples/ghes-35/index.json');

// biome-ignore lint/suspicious/noExplicitAny: real webhook payloads, edited field by field below
function example(from: Example[], name: string, action: string): Record<string, any> {
  const found = from.find((e) => e.name === name)?.examples.find((p) => p.action === action);
  if (!found) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

async function runsOfDay(runtime: Runtime, connectorId: string): Promise<RunManifest[]> {
  const runs: RunManifest[] = [];
  const today = new Date().toISOString().slice(0, 10);
  for await (const run of runtime.locker.runs.list(connectorId, {
    from: `${today}T00:00:00.000Z`,
    to: `${today}T23:59:59.999Z`,
  })) {
    runs.push(run);
  }
  return runs;
}

const collectJob = (connectorId: string, extra: Partial<CollectJob> = {}): CollectJob => ({
  connectorId,
  collector: 'pull_request_approvals',
  window: WINDOW,
  filter: {},
  trigger: { type: 'manual', by: 'test' },
  ...extra,
});

describe.skipIf(!s3 || !redis)('the worker (in process, real Redis and Ceph RGW)', () => {
  let fake: FakeGitHub;
  let runtime: Runtime;
  let worker: RunningWorker;

  beforeAll(async () => {
    fake = await startFake(acme());
    runtime = runtimeFrom(await serviceVars(s3!, { redisUrl: withDb(redis!, 9) }));
    await resetQueues(runtime);
    await runtime.configs.create('gh-acme', configFor(fake), 'test');
    // The removal payload of @octokit/webhooks-examples is from the Octocoders organization.
    // Removals are stored from the delivery itself only where the audit log is off (else they are read back from it).
    await runtime.configs.create(
      'gh-octocoders',
      configFor(fake, { org: 'Octocoders', collectors: { member_removed: { auditLog: false } } }),
      'test',
    );
    await runtime.configs.create(
      'gh-badtoken',
      configFor(fake, { auth: { kind: 'token', token: 'ghp_RevokedTokenTheFakeDoesNotKnow0000' } }),
      'test',
    );
    worker = await startWorker(runtime, { concurrency: 2 });
  });

  afterAll(async () => {
    await worker?.close();
    await runtime?.close();
    await fake?.close();
  });

  it("declares every configured connector's schedules when it starts", async () => {
    const keys = (await runtime.collectQueue.queue.getJobSchedulers(0, -1)).map((s) => s.key);
    for (const id of ['gh-acme', 'gh-octocoders', 'gh-badtoken']) {
      expect(keys.filter((key) => key.startsWith(`schedule|${id}|`))).toHaveLength(4);
    }
  });

  describe('given a collect job', () => {
    it("stores exactly the fake's records, with provenance, and chains the run manifest", async () => {
      const expected = await expectedIds(fake, 'pull_request_approvals', { window: WINDOW });
      expect(expected).toHaveLength(5);
      const id = await runtime.collectQueue.enqueue(collectJob('gh-acme'));
      const { state, job } = await settled(runtime.collectQueue.queue, id);
      expect(state).toBe('completed');
      const manifest = job.returnvalue as RunManifest;
      expect(manifest).toMatchObject({
        connectorId: 'gh-acme',
        status: 'succeeded',
        trigger: { type: 'manual', by: 'test' },
        window: WINDOW,
      });
      expect(manifest.records.map((r) => r.id).sort()).toEqual(expected);
      expect(await storedIds(runtime.locker, 'github.pull_request.approval', rangeOf(WINDOW))).toEqual(
        expected,
      );
      const record = await runtime.locker.records.getById(expected[0]!);
      expect(record.provenance).toMatchObject({
        connector: { id: 'gh-acme', type: 'github' },
        collector: 'pull_request_approvals',
        runId: manifest.runId,
        trigger: { type: 'manual', by: 'test' },
      });
      expect(record.controls['soc2-2017']).toContain('CC8.1');
      expect((await runtime.locker.runs.verifyChain('gh-acme')).ok).toBe(true);
    });
  });

  describe('given an organization member_removed delivery', () => {
    it('stores the removal from the payload, saying which delivery it came from, and only once', async () => {
      const payload = example(ghes, 'organization', 'member_removed');
      const deliveryId = randomUUID();
      const receivedAt = '2026-03-05T10:00:01.250Z';
      const delivery = {
        connectorId: 'gh-octocoders',
        event: 'organization',
        deliveryId,
        receivedAt,
        payload,
      };
      const { id, duplicate } = await runtime.webhookQueue.enqueue(delivery);
      expect(duplicate).toBe(false);
      const { state, job } = await settled(runtime.webhookQueue.queue, id);
      expect(state).toBe('completed');
      expect(job.returnvalue).toEqual({ stored: 1, enqueued: [] });

      const range = { from: receivedAt, to: '2026-03-05T10:00:01.251Z' };
      const ids = await storedIds(runtime.locker, 'github.member_removed', range);
      expect(ids).toHaveLength(1);
      const record = await runtime.locker.records.getById(ids[0]!);
      expect(record.provenance.trigger).toEqual({ type: 'webhook', deliveryId, event: 'organization' });
      expect(record.actors).toEqual([
        { role: 'removed', person: expect.objectContaining({ login: payload.membership.user.login }) },
      ]);
      expect(record.source.instance).toBe('Octocoders');

      // GitHub's redelivery of the same delivery: no second job, no second record.
      expect(
        await runtime.webhookQueue.enqueue({ ...delivery, receivedAt: '2026-03-05T10:07:00.000Z' }),
      ).toEqual({
        id,
        duplicate: true,
      });
      const day = { from: '2026-03-05T00:00:00.000Z', to: '2026-03-06T00:00:00.000Z' };
      expect(await storedIds(runtime.locker, 'github.member_removed', day)).toEqual(ids);
    });
  });

  describe('given many deliveries of one connector at once', () => {
    it('stores them in fewer runs, each record naming its own delivery, each manifest listing its deliveries', async () => {
      const receivedAt = '2026-03-06T09:00:00.000Z';
      const deliveries = Array.from({ length: 30 }, (_, i) => {
        const payload = example(ghes, 'organization', 'member_removed');
        payload.membership.user = { ...payload.membership.user, login: `batch-${i}`, id: 7_000_000 + i };
        return {
          connectorId: 'gh-octocoders',
          event: 'organization',
          deliveryId: randomUUID(),
          receivedAt: new Date(Date.parse(receivedAt) + i).toISOString(),
          payload,
        };
      });
      const before = await runsOfDay(runtime, 'gh-octocoders');
      const ids = await Promise.all(deliveries.map(async (d) => (await runtime.webhookQueue.enqueue(d)).id));
      for (const id of ids) {
        const { state, job } = await settled(runtime.webhookQueue.queue, id);
        expect(state).toBe('completed');
        expect(job.returnvalue).toEqual({ stored: 1, enqueued: [] });
      }
      const range = { from: receivedAt, to: '2026-03-06T09:00:01.000Z' };
      const byDelivery = new Map<string, string>();
      for await (const record of runtime.locker.records.list('github.member_removed', range)) {
        const trigger = record.provenance.trigger;
        expect(trigger.type).toBe('webhook');
        if (trigger.type !== 'webhook') continue;
        expect(byDelivery.has(trigger.deliveryId)).toBe(false);
        byDelivery.set(trigger.deliveryId, record.actors[0]!.person.login!);
      }
      expect(byDelivery).toEqual(
        new Map(deliveries.map((d) => [d.deliveryId, d.payload.membership.user.login as string])),
      );
      const runs = (await runsOfDay(runtime, 'gh-octocoders')).filter(
        (run) => !before.some((b) => b.runId === run.runId),
      );
      // Fewer runs than deliveries (the worker holds many jobs at once), and together they list every delivery.
      expect(runs.length).toBeLessThan(deliveries.length);
      const listed = runs.flatMap((run) => run.deliveries!.map((d) => d.deliveryId));
      expect(listed.sort()).toEqual(deliveries.map((d) => d.deliveryId).sort());
      for (const run of runs) {
        expect(run.trigger).toEqual({
          type: 'webhook',
          deliveryId: run.deliveries![0]!.deliveryId,
          event: 'organization',
        });
        expect(run.records).toHaveLength(run.deliveries!.length);
        expect(run.filter).toEqual({});
      }
      expect((await runtime.locker.runs.verifyChain('gh-octocoders')).ok).toBe(true);
      // Replayed payload items do not move where the scheduled collection starts.
      expect((await runtime.locker.state.get('gh-octocoders'))?.cursors ?? {}).toEqual({});
    });
  });

  describe('given a pull_request closed+merged delivery', () => {
    it("enqueues that PR's collection, which stores its approval record naming the delivery", async () => {
      // PR #5 of acme/api was merged after WINDOW, so no other test has stored its record.
      const payload = example(dotcom, 'pull_request', 'closed');
      payload.number = 5;
      payload.pull_request.number = 5;
      payload.pull_request.merged = true;
      payload.pull_request.merged_at = '2026-03-08T00:00:00Z';
      payload.repository.full_name = 'acme/api';
      payload.repository.name = 'api';
      payload.repository.owner.login = 'acme';
      const deliveryId = randomUUID();
      const filter = { repository: 'acme/api', number: '5' };
      const expected = await expectedIds(fake, 'pull_request_approvals', { filter });
      expect(expected).toHaveLength(1);

      const { id } = await runtime.webhookQueue.enqueue({
        connectorId: 'gh-acme',
        event: 'pull_request',
        deliveryId,
        receivedAt: new Date().toISOString(),
        payload,
      });
      const webhook = await settled(runtime.webhookQueue.queue, id);
      expect(webhook.state).toBe('completed');
      const { stored, enqueued } = webhook.job.returnvalue as { stored: number; enqueued: string[] };
      expect(stored).toBe(0);
      expect(enqueued).toHaveLength(1);
      const collect = await settled(runtime.collectQueue.queue, enqueued[0]!);
      expect(collect.state).toBe('completed');
      expect(collect.job.data).toMatchObject({ collector: 'pull_request_approvals', filter, window: null });

      const record: EvidenceRecord = await runtime.locker.records.getById(expected[0]!);
      expect(record.source.ref).toBe('acme/api#5');
      expect(record.provenance.trigger).toEqual({ type: 'webhook', deliveryId, event: 'pull_request' });
      expect((collect.job.returnvalue as RunManifest).trigger).toEqual(record.provenance.trigger);
    });
  });

  describe('when the source rejects the credentials', () => {
    it('fails the job once, as unrecoverable, instead of retrying it 8 times', async () => {
      const before = fake.requests.length;
      const id = await runtime.collectQueue.enqueue(collectJob('gh-badtoken'));
      const { state, job } = await settled(runtime.collectQueue.queue, id);
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/CW_SOURCE_AUTH/);
      expect(job.failedReason).not.toContain('ghp_RevokedTokenTheFakeDoesNotKnow0000');
      expect(fake.requests.slice(before).every((r) => r.status === 401)).toBe(true);
      // Its manifest says so, in the chain, for coverage to see the failed run.
      const runs: RunManifest[] = [];
      for await (const run of runtime.locker.runs.list('gh-badtoken', {
        from: '2000-01-01T00:00:00.000Z',
        to: '2100-01-01T00:00:00.000Z',
      })) {
        runs.push(run);
      }
      expect(runs.map((r) => [r.status, r.collectors[0]?.error?.code])).toEqual([
        ['failed', 'CW_SOURCE_AUTH'],
      ]);
    });
  });

  describe('when the connector no longer exists', () => {
    it('fails a collect job once instead of retrying it', async () => {
      const id = await runtime.collectQueue.enqueue(collectJob('gh-deleted'));
      const { state, job } = await settled(runtime.collectQueue.queue, id);
      expect([state, job.attemptsMade]).toEqual(['failed', 1]);
      expect(job.failedReason).toMatch(/CW_NOT_FOUND/);
    });

    it('fails a webhook job once instead of retrying it', async () => {
      const { id } = await runtime.webhookQueue.enqueue({
        connectorId: 'gh-deleted',
        event: 'organization',
        deliveryId: randomUUID(),
        receivedAt: new Date().toISOString(),
        payload: example(ghes, 'organization', 'member_removed'),
      });
      const { state, job } = await settled(runtime.webhookQueue.queue, id);
      expect([state, job.attemptsMade]).toEqual(['failed', 1]);
      expect(job.failedReason).toMatch(/CW_NOT_FOUND/);
    });

    it("takes the sender's redelivery of a delivery whose job failed for good, and processes it", async () => {
      const payload = example(ghes, 'organization', 'member_removed');
      payload.membership.user = { ...payload.membership.user, login: 'redelivered', id: 7_100_000 };
      const delivery = {
        connectorId: 'gh-late',
        event: 'organization',
        deliveryId: randomUUID(),
        receivedAt: '2026-03-07T08:00:00.000Z',
        payload,
      };
      const first = await runtime.webhookQueue.enqueue(delivery);
      expect((await settled(runtime.webhookQueue.queue, first.id)).state).toBe('failed');
      // The operator adds the connector and asks GitHub to redeliver.
      const { type, config } = await runtime.configs.resolve('gh-octocoders');
      await runtime.configs.create('gh-late', { ...config, type }, 'test');
      const again = await runtime.webhookQueue.enqueue(delivery);
      expect(again.duplicate).toBe(false);
      expect(again.id).not.toBe(first.id);
      const { state, job } = await settled(runtime.webhookQueue.queue, again.id);
      expect(state).toBe('completed');
      expect(job.returnvalue).toEqual({ stored: 1, enqueued: [] });
      // The failed job is kept for inspection; a replay now is a duplicate of the one that succeeded.
      expect(await runtime.webhookQueue.queue.getJobState(first.id)).toBe('failed');
      expect(await runtime.webhookQueue.enqueue(delivery)).toEqual({ id: again.id, duplicate: true });
    });
  });

  describe('when a job could not succeed on any attempt', () => {
    it('fails malformed job data once, naming the field', async () => {
      const queue = runtime.collectQueue.queue;
      const added = await queue.add(
        'collect',
        { ...collectJob('gh-acme'), window: 'last week' },
        { attempts: 8 },
      );
      const { state, job } = await settled(queue, added.id!);
      expect([state, job.attemptsMade]).toEqual(['failed', 1]);
      expect(job.failedReason).toMatch(/malformed collect job: window/);
    });

    it('fails once when the stored config no longer passes the connector schema', async () => {
      // Written behind the API's back (an older schema, a hand edit): validation happens again at run time.
      await runtime.locker.configs.put('gh-stale', {
        ...(await runtime.locker.configs.get('gh-acme')),
        id: 'gh-stale',
        config: { type: 'github', org: 'not a login', auth: { kind: 'token', token: 'x' } },
      });
      const id = await runtime.collectQueue.enqueue(collectJob('gh-stale'));
      const { state, job } = await settled(runtime.collectQueue.queue, id);
      expect([state, job.attemptsMade]).toEqual(['failed', 1]);
      expect(job.failedReason).toMatch(/CW_CONFIG_INVALID/);
    });
  });
});

describe.skipIf(!s3 || !redis)('two worker instances on one queue', () => {
  // Windows in April, so these records never mix with the acme fixtures of the suite above.
  const APRIL = { since: '2026-04-01T00:00:00.000Z', until: '2026-04-08T00:00:00.000Z' };
  const PULLS = 40;
  let fake: FakeGitHub;
  let slow: SlowProxy;
  let runtimes: Runtime[] = [];
  let workers: RunningWorker[] = [];

  beforeAll(async () => {
    fake = await startFake(manyPullRequests(PULLS, APRIL));
    // Each request held 50 ms: a job lasts long enough for both workers to be busy at once.
    slow = await SlowProxy.start(fake.url, 50);
    const vars = await serviceVars(s3!, { redisUrl: withDb(redis!, 9) });
    // Two runtimes = two sets of Redis and S3 connections, as two processes would have.
    runtimes = [runtimeFrom(vars), runtimeFrom(vars)];
    await resetQueues(runtimes[0]!);
    await runtimes[0]!.configs.create(
      'gh-many',
      configFor(fake, { baseUrl: slow.url, requests: { graphqlSpacingMs: 0, pageSize: 10 } }),
      'test',
    );
    workers = await Promise.all(runtimes.map((runtime) => startWorker(runtime, { concurrency: 2 })));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(runtimes.map((r) => r.close()));
    await slow?.close();
    await fake?.close();
  });

  it('never double-stores: each record exists once, in exactly one run manifest, and the runs chain', async () => {
    const expected = await expectedIds(fake, 'pull_request_approvals', { window: APRIL });
    expect(expected).toHaveLength(PULLS);
    const completedBy = workers.map(() => 0);
    workers.forEach((w, i) => {
      w.workers[0]!.on('completed', () => {
        completedBy[i]! += 1;
      });
    });
    // Eight jobs over overlapping windows (each covers every PR): eight runs racing for the same 40 records.
    const ids: string[] = [];
    for (let k = 0; k < 8; k++) {
      const until = new Date(Date.parse(APRIL.until) + k * 60_000).toISOString();
      ids.push(
        await runtimes[0]!.collectQueue.enqueue(
          collectJob('gh-many', { window: { since: APRIL.since, until } }),
        ),
      );
    }
    const manifests: RunManifest[] = [];
    for (const id of ids) {
      const { state, job } = await settled(runtimes[0]!.collectQueue.queue, id, 60_000);
      expect(state).toBe('completed');
      manifests.push(job.returnvalue as RunManifest);
    }
    expect(completedBy.every((n) => n > 0)).toBe(true);

    const stored = await storedIds(runtimes[0]!.locker, 'github.pull_request.approval', {
      from: APRIL.since,
      to: '2026-04-09T00:00:00.000Z',
    });
    expect(stored).toEqual(expected);
    // Every record was stored by exactly one run; every other run saw it as a duplicate.
    const claimed = manifests.flatMap((m) => m.records.filter((r) => !r.duplicate).map((r) => r.id)).sort();
    expect(claimed).toEqual(expected);
    // ...and every run's manifest still vouches for all it met, with the hash of the one stored copy.
    const hashes = new Map(
      manifests.flatMap((m) => m.records.filter((r) => !r.duplicate).map((r) => [r.id, r.sha256])),
    );
    for (const manifest of manifests) {
      expect(manifest.records.map((r) => r.id).sort()).toEqual(expected);
      for (const r of manifest.records) expect(r.sha256).toBe(hashes.get(r.id));
    }
    for (const manifest of manifests) {
      expect(manifest.collectors[0]!.stored + manifest.collectors[0]!.duplicates).toBe(PULLS);
    }
    const chain = await runtimes[0]!.locker.runs.verifyChain('gh-many');
    expect(chain.problems).toEqual([]);
    expect(chain.checked).toBeGreaterThanOrEqual(ids.length);
    expect(new Set(manifests.map((m) => m.sequence)).size).toBe(ids.length);
  });
});
