import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Signature } from '../src/index.js';
import { createWebhookSenders, services, startTestApp, type TestApp } from './helpers.js';
import {
  example,
  graphUserNotification,
  jiraIssueUpdated,
  mergedPullRequest,
  oktaEventHook,
} from './webhook-examples.js';

const SECRET = 'whsec-github-0123456789abcdef';
/** Okta sends the hook's "Authentication secret" verbatim as Authorization; a Basic value is what Okta's guide uses. */
const OKTA_SECRET = 'Basic Y3Jvc3N3YWxrOm9rdGEtaG9vay1zZWNyZXQ=';
const JIRA_SECRET = 'jira-webhook-secret-0123456789abcdef';
/** The clientState given to Graph when the subscription was created. */
const GRAPH_CLIENT_STATE = 'graph-client-state-6f1d2c9a84b7';
const LIMIT = 100_000;

describe.skipIf(!services)('Webhooks', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 13, env: { CROSSWALK_WEBHOOK_BODY_LIMIT: String(LIMIT) } });
    await createWebhookSenders(
      t.runtime,
      { github: 'gh', okta: 'okta', jira: 'jira', entra: 'entra' },
      { github: SECRET, okta: OKTA_SECRET, jira: JIRA_SECRET, entra: GRAPH_CLIENT_STATE },
    );
    await createWebhookSenders(t.runtime, {
      github: 'gh-nosecret',
      okta: 'okta-nosecret',
      jira: 'jira-nosecret',
      entra: 'entra-nosecret',
    });
  });
  afterAll(() => t?.close());

  const webhookJobs = () => t.runtime.webhookQueue.queue.getJobs(['waiting', 'delayed', 'active']);
  const collectJobs = () => t.runtime.collectQueue.queue.getJobs(['waiting', 'delayed', 'active']);

  type Answer = Awaited<ReturnType<typeof deliver>>;

  /** A delivery acknowledged with 202 whose one job carries what the worker needs. */
  async function expectEnqueued(
    response: Answer,
    job: { connectorId: string; event: string; deliveryId: string; payload: unknown },
  ) {
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({
      outcome: 'enqueued',
      duplicate: false,
      deliveryId: job.deliveryId,
      event: job.event,
    });
    const queued = await t.runtime.webhookQueue.queue.getJob(response.json().jobId);
    expect(queued?.data).toMatchObject(job);
  }

  /** The same delivery sent twice: enqueued once, the second acknowledged as its duplicate with no second job. */
  async function expectRetryIsDuplicate(send: () => Promise<Answer>, jobs = webhookJobs) {
    const first = await send();
    const before = (await jobs()).length;
    const retry = await send();
    expect(first.json()).toMatchObject({ outcome: 'enqueued' });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ outcome: 'duplicate', duplicate: true, jobId: first.json().jobId });
    expect((await jobs()).length).toBe(before);
  }

  /** A delivery refused as not authentic: 401, and no job carries its id. */
  async function expectRefused(response: Answer, deliveryId: string) {
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('CW_UNAUTHORIZED');
    expect((await webhookJobs()).some((job) => job.data.deliveryId === deliveryId)).toBe(false);
  }

  /** Deliveries of an event the sender's connector does not handle: acknowledged, no job, logged once. */
  async function expectIgnoredAndLoggedOnce(event: string, send: () => Promise<Answer>, times = 2) {
    const before = (await webhookJobs()).length;
    for (let i = 0; i < times; i++) {
      const response = await send();
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ outcome: 'ignored', jobId: null });
    }
    expect((await webhookJobs()).length).toBe(before);
    const logged = t.logs.filter(
      (line) => line.includes('not handled') && line.includes(`"event":"${event}"`),
    );
    expect(logged).toHaveLength(1);
  }

  /** Each outcome was counted at least once under the source, and the secret never reached a log line. */
  async function expectCountedNotLogged(source: string, outcomes: string[], secret: string) {
    const metrics = await t.runtime.metrics.registry.getSingleMetricAsString(
      'crosswalk_webhook_deliveries_total',
    );
    for (const outcome of outcomes) {
      expect(metrics).toMatch(new RegExp(`source="${source}",outcome="${outcome}"} [1-9]`));
    }
    expect(t.logs.join('\n')).not.toContain(secret);
  }

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
      await expectEnqueued(response, {
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
      await expectRetryIsDuplicate(() => deliver({ event: 'pull_request', delivery, body }));
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
        await expectRefused(await deliver({ event: 'pull_request', delivery, body, ...options }), delivery);
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
        { path: 'headers.x-github-delivery', message: expect.any(String) },
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
      const actions = ['created', 'deleted', 'created'];
      await expectIgnoredAndLoggedOnce(
        'star',
        () => deliver({ event: 'star', body: JSON.stringify(example('star', actions.shift())) }),
        3,
      );
    });

    it('counts deliveries by source and outcome, and never logs the secret or a signature', async () => {
      const outcomes = ['enqueued', 'duplicate', 'ping', 'ignored', 'unauthorized', 'invalid', 'too_large'];
      await expectCountedNotLogged('github', outcomes, SECRET);
      expect(t.logs.join('\n')).not.toMatch(/sha256=[0-9a-f]{64}/);
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
      await expectRetryIsDuplicate(() => generic({ delivery }), collectJobs);
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

  describe('from Okta event hooks', () => {
    function hook(
      options: {
        connector?: string;
        body?: string;
        authorization?: string | null;
        contentType?: string;
      } = {},
    ) {
      const headers: Record<string, string> = {
        'content-type': options.contentType ?? 'application/json',
        accept: 'application/json',
        'user-agent': 'Okta Event Hooks',
      };
      const authorization = options.authorization === undefined ? OKTA_SECRET : options.authorization;
      if (authorization !== null) headers.authorization = authorization;
      return t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${options.connector ?? 'okta'}/okta`,
        headers,
        payload: options.body ?? JSON.stringify(oktaEventHook()),
      });
    }

    function verification(
      options: { connector?: string; challenge?: string | null; authorization?: string | null } = {},
    ) {
      const headers: Record<string, string> = {};
      const authorization = options.authorization === undefined ? OKTA_SECRET : options.authorization;
      if (authorization !== null) headers.authorization = authorization;
      const challenge =
        options.challenge === undefined ? 'Wl8Q6Tl7Dd5rG2hpq0wtfSMWZ1YOA8ePw4Bq1Wqe' : options.challenge;
      if (challenge !== null) headers['x-okta-verification-challenge'] = challenge;
      return t.app.inject({
        method: 'GET',
        url: `/v1/webhooks/${options.connector ?? 'okta'}/okta`,
        headers,
      });
    }

    const withEventId = (eventId: string) => JSON.stringify({ ...oktaEventHook(), eventId });

    describe('the one-time verification GET', () => {
      it('echoes X-Okta-Verification-Challenge as {verification} and enqueues nothing', async () => {
        const before = (await webhookJobs()).length;
        const response = await verification({ challenge: 'Wl8Q6Tl7Dd5rG2hpq0wtfSMWZ1YOA8ePw4Bq1Wqe' });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.json()).toEqual({ verification: 'Wl8Q6Tl7Dd5rG2hpq0wtfSMWZ1YOA8ePw4Bq1Wqe' });
        expect((await webhookJobs()).length).toBe(before);
      });

      it.each([
        ['with another Authorization value', { authorization: 'Basic bm90LXRoZS1zZWNyZXQtYXQtYWxs' }],
        [
          'with the secret as a Bearer token instead of the exact value',
          { authorization: `Bearer ${OKTA_SECRET}` },
        ],
        ['without Authorization', { authorization: null }],
        ['for a connector without a webhook secret', { connector: 'okta-nosecret' }],
        ['for a GitHub connector', { connector: 'gh' }],
        ['for a connector that does not exist', { connector: 'nobody' }],
      ])('answers 401 %s, challenge or not', async (_name, options) => {
        const response = await verification(options);
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('CW_UNAUTHORIZED');
        expect(response.body).not.toContain('Wl8Q6Tl7');
      });

      it.each([
        ['missing', null],
        ['empty', ''],
        ['with spaces', 'two words'],
        ['too long', 'x'.repeat(513)],
      ])('answers 400 when the challenge is %s', async (_name, challenge) => {
        const response = await verification({ challenge });
        expect(response.statusCode).toBe(400);
        expect(response.json().error.issues).toEqual([
          { path: 'headers.x-okta-verification-challenge', message: expect.any(String) },
        ]);
      });
    });

    it("answers 202 and enqueues one job for Okta's documented delivery, deduplicated on its eventId", async () => {
      const eventId = randomUUID();
      await expectEnqueued(await hook({ body: withEventId(eventId) }), {
        connectorId: 'okta',
        event: 'com.okta.event_hook',
        deliveryId: eventId,
        payload: { ...oktaEventHook(), eventId },
      });
    });

    it("acknowledges Okta's retry of a delivery (same eventId) as a duplicate, with no second job", async () => {
      const body = withEventId(randomUUID());
      await expectRetryIsDuplicate(() => hook({ body }));
    });

    describe('when the delivery is not authentic', () => {
      it.each([
        ['with another Authorization value', { authorization: 'Basic bm90LXRoZS1zZWNyZXQtYXQtYWxs' }],
        ['with the secret plus a suffix', { authorization: `${OKTA_SECRET}x` }],
        ['without Authorization', { authorization: null }],
        ['for a connector without a webhook secret', { connector: 'okta-nosecret' }],
        ['for a Jira connector', { connector: 'jira' }],
        ['for a connector that does not exist', { connector: 'nobody' }],
      ])('answers 401 and enqueues nothing %s', async (_name, options) => {
        const eventId = randomUUID();
        await expectRefused(await hook({ body: withEventId(eventId), ...options }), eventId);
      });
    });

    it('answers 400 for malformed JSON, and for an envelope without its eventId, naming the field', async () => {
      const bad = await hook({ body: '{"eventType": "com.okta.event_hook",' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('CW_INPUT_INVALID');
      const { eventId: _dropped, ...noId } = oktaEventHook();
      const missing = await hook({ body: JSON.stringify(noId) });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.eventId']);
      const noEvents = await hook({ body: JSON.stringify({ ...oktaEventHook(), data: {} }) });
      expect(noEvents.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.data.events']);
    });

    it('answers 413 for a body over the limit', async () => {
      const payload = oktaEventHook();
      payload.data.events[0].displayMessage = 'x'.repeat(LIMIT);
      const response = await hook({ body: JSON.stringify(payload) });
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('CW_PAYLOAD_TOO_LARGE');
    });

    it('acknowledges an envelope type it does not handle, enqueues nothing and logs it once', async () => {
      await expectIgnoredAndLoggedOnce('com.okta.other', () =>
        hook({
          body: JSON.stringify({ ...oktaEventHook(), eventId: randomUUID(), eventType: 'com.okta.other' }),
        }),
      );
    });

    it('counts deliveries and verifications under source okta, and never logs the secret', async () => {
      const outcomes = ['enqueued', 'duplicate', 'ignored', 'verified', 'unauthorized', 'invalid'];
      await expectCountedNotLogged('okta', outcomes, OKTA_SECRET);
      expect(t.logs.join('\n')).not.toContain('Y3Jvc3N3YWxr');
    });
  });

  describe('from Microsoft Graph change notifications', () => {
    /** A notification as Graph POSTs it; a fresh subscription id keeps its derived delivery id this test's own. */
    function notification(options: { clientState?: string; subscriptionId?: string } = {}) {
      const body = graphUserNotification(options.clientState ?? GRAPH_CLIENT_STATE);
      body.value[0].subscriptionId = options.subscriptionId ?? randomUUID();
      return body;
    }

    function notify(options: { connector?: string; body?: string; contentType?: string } = {}) {
      return t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${options.connector ?? 'entra'}/entra`,
        headers: { 'content-type': options.contentType ?? 'application/json; charset=utf-8' },
        payload: options.body ?? JSON.stringify(notification()),
      });
    }

    function validation(token: string, connector = 'entra') {
      return t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${connector}/entra?validationToken=${encodeURIComponent(token)}`,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }

    const TOKEN = 'Validation: Testing client application reachability for subscription Request-Id: 7d6a';

    describe('the subscription validation POST', () => {
      it('echoes validationToken as text/plain, without a credential, and enqueues nothing', async () => {
        const before = (await webhookJobs()).length;
        const response = await validation(TOKEN);
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/plain/);
        expect(response.body).toBe(TOKEN);
        expect((await webhookJobs()).length).toBe(before);
      });

      it('answers the same for any connector id, so an unauthenticated caller learns nothing about which exist', async () => {
        const response = await validation(TOKEN, 'nobody');
        expect(response.statusCode).toBe(200);
        expect(response.body).toBe(TOKEN);
      });

      it.each([
        ['empty', ''],
        ['markup', '<script>alert(1)</script>'],
        ['too long', 'x'.repeat(1025)],
      ])('answers 400 naming query.validationToken when the token is %s', async (_name, token) => {
        const response = await validation(token);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.issues).toEqual([
          { path: 'query.validationToken', message: expect.any(String) },
        ]);
        expect(response.body).not.toContain('<script>');
      });
    });

    it('answers 202 and enqueues one job per notification, its delivery id derived from the items', async () => {
      const body = notification();
      const response = await notify({ body: JSON.stringify(body) });
      expect(response.statusCode).toBe(202);
      const { deliveryId } = response.json();
      expect(deliveryId).toMatch(/^graph-[0-9a-f]{64}$/);
      await expectEnqueued(response, { connectorId: 'entra', event: 'updated', deliveryId, payload: body });
    });

    it("acknowledges Graph's retry of a notification as a duplicate, however it is serialised", async () => {
      const body = notification();
      await expectRetryIsDuplicate(() => notify({ body: JSON.stringify(body) }));
      const respaced = await notify({ body: JSON.stringify(body, null, 2) });
      expect(respaced.json()).toMatchObject({ outcome: 'duplicate' });
      // Another subscription's notification of the same user is another delivery.
      const other = await notify({
        body: JSON.stringify({ ...body, value: [{ ...body.value[0], subscriptionId: randomUUID() }] }),
      });
      expect(other.json()).toMatchObject({ outcome: 'enqueued' });
    });

    describe("when the clientState is not the connector's", () => {
      const wrong = 'graph-client-state-guessed-000000';
      it.each([
        [
          'with another clientState',
          () => notify({ body: JSON.stringify(notification({ clientState: wrong })) }),
        ],
        [
          'without clientState',
          () => {
            const body = notification();
            delete body.value[0].clientState;
            return notify({ body: JSON.stringify(body) });
          },
        ],
        [
          'when one item of several carries another',
          () => {
            const body = notification();
            body.value.push({
              ...body.value[0],
              clientState: wrong,
              resource: 'Users/00000000-0000-4000-a000-000000000000',
            });
            return notify({ body: JSON.stringify(body) });
          },
        ],
        ['for a connector without a webhook secret', () => notify({ connector: 'entra-nosecret' })],
        ['for an Okta connector', () => notify({ connector: 'okta' })],
        ['for a connector that does not exist', () => notify({ connector: 'nobody' })],
        ['when the body is not JSON', () => notify({ body: '{"value": [' })],
      ])('answers 401 naming the field and enqueues nothing %s', async (_name, send) => {
        const before = (await webhookJobs()).length;
        const response = await send();
        expect(response.statusCode).toBe(401);
        expect(response.json().error).toMatchObject({
          code: 'CW_UNAUTHORIZED',
          where: 'body.value[].clientState',
        });
        expect(response.body).not.toContain(GRAPH_CLIENT_STATE);
        expect(response.body).not.toContain(wrong);
        expect((await webhookJobs()).length).toBe(before);
      });
    });

    it('acknowledges a lifecycle notification with no job and logs every one', async () => {
      const before = (await webhookJobs()).length;
      const body = notification();
      const { changeType: _change, resource: _resource, resourceData: _data, ...rest } = body.value[0];
      for (const lifecycleEvent of ['reauthorizationRequired', 'reauthorizationRequired']) {
        const response = await notify({ body: JSON.stringify({ value: [{ ...rest, lifecycleEvent }] }) });
        expect(response.statusCode).toBe(202);
        expect(response.json()).toMatchObject({
          outcome: 'notice',
          event: 'reauthorizationRequired',
          jobId: null,
        });
      }
      expect((await webhookJobs()).length).toBe(before);
      const logged = t.logs.filter(
        (line) => line.includes('subscription notice') && line.includes('"event":"reauthorizationRequired"'),
      );
      expect(logged).toHaveLength(2);
    });

    it('counts notifications and validations under source entra, and never logs the clientState', async () => {
      const outcomes = ['enqueued', 'duplicate', 'notice', 'verified', 'unauthorized', 'invalid'];
      await expectCountedNotLogged('entra', outcomes, GRAPH_CLIENT_STATE);
    });
  });

  describe('from Jira webhooks', () => {
    function jira(
      options: {
        connector?: string;
        body?: string;
        delivery?: string | null;
        secret?: string | null;
        signatureHeader?: string;
      } = {},
    ) {
      const body = options.body ?? JSON.stringify(jiraIssueUpdated());
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-flow': 'Primary',
      };
      const delivery = options.delivery === undefined ? randomUUID() : options.delivery;
      if (delivery !== null) headers['x-atlassian-webhook-identifier'] = delivery;
      if (options.secret !== null) {
        headers[options.signatureHeader ?? 'x-hub-signature'] = sha256Signature(
          options.secret ?? JIRA_SECRET,
          Buffer.from(body),
        );
      }
      return t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${options.connector ?? 'jira'}/jira`,
        headers,
        payload: body,
      });
    }

    it("answers 202 and enqueues one job for Atlassian's documented jira:issue_updated delivery", async () => {
      const delivery = randomUUID();
      await expectEnqueued(await jira({ delivery }), {
        connectorId: 'jira',
        event: 'jira:issue_updated',
        deliveryId: delivery,
        payload: jiraIssueUpdated(),
      });
    });

    it('takes jira:issue_created too', async () => {
      const body = JSON.stringify({ ...jiraIssueUpdated(), webhookEvent: 'jira:issue_created' });
      const response = await jira({ body });
      expect(response.json()).toMatchObject({ outcome: 'enqueued', event: 'jira:issue_created' });
    });

    it('acknowledges a retry (same X-Atlassian-Webhook-Identifier) as a duplicate, with no second job', async () => {
      const delivery = randomUUID();
      await expectRetryIsDuplicate(() => jira({ delivery }));
    });

    describe('when the delivery is not authentic', () => {
      it.each([
        ['signed with another secret', { secret: 'not-the-jira-secret-at-all' }],
        ['unsigned', { secret: null }],
        ["signed in GitHub's header instead of X-Hub-Signature", { signatureHeader: 'x-hub-signature-256' }],
        ['for a connector without a webhook secret', { connector: 'jira-nosecret' }],
        ['for an Okta connector', { connector: 'okta' }],
        ['for a connector that does not exist', { connector: 'nobody' }],
      ])('answers 401 and enqueues nothing when %s', async (_name, options) => {
        const delivery = randomUUID();
        await expectRefused(await jira({ delivery, ...options }), delivery);
      });
    });

    it('answers 400 for malformed JSON, a missing delivery id, or an issue event without an issue key', async () => {
      const bad = await jira({ body: '{"webhookEvent": "jira:issue_updated",' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('CW_INPUT_INVALID');
      const anonymous = await jira({ delivery: null });
      expect(anonymous.statusCode).toBe(400);
      expect(anonymous.json().error.issues).toEqual([
        { path: 'headers.x-atlassian-webhook-identifier', message: expect.any(String) },
      ]);
      const keyless = await jira({ body: JSON.stringify({ ...jiraIssueUpdated(), issue: { id: '99291' } }) });
      expect(keyless.statusCode).toBe(400);
      expect(keyless.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.issue.key']);
      const injected = await jira({
        body: JSON.stringify({ ...jiraIssueUpdated(), issue: { key: 'IT-1" OR project = HR' } }),
      });
      expect(injected.statusCode).toBe(400);
    });

    it('answers 413 for a body over the limit', async () => {
      const payload = jiraIssueUpdated();
      payload.issue.fields.description = 'x'.repeat(LIMIT);
      const response = await jira({ body: JSON.stringify(payload) });
      expect(response.statusCode).toBe(413);
    });

    it('acknowledges other Jira events, enqueues nothing and logs each once', async () => {
      await expectIgnoredAndLoggedOnce('comment_created', () =>
        jira({ body: JSON.stringify({ ...jiraIssueUpdated(), webhookEvent: 'comment_created' }) }),
      );
    });

    it('counts deliveries under source jira, and never logs the secret or a signature', async () => {
      const outcomes = ['enqueued', 'duplicate', 'ignored', 'unauthorized', 'invalid', 'too_large'];
      await expectCountedNotLogged('jira', outcomes, JIRA_SECRET);
      expect(t.logs.join('\n')).not.toMatch(/sha256=[0-9a-f]{64}/);
    });
  });
});
