/**
 * Okta's side of the join, until the Okta connector lands: System Log events in Okta's own shape (LogEvent), turned
 * into `okta.user_lifecycle` drafts the way the connector does (alternateId is the login, an email one also the
 * email) and stored through the same runner, so they carry controls and provenance like collected records.
 */
import { type CollectorDefinition, defineConnector, type EmittedDraft, type Person } from '@crosswalk/core';
import { z } from 'zod';

const ORG = 'acme.okta.com';

export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  displayMessage: string;
  actor: { id: string; type: 'User'; alternateId: string; displayName: string };
  target: { id: string; type: 'User'; alternateId: string; displayName: string }[];
  outcome: { result: string; reason: string | null };
  transaction: { id: string };
}

let sequence = 0;

/** One System Log event: `type` done to the user whose login is `login`, at `published`. */
export function oktaEvent(type: string, login: string, published: string, result = 'SUCCESS'): LogEvent {
  sequence += 1;
  const name = login.split('@')[0]!;
  return {
    uuid: `e0c${String(sequence).padStart(5, '0')}-6b1d-11f0-9f7e-${name.padEnd(12, '0').slice(0, 12)}`,
    published,
    eventType: type,
    displayMessage: type === 'user.lifecycle.suspend' ? 'Suspend Okta user' : 'Deactivate Okta user',
    actor: {
      id: '00u-admin',
      type: 'User',
      alternateId: 'okta-admin@acme.example',
      displayName: 'Okta Admin',
    },
    target: [{ id: `00u-${name}`, type: 'User', alternateId: login, displayName: name }],
    outcome: { result, reason: result === 'SUCCESS' ? null : 'INSUFFICIENT_PERMISSIONS' },
    transaction: { id: `tx-${sequence}` },
  };
}

function person(entity: LogEvent['actor']): Person {
  return { id: entity.id, login: entity.alternateId, email: entity.alternateId, name: entity.displayName };
}

function draft(event: LogEvent): EmittedDraft<'okta.user_lifecycle'> {
  const target = person(event.target[0]!);
  const actor = person(event.actor);
  const direction = /deactivate|suspend|remove/.test(event.eventType) ? 'deprovisioning' : 'other';
  return {
    kind: 'okta.user_lifecycle',
    occurredAt: event.published,
    owner: { people: [actor], controlOwner: null },
    actors: [{ role: direction, person: target }],
    source: {
      system: 'okta',
      instance: ORG,
      ref: event.uuid,
      url: `https://${ORG}/api/v1/logs?filter=${encodeURIComponent(`uuid eq "${event.uuid}"`)}`,
    },
    payload: {
      org: ORG,
      eventId: event.uuid,
      eventType: event.eventType,
      direction,
      displayMessage: event.displayMessage,
      actor,
      target,
      application: null,
      outcome: event.outcome,
      transactionId: event.transaction.id,
    },
    requests: [
      { method: 'GET', path: '/api/v1/logs', status: 200, requestId: `req-${event.transaction.id}` },
    ],
  };
}

/** A connector of type `okta` whose one collector replays the given events. */
export function oktaStandIn(events: LogEvent[]) {
  const collector: CollectorDefinition<{ type: 'okta' }> = {
    id: 'user_lifecycle',
    kind: 'okta.user_lifecycle',
    description: 'replays System Log events',
    async collect(ctx) {
      for (const event of events) await ctx.emit(draft(event));
    },
  };
  return defineConnector({
    type: 'okta',
    version: '0.0.0-test',
    title: 'Okta (test stand-in)',
    configSchema: z.object({ type: z.literal('okta') }).strict(),
    collectors: [collector],
  });
}
