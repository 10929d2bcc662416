import type { EmittedDraft, WebhookDelivery, WebhookOutcome } from '@crosswalk/core';
import { type LogEvent, lifecycleDraft } from './collectors/user-lifecycle.js';
import { LIFECYCLE_EVENT_TYPES, type OktaConfig, orgHost } from './config.js';

/** An Okta event hook delivery: CloudEvents-style envelope whose `data.events` are System Log events. */
interface EventHookPayload {
  eventType?: string;
  data?: { events?: LogEvent[] };
}

/**
 * Maps an authenticated Okta event hook delivery (the service checks its Authorization header and answers the
 * one-time verification challenge) to records: each user lifecycle event of a configured type becomes the same
 * `okta.user_lifecycle` record the System Log collector would write (same uuid, so the same id: whichever arrives
 * second is a no-op). Other events, and deliveries that are not event hooks, yield nothing.
 */
export function handleWebhook(delivery: WebhookDelivery, config: Readonly<OktaConfig>): WebhookOutcome {
  const payload = (delivery.payload ?? {}) as EventHookPayload;
  if (payload.eventType !== 'com.okta.event_hook' || !Array.isArray(payload.data?.events)) {
    return { emit: [], collect: [] };
  }
  const types: readonly string[] = config.collectors?.user_lifecycle?.eventTypes ?? LIFECYCLE_EVENT_TYPES;
  const emit: EmittedDraft[] = [];
  for (const event of payload.data.events) {
    if (!event?.eventType || !types.includes(event.eventType)) continue;
    emit.push(
      lifecycleDraft(event, {
        host: orgHost(config as OktaConfig),
        orgUrl: config.orgUrl,
        controlOwner: config.controlOwner ?? null,
        requests: [],
      }),
    );
  }
  return { emit, collect: [] };
}
