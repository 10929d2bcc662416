import { fixedClock, sealRecord, type WebhookDelivery } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { handleWebhook, oktaConnector, parseOktaConfig } from '../src/index.js';
import { eventHookExample, TOKEN } from './helpers.js';
import { openApi } from './server/openapi.js';

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
  it('becomes one okta.user_lifecycle record for the deactivated user; the sign-in event is not lifecycle', () => {
    const outcome = handleWebhook(delivery(example()), config);
    expect(oktaConnector.handleWebhook).toBe(handleWebhook);
    expect(outcome.collect).toEqual([]);
    expect(outcome.emit).toHaveLength(1);
    const draft = outcome.emit[0]!;
    expect(draft).toMatchObject({
      kind: 'okta.user_lifecycle',
      occurredAt: '2020-11-16T18:15:12.862Z',
      source: {
        system: 'okta',
        instance: 'acme.okta.com',
        ref: 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9',
      },
      payload: {
        eventType: 'user.lifecycle.deactivate',
        direction: 'deprovisioning',
        target: { id: '00u3m90rxKjGQ0G6L1d6', login: 'johndoet@doesnotexist.com', name: 'John Doe' },
        actor: { id: '00u2di94bAMSEPvAY1d6', login: 'okta.trainer@okta.com', name: 'Okta Trainer' },
        outcome: { result: 'SUCCESS', reason: null },
        transactionId: 'X7LBsMxeqO-ADcGcmp0WGQAAB@g',
      },
      requests: [],
    });
    // A valid record of its kind once the runner stamps it.
    const { requests, ...rest } = draft;
    const record = sealRecord(
      {
        ...rest,
        collectedAt: '2026-03-03T15:00:03.000Z',
        controls: { 'soc2-2017': ['CC6.2'], 'iso27001-2022': ['A.5.18'], mappingVersion: 'test' },
        provenance: {
          connector: { id: 'okta-acme', type: 'okta', version: '0.1.0' },
          collector: 'user_lifecycle',
          runId: 'run-1',
          trigger: { type: 'webhook', deliveryId: 'd', event: 'com.okta.event_hook' },
          requests,
        },
      } as never,
      fixedClock('2026-03-03T15:00:03.000Z').now(),
    );
    expect(record.owner).toEqual({
      people: [(draft.payload as { actor: unknown }).actor],
      controlOwner: 'secops@acme.example',
    });
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
