import type { WebhookDelivery, WebhookOutcome } from '@crosswalk/core';
import { EVENT_UUID, type LogEvent } from './collectors/user-lifecycle.js';
import { LIFECYCLE_EVENT_TYPES, type OktaConfig } from './config.js';

/** An Okta event hook delivery: CloudEvents-style envelope whose `data.events` are System Log events. */
interface EventHookPayload {
  eventType?: string;
  data?: { events?: LogEvent[] };
}

/**
 * Maps an authenticated Okta event hook delivery (the service checks its Authorization header and answers the
 * one-time verification challenge) to a collection: the user lifecycle events it announces, of the configured
 * types, are read back from the System Log by uuid (`user_lifecycle` with `filter.eventIds`), over the window their
 * `published` times span. The evidence is what Okta's API says, with the connector's own credential, not what
 * the hook's body claims: Okta does not sign hook bodies, only sends a shared Authorization value. The records
 * are the ones the scheduled collection writes (same uuid, same id), so whichever arrives second is a no-op.
 * Other events, and deliveries that are not event hooks, yield nothing.
 */
export function handleWebhook(delivery: WebhookDelivery, config: Readonly<OktaConfig>): WebhookOutcome {
  const payload = (delivery.payload ?? {}) as EventHookPayload;
  if (payload.eventType !== 'com.okta.event_hook' || !Array.isArray(payload.data?.events)) {
    return { emit: [], collect: [] };
  }
  const types: readonly string[] = config.collectors?.user_lifecycle?.eventTypes ?? LIFECYCLE_EVENT_TYPES;
  const ids: string[] = [];
  const times: number[] = [];
  for (const event of payload.data.events) {
    const uuid = typeof event?.uuid === 'string' ? event.uuid.toLowerCase() : '';
    const published = typeof event?.published === 'string' ? Date.parse(event.published) : Number.NaN;
    if (!event?.eventType || !types.includes(event.eventType)) continue;
    if (!EVENT_UUID.test(uuid) || Number.isNaN(published)) continue;
    ids.push(uuid);
    times.push(published);
  }
  if (ids.length === 0) return { emit: [], collect: [] };
  // [first, last + 1 ms): exactly the announced events' times; the uuids do the narrowing.
  const since = new Date(Math.min(...times)).toISOString();
  const until = new Date(Math.max(...times) + 1).toISOString();
  return {
    emit: [],
    collect: [{ collector: 'user_lifecycle', window: { since, until }, filter: { eventIds: ids.join(',') } }],
  };
}
