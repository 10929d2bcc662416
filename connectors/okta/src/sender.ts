import type { WebhookSenderDeclaration } from '@crosswalk/core';
import { z } from 'zod';

/** The envelope of an event hook delivery; the events themselves are `handleWebhook`'s to read. */
const envelope = z.looseObject({
  eventType: z.string().min(1).max(100),
  eventId: z.string().min(1).max(200),
  data: z.looseObject({ events: z.array(z.looseObject({})).max(10_000) }),
});

/**
 * Okta event hooks (https://developer.okta.com/docs/concepts/event-hooks/). They are not signed: the admin sets the
 * hook's "Authentication field" to `Authorization` and its "Authentication secret" to the connector's
 * `webhookSecret`, and Okta sends that value as the `Authorization` header on every request. The one-time
 * verification GET carries `X-Okta-Verification-Challenge` and is answered with `{"verification": "<value>"}`
 * (#one-time-verification-request). Deliveries are POSTs whose body has the envelope `eventType:
 * com.okta.event_hook` and `data.events` (System Log LogEvents). Delivery is at least once, with at most one retry;
 * Okta documents no delivery or retry header and says to detect duplicates by the body's `eventId`
 * (#ongoing-event-delivery), which is the delivery id here.
 */
export const oktaSender: WebhookSenderDeclaration = {
  summary: 'Okta event hook delivery',
  description:
    "Register an Okta event hook with this URL, Authentication field `Authorization` and the connector's " +
    '`webhookSecret` as Authentication secret, subscribed to user lifecycle events (user.lifecycle.deactivate, ' +
    'user.lifecycle.suspend, application.user_membership.remove, user.lifecycle.activate, user.lifecycle.create). ' +
    'Each lifecycle event of the configured types becomes an okta.user_lifecycle record; the delivery is ' +
    "deduplicated on the body's eventId.",
  authentication: { scheme: 'shared-secret', header: 'authorization' },
  // Okta event hooks POST `application/json`.
  contentTypes: ['application/json'],
  envelope,
  deliveryId: { field: 'eventId' },
  event: { field: 'eventType' },
  headers: {
    authorization: "The connector's webhookSecret, exactly as configured in the hook; required (401 without)",
  },
  events: ['com.okta.event_hook'],
  challenge: {
    summary: 'Okta event hook one-time verification',
    description:
      'Okta calls this GET once when the hook is verified, with the same Authorization header as its deliveries ' +
      'and `X-Okta-Verification-Challenge`; the answer is `{"verification": "<the challenge>"}`.',
    header: 'x-okta-verification-challenge',
    headerDescription: 'The challenge to echo; required',
    // As Okta sends it: printable ASCII without spaces, at most 512 characters.
    pattern: /^[\x21-\x7e]{1,512}$/,
    answerField: 'verification',
  },
};
