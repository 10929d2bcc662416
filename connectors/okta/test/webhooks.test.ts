import type { WebhookDelivery } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { userLifecycle } from '../src/collectors/user-lifecycle.js';
import { handleWebhook, oktaConnector, parseOktaConfig } from '../src/index.js';
import { openApi } from '../src/sandbox/openapi.js';
import {
  collect,
  configFor,
  EVENT_HOOK_DEACTIVATION,
  eventHookExample,
  eventHookOrg,
  startFake,
  TOKEN,
} from './helpers.js';

const example = eventHookExample;

const config = parseOktaConfig({
  type: 'okta',
  orgUrl: 'https://acme.okta.com',
  auth: { kind: 'token', token: TOKEN },
  controlOwner: 'secops@acme.example',
});

function delivery(payload: unknown): WebhookDelivery {
  return {
    event: 'com.okta.event_hook',
    deliveryId: '85b60edb-4263-4e13-993b-818e26201052',
    receivedAt: '2026-03-03T15:00:02.000Z',
    payload,
  };
}

/** The value at a JSON pointer such as `/actor/detailEntry`. */
function at(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | null)?.[key], value);
}

describe("Okta's documented event hook delivery", () => {
  const DEACTIVATION = EVENT_HOOK_DEACTIVATION;

  it('asks for the deactivation it announces to be read back from the System Log; the sign-in is not lifecycle', () => {
    expect(oktaConnector.handleWebhook).toBe(handleWebhook);
    expect(handleWebhook(delivery(example()), config)).toEqual({
      emit: [],
      collect: [
        {
          collector: 'user_lifecycle',
          window: { since: '2020-11-16T18:15:12.862Z', until: '2020-11-16T18:15:12.863Z' },
          filter: { eventIds: DEACTIVATION },
        },
      ],
    });
  });

  it("becomes, through that collection, one okta.user_lifecycle record as Okta's API reports it", async () => {
    // The loopback org holds the announced event, and another deactivation the hook did not announce.
    const fake = await startFake(eventHookOrg());
    try {
      const [request] = handleWebhook(delivery(example()), config).collect;
      const collected = await collect(userLifecycle, configFor(fake), {
        window: request!.window!,
        filter: request!.filter!,
      });
      expect(collected.error).toBeUndefined();
      expect(collected.records).toHaveLength(1);
      expect(collected.records[0]).toMatchObject({
        kind: 'okta.user_lifecycle',
        occurredAt: '2020-11-16T18:15:12.862Z',
        source: { system: 'okta', ref: DEACTIVATION },
        payload: {
          eventType: 'user.lifecycle.deactivate',
          direction: 'deprovisioning',
          target: { id: '00u3m90rxKjGQ0G6L1d6', login: 'johndoet@doesnotexist.com' },
          actor: { id: '00u2di94bAMSEPvAY1d6', login: 'okta.trainer@okta.com' },
        },
      });
      // The record cites the System Log request that returned it: a query by the announced uuid.
      const cited = collected.records[0]!.provenance.requests.map((r) => r.path.split('?')[0]);
      expect(cited).toEqual(['/api/v1/logs']);
      expect(
        fake.requests.some((r) =>
          new URL(r.path, fake.url).searchParams.get('filter')?.includes(`uuid eq "${DEACTIVATION}"`),
        ),
      ).toBe(true);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('refuses a malformed event filter before any request, naming the field', async () => {
    for (const [filter, where] of [
      [{ eventIds: 'not-a-uuid' }, 'filter.eventIds'],
      [{ eventIds: `${DEACTIVATION}") or (eventType sw "` }, 'filter.eventIds'],
      [{ userId: '00u1' }, 'filter.userId'],
    ] as const) {
      const collected = await collect(
        userLifecycle,
        { ...configFor({ url: 'http://127.0.0.1:9' } as never) },
        {
          filter,
        },
      );
      expect(collected.error, JSON.stringify(filter)).toMatchObject({ code: 'CW_INPUT_INVALID', where });
    }
  });

  it('carries LogEvents that match the management API description, except for nulls where it has no null', () => {
    const events = example().data.events as unknown[];
    for (const event of events) {
      const problems = openApi().checkComponent('management', 'LogEvent', event);
      // Okta sends null for absent values (detailEntry, reason, client.id, ...); the description types them
      // non-nullable. Everything else matches.
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        const pointer = problem.slice('LogEvent'.length).split(' ')[0]!;
        expect(at(event, pointer), problem).toBeNull();
      }
    }
    expect(openApi().checkComponent('management', 'LogEvent', { uuid: 42 })).toEqual([
      'LogEvent/uuid must be string',
    ]);
  });

  it('records only the configured event types', () => {
    const onlySuspensions = parseOktaConfig({
      ...config,
      collectors: { user_lifecycle: { eventTypes: ['user.lifecycle.suspend'] } },
    });
    expect(handleWebhook(delivery(example()), onlySuspensions)).toEqual({ emit: [], collect: [] });
  });

  it.each([
    ['another envelope type', { ...example(), eventType: 'com.okta.other' }],
    ['no events', { ...example(), data: {} }],
    ['a body that is not an object', 'com.okta.event_hook'],
  ])('yields nothing for %s', (_name, payload) => {
    expect(handleWebhook(delivery(payload), config)).toEqual({ emit: [], collect: [] });
  });
});
