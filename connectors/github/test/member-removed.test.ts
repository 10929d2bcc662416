import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import {
  defineConnector,
  type EmittedDraft,
  type EvidenceRecord,
  fixedClock,
  type PayloadOf,
} from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterEach, describe, expect, it } from 'vitest';
import { memberRemoved } from '../src/collectors/member-removed.js';
import { githubConnector } from '../src/index.js';
import type { FakeGitHub, FakeOrganization } from '../src/sandbox/index.js';
import { acme, collect, configFor, people, startFake, v1Uuid } from './helpers.js';

/**
 * One removal, seen by every path GitHub offers: the audit log (polled on a schedule) and the organization webhook,
 * delivered twice (a redelivery, or a second hook: both carry the event's GUID). Property: one record, whatever the
 * order, because the record's time and identity are the removal's own, never a receipt's.
 */
const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const ghes: Example[] = require('@octokit/webhooks-examples/ghes-35/index.json');

const REMOVED_AT = '2026-03-03T09:15:00.123Z';
/** GitHub creates the event a moment after the removal; its deliveries arrive later still. */
const GUID = v1Uuid(Date.parse('2026-03-03T09:15:01.400Z'));
const NOW = '2026-03-08T06:30:00.000Z';
const RANGE = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' };

function removalDelivery(receivedAt: string) {
  // biome-ignore lint/suspicious/noExplicitAny: the example is edited field by field
  const example: Record<string, any> = structuredClone(
    ghes.find((e) => e.name === 'organization')!.examples.find((p) => p.action === 'member_removed')!,
  );
  example.organization.login = 'acme';
  example.membership.user = { ...example.membership.user, login: 'dave', node_id: people.dave.node_id };
  example.sender = { ...example.sender, login: 'carol', node_id: people.carol.node_id };
  return { event: 'organization', deliveryId: GUID, payload: example, receivedAt };
}

const started: FakeGitHub[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) {
    expect(server.violations).toEqual([]);
    await server.close();
  }
});

async function setup(org: FakeOrganization = acme(), extra: Record<string, unknown> = {}) {
  const server = await startFake(org);
  started.push(server);
  const locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-github-removal-'))), {
    clock: fixedClock(NOW),
  });
  const config = { ...configFor(server), ...extra };
  const base = { connectorId: 'github-acme', config, locker, clock: fixedClock(NOW) };
  const schedule = () =>
    runConnector({
      ...base,
      connector: githubConnector,
      collectors: ['member_removed'],
      window: { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' },
      trigger: { type: 'schedule', scheduler: 'member_removed' },
    });
  /** What the worker does with a delivery: store what it emits, run the collections it asks for. */
  const deliver = async (receivedAt: string) => {
    const delivery = removalDelivery(receivedAt);
    const outcome = githubConnector.handleWebhook!(delivery, githubConnector.configSchema.parse(config));
    const trigger = { type: 'webhook' as const, deliveryId: delivery.deliveryId, event: delivery.event };
    if (outcome.emit.length > 0) {
      const drafts: EmittedDraft[] = outcome.emit;
      const replay = defineConnector({
        ...githubConnector,
        collectors: [
          {
            id: 'webhook',
            kind: 'github.member_removed',
            description: 'the delivery',
            async collect(ctx) {
              for (const draft of drafts) await ctx.emit(draft);
            },
          },
        ],
      });
      await runConnector({ ...base, connector: replay, trigger, stateless: true, window: RANGE_WINDOW });
    }
    for (const request of outcome.collect) {
      const manifest = await runConnector({
        ...base,
        connector: githubConnector,
        collectors: [request.collector],
        ...(request.window ? { window: request.window } : {}),
        filter: request.filter ?? {},
        trigger,
      });
      expect(manifest.status).toBe('succeeded');
    }
    return outcome;
  };
  const removals = async () => {
    const found: EvidenceRecord[] = [];
    for await (const record of locker.records.list('github.member_removed', RANGE)) found.push(record);
    return found.filter(
      (record) => (record.payload as PayloadOf<'github.member_removed'>).member.login === 'dave',
    );
  };
  return { server, schedule, deliver, removals };
}

const RANGE_WINDOW = { since: RANGE.from, until: RANGE.to };

describe('a GitHub member removal', () => {
  it('is one record from the audit log and two deliveries of its webhook, the schedule first', async () => {
    const { schedule, deliver, removals } = await setup();
    await schedule();
    await deliver('2026-03-03T09:15:02.000Z');
    await deliver('2026-03-03T10:02:00.000Z');
    const found = await removals();
    expect(found.map((r) => [r.occurredAt, r.payload])).toEqual([
      [
        REMOVED_AT,
        {
          organization: 'acme',
          member: { login: 'dave' },
          removedBy: { login: 'carol' },
          via: 'audit_log',
          timeFrom: 'audit_log',
        },
      ],
    ]);
  });

  it('is the same one record when the webhook comes first and the schedule after', async () => {
    const { server, schedule, deliver, removals } = await setup();
    const outcome = await deliver('2026-03-03T09:15:02.000Z');
    // The delivery asked for that member's removal only, from the audit log.
    expect(outcome.emit).toEqual([]);
    // The query is form-encoded: a space is `+`.
    expect(server.requests.map((r) => decodeURIComponent(r.path.replaceAll('+', ' ')))).toEqual([
      expect.stringContaining('phrase=action:org.remove_member user:dave created:'),
    ]);
    const afterWebhook = await removals();
    await deliver('2026-03-03T09:16:30.000Z');
    await schedule();
    const found = await removals();
    expect(found).toHaveLength(1);
    expect(found[0]!.id).toBe(afterWebhook[0]!.id);
    expect(found[0]!.occurredAt).toBe(REMOVED_AT);
  });

  it('is one record, dated by the event GUID, where the org has no audit log', async () => {
    const org = acme();
    org.auditLogAvailable = false;
    const { schedule, deliver, removals } = await setup(org);
    await deliver('2026-03-03T09:15:02.000Z');
    await schedule();
    await deliver('2026-03-04T08:00:00.000Z');
    const found = await removals();
    expect(found).toHaveLength(1);
    expect(found[0]!.occurredAt).toBe('2026-03-03T09:15:01.400Z');
    expect(found[0]!.payload).toMatchObject({ via: 'webhook', timeFrom: 'delivery_guid' });
    expect(found[0]!.owner.people).toEqual([{ login: 'carol', id: people.carol.node_id }]);
  });

  it('is one record, dated by the event GUID, where the config turns the audit log off', async () => {
    const { deliver, removals } = await setup(acme(), {
      collectors: { member_removed: { auditLog: false } },
    });
    await deliver('2026-03-03T09:15:02.000Z');
    await deliver('2026-03-03T12:00:00.000Z');
    const found = await removals();
    expect(found).toHaveLength(1);
    expect(found[0]!.payload).toMatchObject({ via: 'webhook', timeFrom: 'delivery_guid' });
  });
});

describe('the member_removed collector narrowed to one removal', () => {
  it('refuses a filter that is not a removal notice, naming the field, before any request', async () => {
    const server = await startFake(acme());
    started.push(server);
    const result = await collect(memberRemoved, configFor(server), {
      filter: { member: 'dave', deliveryId: GUID, receivedAt: NOW, repository: 'x' },
    });
    expect(result.error).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'filter.repository' });
    const bad = await collect(memberRemoved, configFor(server), {
      filter: { member: 'dave" OR x', deliveryId: GUID, receivedAt: NOW },
    });
    expect(bad.error).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'filter.member' });
    expect(server.requests).toEqual([]);
  });

  it('stores nothing and says so when the audit log does not show the removal yet', async () => {
    const server = await startFake(acme());
    started.push(server);
    const result = await collect(memberRemoved, configFor(server), {
      window: { since: '2026-03-05T00:00:00.000Z', until: '2026-03-05T01:00:00.000Z' },
      filter: { member: 'dave', deliveryId: GUID, receivedAt: '2026-03-05T00:30:00.000Z' },
    });
    expect(result.error).toBeUndefined();
    expect(result.drafts).toEqual([]);
    expect(result.logs.some((l) => /does not show this removal yet/.test(l.message))).toBe(true);
    expect(result.cursor).toBeUndefined();
  });
});
