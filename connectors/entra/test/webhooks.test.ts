import { closedAfterEach } from '@crosswalk/connector-testkit';
import type { WebhookDelivery } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { userLifecycle } from '../src/collectors/user-lifecycle.js';
import { entraConnector, handleWebhook, parseEntraConfig } from '../src/index.js';
import {
  audit,
  changeNotificationExample,
  checkNotifications,
  collect,
  configFor,
  contoso,
  errorText,
  lifecycleNotification,
  people,
  startFake,
  TENANT_ID,
  userChangeNotifications,
} from './helpers.js';

const start = closedAfterEach(startFake);
const SUBSCRIPTION = '7f105c7d-2dc5-4530-97cd-4e7ae6534c07';
const CLIENT_STATE = 'client-state-shared-with-graph-0123';
const config = parseEntraConfig({
  type: 'entra',
  tenantId: TENANT_ID,
  auth: { kind: 'secret', clientId: TENANT_ID, clientSecret: 'not-used-here' },
  webhookSecret: CLIENT_STATE,
});

/** dave was disabled at 15:00:00 (contoso's audit log); Graph notified at 15:02. */
function delivery(payload: unknown, receivedAt = '2026-03-03T15:02:00.000Z'): WebhookDelivery {
  return { event: 'updated', deliveryId: 'graph-0123', receivedAt, payload };
}

const notified = (...changes: { userId: string; changeType: 'created' | 'updated' | 'deleted' }[]) =>
  userChangeNotifications({
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT_ID,
    clientState: CLIENT_STATE,
    changes,
  });

describe('Graph change notifications for users', () => {
  it('fakes only what Graph documents: the recorded example passes the schema, an item with both kinds does not', () => {
    expect(changeNotificationExample().value[0]!.resource).toMatch(/^Users\//);
    const both = changeNotificationExample();
    (both.value[0] as Record<string, unknown>).lifecycleEvent = 'missed';
    expect(() => checkNotifications(both)).toThrow(/changeType|lifecycleEvent/);
    expect(() => checkNotifications({ value: [{ ...both.value[0], unknownField: 1 }] })).toThrow(
      /not a Graph/,
    );
  });

  it('asks for the notified users to be read back from the audit log over the hour before the delivery', () => {
    expect(entraConnector.handleWebhook).toBe(handleWebhook);
    const { dave, alice } = people;
    expect(
      handleWebhook(
        delivery(
          notified(
            { userId: dave.id, changeType: 'updated' },
            { userId: alice.id, changeType: 'deleted' },
            { userId: dave.id, changeType: 'updated' },
          ),
        ),
        config,
      ),
    ).toEqual({
      emit: [],
      collect: [
        {
          collector: 'user_lifecycle',
          window: { since: '2026-03-03T14:02:00.000Z', until: '2026-03-03T15:02:00.001Z' },
          filter: { userIds: `${dave.id},${alice.id}` },
        },
      ],
    });
  });

  it('reads the user from resource when resourceData is absent, and asks nothing for a lifecycle notice or another resource', () => {
    const example = changeNotificationExample();
    const item = example.value[0]!;
    delete item.resourceData;
    expect(handleWebhook(delivery(example), config).collect[0]?.filter).toEqual({
      userIds: '76ba5b4f-ba68-4f2b-8d50-74c5b81a6b21',
    });
    const notice = lifecycleNotification({
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT_ID,
      clientState: CLIENT_STATE,
      lifecycleEvent: 'reauthorizationRequired',
    });
    expect(handleWebhook(delivery(notice), config)).toEqual({ emit: [], collect: [] });
    item.resource = 'Groups/76ba5b4f-ba68-4f2b-8d50-74c5b81a6b21';
    expect(handleWebhook(delivery(example), config)).toEqual({ emit: [], collect: [] });
  });

  it('becomes, through that read-back, the entra.user_lifecycle record of the notified user only', async () => {
    const { dave, alice, carol } = people;
    const tenant = contoso();
    // Another disable in the same hour, of a user the notification does not name: not this read-back's.
    tenant.audits.push(audit('Disable account', '2026-03-03T15:00:30Z', alice, { user: carol }));
    const fake = await start(tenant);
    const [request] = handleWebhook(
      delivery(notified({ userId: dave.id, changeType: 'updated' })),
      config,
    ).collect;
    const { records, error, cursor } = await collect(userLifecycle, configFor(fake), {
      window: request!.window!,
      filter: request!.filter!,
    });
    expect(error).toBeUndefined();
    expect(
      records.map((r) => [r.occurredAt, r.payload as never as { change: string; target: { id: string } }]),
    ).toEqual([
      [
        '2026-03-03T15:00:00.000Z',
        expect.objectContaining({ change: 'disabled', target: expect.objectContaining({ id: dave.id }) }),
      ],
    ]);
    // The scheduled run's record: same id, so whichever comes second stores nothing.
    const scheduled = await collect(userLifecycle, configFor(fake), { window: request!.window! });
    expect(scheduled.records.map((r) => r.id)).toContain(records[0]!.id);
    expect(scheduled.records).toHaveLength(2);
    // A partial read-back does not move the scheduled run's cursor.
    expect(cursor).toBeUndefined();
  });

  it('refuses a filter that is not a list of user object ids, naming the field, before any request', async () => {
    const fake = await start(contoso());
    const filters: Record<string, string>[] = [
      { userIds: "x' or 1 eq 1" },
      { userIds: '' },
      { eventIds: people.dave.id },
    ];
    for (const filter of filters) {
      const { error } = await collect(userLifecycle, configFor(fake), { filter });
      expect((error as { code?: string } | undefined)?.code).toBe('CW_INPUT_INVALID');
      expect(errorText(error)).toMatch(/filter\.(userIds|eventIds)/);
    }
    expect(fake.received('/auditLogs/directoryAudits')).toHaveLength(0);
  });
});
