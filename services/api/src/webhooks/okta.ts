import { z } from 'zod';
import { parseJsonBody } from './json.js';
import { header, toConnector, type WebhookSender } from './sender.js';
import { secretMatches, webhookSecretOf } from './signature.js';

/** The envelope of an event hook delivery; the events themselves are the connector's to read. */
const envelope = z.looseObject({
  eventType: z.string().min(1).max(100),
  eventId: z.string().min(1).max(200),
  data: z.looseObject({ events: z.array(z.looseObject({})).max(10_000) }),
});

/** A verification challenge as Okta sends it: printable ASCII without spaces, at most 512 characters. */
const CHALLENGE = /^[\x21-\x7e]{1,512}$/;

/**
 * Okta event hooks (https://developer.okta.com/docs/concepts/event-hooks/). They are not signed: the admin sets
 * the hook's "Authentication field" to `Authorization` and its "Authentication secret" to the connector's
 * `webhookSecret`, and Okta sends that value as the `Authorization` header on every request, compared here in
 * constant time. The one-time verification GET carries `X-Okta-Verification-Challenge` and is answered with
 * `{"verification": "<value>"}` (#one-time-verification-request). Deliveries are POSTs whose body has the envelope
 * `eventType: com.okta.event_hook` and `data.events` (System Log LogEvents). Delivery is at least once, with at most
 * one retry; Okta documents no delivery or retry header and says to detect duplicates by the body's `eventId`
 * (#ongoing-event-delivery), which is the delivery id here.
 */
export const oktaSender: WebhookSender = {
  name: 'okta',
  url: '/:connectorId/okta',
  summary: 'Okta event hook delivery',
  description:
    "Register an Okta event hook with this URL, Authentication field `Authorization` and the connector's " +
    '`webhookSecret` as Authentication secret, subscribed to user lifecycle events (user.lifecycle.deactivate, ' +
    'user.lifecycle.suspend, application.user_membership.remove, user.lifecycle.activate, user.lifecycle.create). ' +
    'Each lifecycle event of the configured types becomes an okta.user_lifecycle record; the delivery is ' +
    "deduplicated on the body's eventId.",
  params: z.object({ connectorId: z.string().max(128) }),
  headers: z.object({
    authorization: z
      .string()
      .optional()
      .describe("The connector's webhookSecret, exactly as configured in the hook; required (401 without)"),
  }),
  credential: 'authorization',
  // Okta event hooks POST `application/json`.
  contentTypes: ['application/json'],
  connectorTypes: ['okta'],
  verify(delivery, config) {
    const secret = webhookSecretOf(config);
    if (!secret) return false;
    return secretMatches(secret, header(delivery, 'authorization'));
  },
  parse: (delivery) => parseJsonBody(delivery.body, envelope),
  deliveryId: (_delivery, payload) => (payload as z.infer<typeof envelope>).eventId,
  event: (_delivery, payload) => (payload as z.infer<typeof envelope>).eventType,
  where: { deliveryId: 'body.eventId', event: 'body.eventType' },
  events: ['com.okta.event_hook'],
  challenge: {
    summary: 'Okta event hook one-time verification',
    description:
      'Okta calls this GET once when the hook is verified, with the same Authorization header as its deliveries ' +
      'and `X-Okta-Verification-Challenge`; the answer is `{"verification": "<the challenge>"}`.',
    headers: z.object({
      authorization: z.string().optional().describe("The connector's webhookSecret; required (401 without)"),
      'x-okta-verification-challenge': z.string().optional().describe('The challenge to echo; required'),
    }),
    read(delivery) {
      const challenge = header(delivery, 'x-okta-verification-challenge');
      return challenge !== undefined && CHALLENGE.test(challenge) ? challenge : undefined;
    },
    where: 'headers.x-okta-verification-challenge',
    answer: (challenge) => ({ verification: challenge }),
  },
  dispatch: toConnector,
};
