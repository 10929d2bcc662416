import { randomUUID } from 'node:crypto';
import {
  audit,
  contoso,
  configFor as entraConfigFor,
  people as entraPeople,
  type FakeEntra,
  startFake as startFakeEntra,
  userChangeNotifications,
} from '@crosswalk/connector-entra/testing';
import { acme, configFor, startFake } from '@crosswalk/connector-github/testing';
import {
  acmeSite,
  type FakeJira,
  configFor as jiraConfigFor,
  startFakeJira,
} from '@crosswalk/connector-jira/testing';
import {
  eventHookOrg,
  type FakeOkta,
  configFor as oktaConfigFor,
  startFake as startFakeOkta,
} from '@crosswalk/connector-okta/testing';
import { type RunningWorker, startWorker } from '@crosswalk/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, signedDelivery, startTestApp, type TestApp } from './helpers.js';
import { jiraIssueUpdated, mergedPullRequest, oktaEventHook } from './webhook-examples.js';

const SECRET = 'whsec-end-to-end-0123456789';

/**
 * The issue's "done means": a signed GitHub `pull_request` closed+merged delivery -> 202 -> webhook job ->
 * collect job for that PR -> its approval record in the locker (Ceph RGW) -> returned by the evidence query for
 * CC8.1, naming the delivery that triggered it. Real Redis, real S3, a real worker, GitHub's loopback fake.
 */
/** What the queues and the log say, for a failure message: where did the delivery stop? */
async function diagnose(t: TestApp): Promise<string> {
  const queues = [t.runtime.webhookQueue.queue, t.runtime.collectQueue.queue];
  const lines: string[] = [];
  for (const queue of queues) {
    lines.push(`${queue.name}: ${JSON.stringify(await queue.getJobCounts())}`);
    for (const job of await queue.getJobs(['failed', 'active', 'waiting', 'delayed'])) {
      lines.push(`  ${job.id}: ${job.failedReason ?? ''} attempts=${job.attemptsMade}`);
    }
  }
  lines.push(...t.logs.filter((line) => /"level":(40|50)/.test(line)).slice(-20));
  return lines.join('\n');
}

describe.skipIf(!services)('End to end: a merged pull request delivery becomes CC8.1 evidence', () => {
  let t: TestApp;
  let worker: RunningWorker;
  let fake: Awaited<ReturnType<typeof startFake>>;

  beforeAll(async () => {
    t = await startTestApp({ db: 10 });
    fake = await startFake(acme());
    worker = await startWorker(t.runtime, { concurrency: 2, stalledIntervalMs: 5_000 });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await fake?.close();
  });

  it('stores and serves the approval within seconds, with the delivery as its trigger', async () => {
    const admin = t.bearer(t.tokens.admin);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: admin,
      payload: { id: 'github-acme', ...configFor(fake), webhookSecret: SECRET },
    });
    expect(created.statusCode).toBe(201);

    const delivery = randomUUID();
    const body = JSON.stringify(mergedPullRequest('acme/api', 1, '2026-03-02T10:00:00Z'));
    const started = Date.now();
    const ack = await t.app.inject(
      signedDelivery('github', {
        connector: 'github-acme',
        secret: SECRET,
        body,
        event: 'pull_request',
        delivery,
      }),
    );
    expect(ack.statusCode).toBe(202);
    expect(ack.json()).toMatchObject({ outcome: 'enqueued', deliveryId: delivery });

    type Item = {
      source: { ref: string };
      provenance: { trigger: unknown };
      payload: Record<string, unknown>;
    };
    let found: Item | undefined;
    while (!found && Date.now() - started < 15_000) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/evidence?framework=soc2-2017&control=CC8.1&from=2026-03-01&to=2026-04-01',
        headers: t.bearer(t.tokens.auditor),
      });
      expect(response.statusCode).toBe(200);
      found = (response.json().items as Item[]).find((item) => item.source.ref === 'acme/api#1');
      if (!found) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!found) console.error(await diagnose(t));
    expect(found, 'the approval record within 15 s').toBeDefined();
    expect(found!.provenance.trigger).toEqual({
      type: 'webhook',
      deliveryId: delivery,
      event: 'pull_request',
    });
    expect(found!.payload).toMatchObject({ approvedByNonAuthor: true, approvalOnFinalCommit: true });

    // The run that stored it is in the connector's history with the same trigger (its manifest is appended
    // after the records, so it may be a moment behind them).
    const expected = expect.objectContaining({
      trigger: { type: 'webhook', deliveryId: delivery, event: 'pull_request' },
      filter: { repository: 'acme/api', number: '1' },
      recordsStored: 1,
      status: 'succeeded',
    });
    let runs: unknown[] = [];
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; ) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/connectors/github-acme/runs',
        headers: t.bearer(t.tokens.operator),
      });
      runs = response.json().runs;
      if (runs.some((run) => expected.asymmetricMatch(run))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toContainEqual(expected);
  });
});

/**
 * The same path for the other senders: an Okta event hook delivery -> webhook job -> collect job for the
 * announced events -> read back from Okta's loopback System Log -> okta.user_lifecycle record; a signed Jira issue_updated delivery -> webhook job -> collect job for that key -> the ticket
 * read from Jira's loopback fake -> its record. Each record's provenance names the delivery.
 */
describe.skipIf(!services)('End to end: Okta event hooks and Jira webhooks become evidence', () => {
  const OKTA_SECRET = 'okta-hook-authorization-0123456789';
  const JIRA_SECRET = 'jira-hook-secret-0123456789abcdef';
  let t: TestApp;
  let worker: RunningWorker;
  let jira: FakeJira;
  let okta: FakeOkta;

  beforeAll(async () => {
    t = await startTestApp({ db: 10 });
    jira = await startFakeJira(acmeSite());
    okta = await startFakeOkta(eventHookOrg());
    worker = await startWorker(t.runtime, { concurrency: 2, stalledIntervalMs: 5_000 });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await jira?.close();
    await okta?.close();
  });

  type Item = { id: string; source: { ref: string }; provenance: { trigger: unknown }; occurredAt: string };

  async function waitFor(url: string, ref: string): Promise<Item | undefined> {
    for (const started = Date.now(); Date.now() - started < 15_000; ) {
      const response = await t.app.inject({ method: 'GET', url, headers: t.bearer(t.tokens.auditor) });
      expect(response.statusCode).toBe(200);
      const found = (response.json().items as Item[]).find((item) => item.source.ref === ref);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.error(await diagnose(t));
    return undefined;
  }

  it('collects the deactivation an Okta event hook announces from the System Log, naming the delivery', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: t.bearer(t.tokens.admin),
      payload: { id: 'okta-acme', ...oktaConfigFor(okta), webhookSecret: OKTA_SECRET },
    });
    expect(created.statusCode).toBe(201);
    const verified = await t.app.inject({
      method: 'GET',
      url: '/v1/webhooks/okta-acme/okta',
      headers: { authorization: OKTA_SECRET, 'x-okta-verification-challenge': 'challenge-123' },
    });
    expect(verified.json()).toEqual({ verification: 'challenge-123' });

    // A fresh eventId: delivery claims outlive the queues (a day), so a rerun must not replay the last run's id.
    const delivery = { ...oktaEventHook(), eventId: randomUUID() };
    const ack = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/okta-acme/okta',
      headers: { 'content-type': 'application/json', authorization: OKTA_SECRET },
      payload: JSON.stringify(delivery),
    });
    expect(ack.statusCode).toBe(202);
    expect(ack.json()).toMatchObject({ outcome: 'enqueued', deliveryId: delivery.eventId });
    const found = await waitFor(
      '/v1/evidence?kind=okta.user_lifecycle&from=2020-11-16&to=2020-11-17',
      'ab62c0bc-2837-11eb-9823-9fb8f750c5a9',
    );
    expect(found, 'the lifecycle record within 15 s').toBeDefined();
    expect(found!.occurredAt).toBe('2020-11-16T18:15:12.862Z');
    // Read back from Okta's API by uuid (the evidence is what Okta reports, not the hook's body), and only the
    // announced event: the other deactivation of that millisecond waits for the scheduled collection.
    expect(
      okta.requests.some((r) =>
        new URL(r.path, okta.url).searchParams
          .get('filter')
          ?.includes('ab62c0bc-2837-11eb-9823-9fb8f750c5a9'),
      ),
    ).toBe(true);
    const all = await t.app.inject({
      method: 'GET',
      url: '/v1/evidence?kind=okta.user_lifecycle&from=2020-11-16&to=2020-11-17',
      headers: t.bearer(t.tokens.auditor),
    });
    expect(all.json().items).toHaveLength(1);
    expect(okta.violations).toEqual([]);
    expect(found!.provenance.trigger).toEqual({
      type: 'webhook',
      deliveryId: delivery.eventId,
      event: 'com.okta.event_hook',
    });
  });

  it('collects the ticket a signed Jira delivery names from the API, however long ago it was resolved', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/connectors',
      headers: t.bearer(t.tokens.admin),
      payload: { id: 'jira-acme', ...jiraConfigFor(jira), webhookSecret: JIRA_SECRET },
    });
    expect(created.statusCode).toBe(201);
    const payload = jiraIssueUpdated();
    payload.issue.key = 'IT-8';
    const body = JSON.stringify(payload);
    const delivery = randomUUID();
    const ack = await t.app.inject(
      signedDelivery('jira', { connector: 'jira-acme', secret: JIRA_SECRET, body, delivery }),
    );
    expect(ack.statusCode).toBe(202);
    expect(ack.json()).toMatchObject({ outcome: 'enqueued', deliveryId: delivery });
    const found = await waitFor(
      '/v1/evidence?kind=jira.deprovisioning_ticket&from=2026-03-01&to=2026-03-02',
      'IT-8',
    );
    expect(found, 'the ticket record within 15 s').toBeDefined();
    expect(found!.occurredAt).toBe('2026-03-01T12:00:00.000Z');
    expect(found!.provenance.trigger).toEqual({
      type: 'webhook',
      deliveryId: delivery,
      event: 'jira:issue_updated',
    });
    // Read from the API by key, not from the payload; the fake checked every answer against Jira's description.
    const searches = jira.received('/rest/api/3/search/jql').map((r) => (r.body as { jql: string }).jql);
    expect(searches).toContain(
      '(project = IT AND issuetype = Offboarding) AND key = "IT-8" ORDER BY key ASC',
    );
    expect(searches.every((jql) => jql.includes('key = "IT-8"'))).toBe(true);
    expect(jira.violations).toEqual([]);
  });
});

/**
 * Microsoft Graph: the subscription's validation POST is answered, then a change notification for a user ->
 * webhook job -> collect job narrowed to that user -> the disable read back from the loopback tenant's directory
 * audit log -> entra.user_lifecycle record naming the delivery. Another user disabled in the same hour, whom the
 * notification does not name, is left to the scheduled collection.
 */
describe.skipIf(!services)(
  'End to end: a Graph change notification becomes Entra ID lifecycle evidence',
  () => {
    const CLIENT_STATE = 'graph-client-state-end-to-end-0123';
    let t: TestApp;
    let worker: RunningWorker;
    let entra: FakeEntra;
    const { dave, alice, carol } = entraPeople;
    // Fresh ids and times: delivery claims and stored records outlive a run.
    const disabledAt = new Date(Date.now() - 2 * 60_000).toISOString();
    const daveEntry = randomUUID();

    beforeAll(async () => {
      t = await startTestApp({ db: 10 });
      const tenant = contoso();
      tenant.audits.push(
        audit('Disable account', disabledAt, dave, { user: carol }, { id: daveEntry }),
        audit('Disable account', disabledAt, alice, { user: carol }, { id: randomUUID() }),
      );
      entra = await startFakeEntra(tenant);
      worker = await startWorker(t.runtime, { concurrency: 2, stalledIntervalMs: 5_000 });
    });
    afterAll(async () => {
      await worker?.close();
      await t?.close();
      await entra?.close();
    });

    type Item = {
      source: { ref: string };
      provenance: { trigger: unknown };
      payload: Record<string, unknown>;
    };

    it('stores the disable of the notified user, read back from the audit log, naming the delivery', async () => {
      const connectorId = `entra-${randomUUID().slice(0, 8)}`;
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/connectors',
        headers: t.bearer(t.tokens.admin),
        payload: { id: connectorId, ...entraConfigFor(entra), webhookSecret: CLIENT_STATE },
      });
      expect(created.statusCode).toBe(201);
      const validated = await t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${connectorId}/entra?validationToken=${encodeURIComponent('Validation: token 42')}`,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
      expect(validated.statusCode).toBe(200);
      expect(validated.body).toBe('Validation: token 42');

      const body = userChangeNotifications({
        subscriptionId: randomUUID(),
        tenantId: entraConfigFor(entra).tenantId,
        clientState: CLIENT_STATE,
        changes: [{ userId: dave.id, changeType: 'updated' }],
      });
      const ack = await t.app.inject({
        method: 'POST',
        url: `/v1/webhooks/${connectorId}/entra`,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        payload: JSON.stringify(body),
      });
      expect(ack.statusCode).toBe(202);
      expect(ack.json()).toMatchObject({ outcome: 'enqueued', event: 'updated' });
      const { deliveryId } = ack.json();

      const day = disabledAt.slice(0, 10);
      const next = new Date(Date.parse(day) + 2 * 86_400_000).toISOString().slice(0, 10);
      const url = `/v1/evidence?kind=entra.user_lifecycle&from=${day}&to=${next}`;
      let items: Item[] = [];
      for (const started = Date.now(); Date.now() - started < 15_000; ) {
        const response = await t.app.inject({ method: 'GET', url, headers: t.bearer(t.tokens.auditor) });
        expect(response.statusCode).toBe(200);
        items = (response.json().items as Item[]).filter(
          (item) => (item.provenance.trigger as { deliveryId?: string }).deliveryId === deliveryId,
        );
        if (items.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (items.length === 0) console.error(await diagnose(t));
      expect(items.map((item) => item.source.ref)).toEqual([daveEntry]);
      expect(items[0]!.payload).toMatchObject({
        change: 'disabled',
        target: expect.objectContaining({ id: dave.id }),
      });
      expect(items[0]!.provenance.trigger).toEqual({ type: 'webhook', deliveryId, event: 'updated' });
      expect(entra.violations).toEqual([]);
    });
  },
);
