import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Signature } from '../src/index.js';
import { services, startTestApp, type TestApp } from './helpers.js';
import { example, mergedPullRequest } from './webhook-examples.js';

const SECRET = 'whsec-github-0123456789abcdef';
const LIMIT = 100_000;

describe.skipIf(!services)('Webhooks', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 13, env: { CROSSWALK_WEBHOOK_BODY_LIMIT: String(LIMIT) } });
    const github = { type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_webhooks' } };
    await t.runtime.configs.create('gh', { ...github, webhookSecret: SECRET }, 'test');
    await t.runtime.configs.create('gh-nosecret', github, 'test');
  });
  afterAll(() => t?.close());

  const webhookJobs = () => t.runtime.webhookQueue.queue.getJobs(['waiting', 'delayed', 'active']);
  const collectJobs = () => t.runtime.collectQueue.queue.getJobs(['waiting', 'delayed', 'active']);

  function deliver(
    options: {
      connector?: string;
      event?: string;
      delivery?: string;
      body?: string | Buffer;
      secret?: string | null;
      signature?: string;
      contentType?: string;
    } = {},
  ) {
    const body = options.body ?? JSON.stringify(example('ping'));
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/json',
      'x-github-event': options.event ?? 'ping',
      'x-github-delivery': options.delivery ?? randomUUID(),
      'user-agent': 'GitHub-Hookshot/044aadd',
    };
    const signature =
      options.signature ??
      (options.secret === null ? undefined : sha256Signature(options.secret ?? SECRET, Buffer.from(body)));
    if (signature !== undefined) headers['x-hub-signature-256'] = signature;
    return t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${options.connector ?? 'gh'}/github`,
      headers,
      payload: body,
    });
  }

  describe('from GitHub', () => {
    it('answers 202 and enqueues one job for a signed pull_request delivery', async () => {
      const delivery = randomUUID();
      const payload = mergedPullRequest('acme/api', 1);
      const response = await deliver({ event: 'pull_request', delivery, body: JSON.stringify(payload) });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ outcome: 'enqueued', duplicate: false, deliveryId: delivery });
      const job = await t.runtime.webhookQueue.queue.getJob(response.json().jobId);
      expect(job?.data).toMatchObject({
        connectorId: 'gh',
        event: 'pull_request',
        deliveryId: delivery,
        payload,
      });
    });

    it('verifies the exact bytes received, not a re-serialization of them', async () => {
      const body = JSON.stringify(example('pull_request', 'opened'), null, 2);
      const response = await deliver({ event: 'pull_request', body });
      expect(response.statusCode).toBe(202);
      expect(response.json().outcome).toBe('enqueued');
    });

    it('takes the form-encoded content type GitHub also offers', async () => {
      const body = new URLSearchParams({
        payload: JSON.stringify(example('pull_request', 'closed')),
      }).toString();
      const response = await deliver({
        event: 'pull_request',
        body,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(response.statusCode).toBe(202);
      expect((await t.runtime.webhookQueue.queue.getJob(response.json().jobId))?.data.payload.action).toBe(
        'closed',
      );
    });

    it('acknowledges a replayed delivery as a duplicate and adds no second job', async () => {
      const delivery = randomUUID();
      const body = JSON.stringify(mergedPullRequest('acme/api', 2));
      const first = await deliver({ event: 'pull_request', delivery, body });
      const before = (await webhookJobs()).length;
      const replay = await deliver({ event: 'pull_request', delivery, body });
      expect(first.statusCode).toBe(202);
      expect(replay.statusCode).toBe(202);
      expect(replay.json()).toMatchObject({
        outcome: 'duplicate',
        duplicate: true,
        jobId: first.json().jobId,
      });
      expect((await webhookJobs()).length).toBe(before);
    });

    describe('when the delivery is not authentic', () => {
      const body = JSON.stringify(mergedPullRequest('acme/api', 3));
      it.each([
        ['signed with another secret', { secret: 'not-the-secret-at-all' }],
        ['unsigned', { secret: null }],
        ['signed with SHA-1 only', { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }],
        [
          'signed with a truncated signature',
          { signature: sha256Signature(SECRET, Buffer.from(body)).slice(0, 40) },
        ],
        ['for a connector without a webhook secret', { connector: 'gh-nosecret', secret: '' }],
        ['for a connector that does not exist', { connector: 'nobody' }],
      ])('answers 401 and enqueues nothing when %s', async (_name, options) => {
        const delivery = randomUUID();
        const response = await deliver({ event: 'pull_request', delivery, body, ...options });
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('CW_UNAUTHORIZED');
        expect((await webhookJobs()).some((job) => job.data.deliveryId === delivery)).toBe(false);
      });
    });

    it('answers 400 for malformed JSON, signed, and enqueues nothing', async () => {
      const delivery = randomUUID();
      const response = await deliver({ event: 'pull_request', delivery, body: '{"action": "closed",' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('CW_INPUT_INVALID');
      expect((await webhookJobs()).some((job) => job.data.deliveryId === delivery)).toBe(false);
    });

    it('answers 400 for a signed delivery without a delivery id', async () => {
      const response = await deliver({ event: 'pull_request', delivery: '' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.issues).toEqual([
        { path: 'headers.delivery', message: expect.any(String) },
      ]);
    });

    it('answers 413 for a body over CROSSWALK_WEBHOOK_BODY_LIMIT, before looking at it', async () => {
      const payload = mergedPullRequest('acme/api', 4);
      payload.pull_request.body = 'x'.repeat(LIMIT);
      const response = await deliver({ event: 'pull_request', body: JSON.stringify(payload) });
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('CW_PAYLOAD_TOO_LARGE');
    });

    it('acknowledges ping with 202 and no job', async () => {
      const before = (await webhookJobs()).length;
      const response = await deliver({ event: 'ping', body: JSON.stringify(example('ping')) });
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ outcome: 'ping', jobId: null });
      expect((await webhookJobs()).length).toBe(before);
    });

    it('acknowledges an event type it does not handle, enqueues nothing and logs it once', async () => {
      const before = (await webhookJobs()).length;
      for (const action of ['created', 'deleted', 'created']) {
        const response = await deliver({ event: 'star', body: JSON.stringify(example('star', action)) });
        expect(response.statusCode).toBe(202);
        expect(response.json()).toMatchObject({ outcome: 'ignored', jobId: null });
      }
      expect((await webhookJobs()).length).toBe(before);
      const logged = t.logs.filter((line) => line.includes('not handled') && line.includes('"event":"star"'));
      expect(logged).toHaveLength(1);
    });

    it('counts deliveries by source and outcome', async () => {
      const metrics = await t.runtime.metrics.registry.getSingleMetricAsString(
        'crosswalk_webhook_deliveries_total',
      );
      for (const outcome of [
        'enqueued',
        'duplicate',
        'ping',
        'ignored',
        'unauthorized',
        'invalid',
        'too_large',
      ]) {
        expect(metrics).toMatch(new RegExp(`source="github",outcome="${outcome}"} [1-9]`));
      }
    });

    it('never logs the secret or a signature', () => {
      const text = t.logs.join('\n');
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/sha256=[0-9a-f]{64}/);
    });
  });

  describe('from the generic signed webhook', () => {
    function generic(
      options: { collector?: string; delivery?: string; body?: string; secret?: string } = {},
    ) {
      const body = options.body ?? '';
      return t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/gh/generic/${options.collector ?? 'org_members'}`,
        headers: {
          'content-type': 'application/json',
          'x-crosswalk-delivery': options.delivery ?? randomUUID(),
          'x-crosswalk-signature': sha256Signature(options.secret ?? SECRET, Buffer.from(body)),
        },
        payload: body,
      });
    }

    it('enqueues a collect job for the named collector, triggered by the delivery', async () => {
      const delivery = randomUUID();
      const response = await generic({
        collector: 'branch_protection',
        delivery,
        body: JSON.stringify({ since: '2026-03-01', until: '2026-03-02T00:00:00Z' }),
      });
      expect(response.statusCode).toBe(202);
      const job = await t.runtime.collectQueue.queue.getJob(response.json().jobId);
      expect(job?.data).toEqual({
        connectorId: 'gh',
        collector: 'branch_protection',
        window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-02T00:00:00.000Z' },
        filter: {},
        trigger: { type: 'webhook', deliveryId: delivery, event: 'generic' },
      });
    });

    it('acknowledges a replay as a duplicate without a second job', async () => {
      const delivery = randomUUID();
      const first = await generic({ delivery });
      const before = (await collectJobs()).length;
      const replay = await generic({ delivery });
      expect(first.statusCode).toBe(202);
      expect(replay.json()).toMatchObject({
        outcome: 'duplicate',
        duplicate: true,
        jobId: first.json().jobId,
      });
      expect((await collectJobs()).length).toBe(before);
    });

    it('answers 401 for a bad signature and 400 for an unknown collector or a bad body', async () => {
      expect((await generic({ secret: 'wrong-secret-wrong-secret' })).statusCode).toBe(401);
      const unknown = await generic({ collector: 'nope' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.issues[0].path).toBe('params.collector');
      const bad = await generic({ body: JSON.stringify({ since: 'yesterday', extra: 1 }) });
      expect(bad.statusCode).toBe(400);
      expect(
        bad
          .json()
          .error.issues.map((i: { path: string }) => i.path)
          .sort(),
      ).toEqual(['body', 'body.since', 'body.until'].sort());
    });
  });
});
