import { randomUUID } from 'node:crypto';
import { githubConnector } from '@crosswalk/connector-github';
import { jiraConnector } from '@crosswalk/connector-jira';
import type { ConnectorDefinition } from '@crosswalk/core';
import {
  type CollectJob,
  CollectQueue,
  collectJobId,
  collectJobSchema,
  redisOptions,
  schedulerId,
  WebhookQueue,
} from '@crosswalk/runtime';
import { redisTestUrl } from '@crosswalk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DELIVERY_CLAIM_SECONDS } from '../src/jobs.js';
import { withDb } from './helpers.js';

// Redis database 8 of the shared test Redis (declarative.test.ts shares it and adds no jobs; services/api's
// tests use 10..15).
const base = await redisTestUrl();
const url = base ? withDb(base, 8) : undefined;
const github = githubConnector as unknown as ConnectorDefinition;

const job = (extra: Partial<CollectJob> = {}): CollectJob => ({
  connectorId: 'gh-acme',
  collector: 'pull_request_approvals',
  window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' },
  filter: {},
  trigger: { type: 'manual', by: 'key:op' },
  ...extra,
});

describe('redisOptions', () => {
  it('takes host, port, database and credentials from the URL, and waits out Redis restarts', () => {
    expect(redisOptions('redis://user:p%40ss@redis.internal:6380/9')).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 9,
      maxRetriesPerRequest: null,
    });
    expect(redisOptions('redis://127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 6379,
      maxRetriesPerRequest: null,
    });
  });
});

describe('collectJobId', () => {
  it('is the same for the same connector, collector, window and filter, whatever the filter order', () => {
    const a = collectJobId(job({ filter: { repository: 'acme/api', number: '7' } }));
    const b = collectJobId(job({ filter: { number: '7', repository: 'acme/api' } }));
    expect(a).toBe(b);
  });

  it('differs by window, collector, connector and filter, and never holds a colon', () => {
    const ids = new Set([
      collectJobId(job()),
      collectJobId(job({ window: null })),
      collectJobId(job({ collector: 'org_members' })),
      collectJobId(job({ connectorId: 'gh-other' })),
      collectJobId(job({ filter: { repository: 'acme/api', number: '7' } })),
    ]);
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).not.toContain(':');
  });

  it('does not depend on the trigger: a webhook and a schedule asking for the same work share one job', () => {
    expect(collectJobId(job({ trigger: { type: 'webhook', deliveryId: 'd1', event: 'pull_request' } }))).toBe(
      collectJobId(job({ trigger: { type: 'schedule', scheduler: 's' } })),
    );
  });
});

describe.skipIf(!url)('the queues (real Redis)', () => {
  let collect: CollectQueue;
  let webhook: WebhookQueue;

  beforeAll(() => {
    collect = new CollectQueue({ url: url! });
    webhook = new WebhookQueue({ url: url! });
  });

  beforeEach(async () => {
    await collect.queue.obliterate({ force: true });
    await webhook.queue.obliterate({ force: true });
    for (const scheduler of await collect.queue.getJobSchedulers(0, -1)) {
      await collect.queue.removeJobScheduler(scheduler.key);
    }
  });

  afterAll(async () => {
    await collect?.close();
    await webhook?.close();
  });

  describe('CollectQueue.enqueue', () => {
    it('collapses the same (connector, collector, window) enqueued twice into one job', async () => {
      const first = await collect.enqueue(job());
      const second = await collect.enqueue(
        job({ trigger: { type: 'webhook', deliveryId: 'd-2', event: 'pull_request' } }),
      );
      expect(second).toBe(first);
      expect(await collect.queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({
        waiting: 1,
        delayed: 0,
        active: 0,
      });
      // The first trigger is the one the job keeps.
      expect((await collect.queue.getJob(first))?.data.trigger).toEqual({ type: 'manual', by: 'key:op' });
    });

    it('keeps separate jobs for different windows', async () => {
      await collect.enqueue(job());
      await collect.enqueue(
        job({ window: { since: '2026-03-08T00:00:00.000Z', until: '2026-03-09T00:00:00.000Z' } }),
      );
      expect(await collect.queue.getWaitingCount()).toBe(2);
    });

    it('retries what can heal: 8 attempts with exponential backoff from 2 s', async () => {
      const stored = await collect.queue.getJob(await collect.enqueue(job()));
      expect(stored?.opts).toMatchObject({ attempts: 8, backoff: { type: 'exponential', delay: 2000 } });
    });

    it('refuses a malformed job before it reaches Redis', async () => {
      await expect(collect.enqueue({ ...job(), collector: '' })).rejects.toThrow();
      await expect(collect.enqueue({ ...job(), extra: 1 } as CollectJob)).rejects.toThrow();
      expect(await collect.queue.getWaitingCount()).toBe(0);
    });
  });

  describe('WebhookQueue.enqueue', () => {
    // Claims outlive the queue (obliterate leaves them), so every test takes fresh delivery ids.
    const delivery = () => ({
      connectorId: 'gh-acme',
      event: 'organization',
      deliveryId: randomUUID(),
      receivedAt: '2026-03-05T10:00:01.250Z',
      payload: { action: 'member_removed' },
    });
    const raw = async () =>
      (await webhook.queue.getBackend().client) as unknown as {
        get(key: string): Promise<string | null>;
        ttl(key: string): Promise<number>;
        del(...keys: string[]): Promise<number>;
        lrem(key: string, count: number, value: string): Promise<number>;
      };

    it('takes a delivery once: a replay of the same delivery id adds no second job', async () => {
      const delivery = {
        connectorId: 'gh-acme',
        event: 'organization',
        deliveryId: randomUUID(),
        receivedAt: '2026-03-05T10:00:01.250Z',
        payload: { action: 'member_removed' },
      };
      const first = await webhook.enqueue(delivery);
      const replay = await webhook.enqueue({ ...delivery, receivedAt: '2026-03-05T10:05:00.000Z' });
      expect(first).toEqual({ id: expect.any(String), duplicate: false });
      expect(replay).toEqual({ id: first.id, duplicate: true });
      expect(await webhook.queue.getWaitingCount()).toBe(1);
      // The same delivery id for another connector is another delivery.
      expect((await webhook.enqueue({ ...delivery, connectorId: 'gh-other' })).duplicate).toBe(false);
    });

    it('remembers the delivery in a claim of its own, not through the kept job', async () => {
      const first = delivery();
      const { id } = await webhook.enqueue(first);
      const redis = await raw();
      const key = webhook.claimKey(first.connectorId, first.deliveryId);
      expect(await redis.get(key)).toBe(id);
      expect(await redis.ttl(key)).toBeGreaterThan(DELIVERY_CLAIM_SECONDS - 60);
      // The job trimmed the way BullMQ trims finished jobs past their count or age (the job keys go, the claim
      // stays): the replay is still a duplicate.
      await redis.del(`${webhook.queue.qualifiedName}:${id}`);
      await redis.lrem(`${webhook.queue.qualifiedName}:wait`, 0, id);
      expect(await webhook.queue.getJob(id)).toBeUndefined();
      expect(await webhook.enqueue(first)).toEqual({ id, duplicate: true });
      expect(await webhook.queue.getWaitingCount()).toBe(0);
    });

    it('takes the delivery again once its claim is released (the job failed for good), under a new job id', async () => {
      const first = delivery();
      const { id } = await webhook.enqueue(first);
      // The old job stays (failed jobs are kept for inspection), so the new one needs an id of its own.
      expect(await webhook.releaseClaim({ id, ...first })).toBe(true);
      const again = await webhook.enqueue(first);
      expect(again.duplicate).toBe(false);
      expect(again.id).not.toBe(id);
      expect(await webhook.queue.getWaitingCount()).toBe(2);
      // Releasing the old job's claim again leaves the new claim alone.
      expect(await webhook.releaseClaim({ id, ...first })).toBe(false);
      expect(await webhook.enqueue(first)).toEqual({ id: again.id, duplicate: true });
    });

    it('claims and adds in one step: of concurrent enqueues of one delivery exactly one adds a job', async () => {
      const first = delivery();
      const results = await Promise.all(Array.from({ length: 8 }, () => webhook.enqueue(first)));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await webhook.queue.getWaitingCount()).toBe(1);
    });
  });

  describe('CollectQueue.declareSchedules', () => {
    it('declares one scheduler per collector: event kinds hourly, snapshots daily, in UTC', async () => {
      const ids = await collect.declareSchedules('acme', github);
      expect(ids).toEqual(github.collectors.map((c) => schedulerId('acme', c.id)));
      const schedulers = await collect.queue.getJobSchedulers(0, -1);
      const byKey = Object.fromEntries(schedulers.map((s) => [s.key, s]));
      expect(byKey[schedulerId('acme', 'pull_request_approvals')]).toMatchObject({
        pattern: '7 * * * *',
        tz: 'UTC',
      });
      expect(byKey[schedulerId('acme', 'org_members')]).toMatchObject({ pattern: '17 2 * * *', tz: 'UTC' });
      for (const scheduler of schedulers) {
        // What each scheduled job will carry is a valid collect job naming its scheduler.
        const data = collectJobSchema.parse(scheduler.template?.data);
        expect(data.trigger).toEqual({ type: 'schedule', scheduler: scheduler.key });
      }
    });

    it('is idempotent: re-declaring at every worker start leaves one scheduler and one next job each', async () => {
      await collect.declareSchedules('acme', github);
      await collect.declareSchedules('acme', github);
      await collect.declareSchedules('acme', github);
      expect(await collect.queue.getJobSchedulersCount()).toBe(github.collectors.length);
      expect(await collect.queue.getDelayedCount()).toBe(github.collectors.length);
    });
  });

  describe('CollectQueue.declareSchedules with the stored config', () => {
    const jira = jiraConnector as unknown as ConnectorDefinition;
    const kinds = {
      deprovisioning: { jql: 'project = IT AND issuetype = Offboarding' },
      accessReview: { jql: 'project = SEC' },
    };
    const keys = async () => (await collect.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();

    it('schedules no collector the config leaves unconfigured, and drops one whose kind was removed', async () => {
      // No provisioning JQL: its runs would be refused, so it gets no scheduler at all.
      const ids = await collect.declareSchedules('jira-acme', jira, { type: 'jira', kinds });
      expect(ids.sort()).toEqual(
        [
          schedulerId('jira-acme', 'deprovisioning_tickets'),
          schedulerId('jira-acme', 'access_review_tickets'),
        ].sort(),
      );
      expect(await keys()).toEqual(ids.sort());
      // The access review JQL is removed from the config: re-declaring removes its scheduler too.
      await collect.declareSchedules('jira-acme', jira, {
        type: 'jira',
        kinds: { deprovisioning: kinds.deprovisioning },
      });
      expect(await keys()).toEqual([schedulerId('jira-acme', 'deprovisioning_tickets')]);
    });
  });

  describe('CollectQueue.removeSchedules', () => {
    it("removes only that connector's schedulers, even when another id starts the same way", async () => {
      await collect.declareSchedules('acme', github);
      await collect.declareSchedules('acme-eu', github);
      await collect.declareSchedules('other', github);
      expect(await collect.removeSchedules('acme')).toBe(github.collectors.length);
      const left = (await collect.queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();
      expect(left).toEqual(
        [
          ...github.collectors.map((c) => schedulerId('acme-eu', c.id)),
          ...github.collectors.map((c) => schedulerId('other', c.id)),
        ].sort(),
      );
      // Nor is a next run of the removed connector left waiting to fire.
      const delayed = await collect.queue.getDelayed();
      expect(delayed.map((j) => j.data.connectorId).filter((id) => id === 'acme')).toEqual([]);
      expect(await collect.removeSchedules('acme')).toBe(0);
    });
  });
});
