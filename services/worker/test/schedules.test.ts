import { type CollectJob, CollectQueue, collectJobId, type Runtime, SCHEDULED_JOB } from '@crosswalk/runtime';
import { redisTestUrl } from '@crosswalk/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handOffScheduled } from '../src/process-collect.js';
import { withDb } from './helpers.js';

const redis = await redisTestUrl();

describe.skipIf(!redis)('scheduled collections', () => {
  const collectQueue = redis ? new CollectQueue({ url: withDb(redis, 5) }) : undefined;
  const runtime = { collectQueue } as unknown as Runtime;
  const scheduled: CollectJob = {
    connectorId: 'acme',
    collector: 'org_members',
    window: null,
    filter: {},
    trigger: { type: 'schedule', scheduler: 'schedule|acme|org_members' },
  };

  beforeEach(() => collectQueue!.queue.obliterate({ force: true }));
  afterAll(() => collectQueue?.close());

  it('are declared as hand-off jobs, not as collections', async () => {
    const { githubConnector } = await import('@crosswalk/connector-github');
    await collectQueue!.declareSchedules('acme', githubConnector);
    const schedulers = await collectQueue!.queue.getJobSchedulers(0, -1);
    expect(schedulers.length).toBe(githubConnector.collectors.length);
    for (const scheduler of schedulers) expect(scheduler.name).toBe(SCHEDULED_JOB);
    for (const scheduler of schedulers) await collectQueue!.queue.removeJobScheduler(scheduler.key);
  });

  it('join a waiting manual run of the same collector instead of running beside it', async () => {
    const manual = await collectQueue!.enqueue({ ...scheduled, trigger: { type: 'manual', by: 'key:ops' } });
    const handed = await handOffScheduled(runtime, scheduled);
    expect(handed.enqueued).toBe(manual);
    const waiting = await collectQueue!.queue.getWaiting();
    expect(waiting.map((job) => job.id)).toEqual([manual]);
    expect(await collectQueue!.queue.getDeduplicationJobId(collectJobId(scheduled))).toBe(manual);
  });

  it('queue their collection, with the schedule as its trigger, when nothing else is pending', async () => {
    const handed = await handOffScheduled(runtime, scheduled);
    const job = await collectQueue!.queue.getJob(handed.enqueued);
    expect(job?.name).toBe('collect');
    expect(job?.data).toEqual(scheduled);
  });

  it('refuse a malformed scheduled job for good', async () => {
    await expect(handOffScheduled(runtime, { ...scheduled, collector: '' })).rejects.toMatchObject({
      name: 'UnrecoverableError',
    });
  });
});
