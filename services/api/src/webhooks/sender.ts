import type { IncomingHttpHeaders } from 'node:http';
import type { Runtime } from '@crosswalk/runtime';
import type { z } from 'zod';

/** A delivery as received: headers, route params and the exact bytes of the body (signatures cover them). */
export interface RawDelivery {
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  body: Buffer;
}

/**
 * A sender's validation POST (Graph's `?validationToken=`): unauthenticated, answered 200 `text/plain` with the
 * token before the body or the connector is read, and nothing enqueued.
 */
export interface WebhookValidation {
  /** The query parameter carrying the token. */
  query: string;
  /** The POST's querystring, documented. */
  querystring: z.ZodObject;
  /** The token to echo, or undefined when it is malformed (400). */
  read(value: unknown): string | undefined;
}

/** An authenticated, parsed delivery, ready to become a job. */
export interface Delivery {
  connectorId: string;
  connectorType: string;
  deliveryId: string;
  event: string;
  payload: unknown;
  receivedAt: string;
  params: Record<string, string>;
}

/**
 * A sender's one-time endpoint check (Okta's verification GET): a GET on the sender's route, authenticated by
 * `verify` like a delivery, whose answer echoes a challenge the sender put in a header.
 */
export interface WebhookChallenge {
  summary: string;
  description: string;
  headers: z.ZodObject;
  /** The challenge to echo, or undefined when it is missing or malformed (400). */
  read(delivery: RawDelivery): string | undefined;
  /** Where the challenge is, for the 400's issue path, e.g. `headers.x-okta-verification-challenge`. */
  where: string;
  /** The 200 body, e.g. `{ verification: challenge }`. */
  answer(challenge: string): Record<string, string>;
}

/**
 * One webhook sender: how it authenticates, where its delivery id and event are, and what a delivery becomes.
 * The plugin does the rest the same way for every sender: find the connector, verify (401), parse (400), read
 * id and event (400), acknowledge pings and unknown events (202, no job), dispatch (202), count; and, for a
 * sender with a `challenge`, answer its verification GET.
 */
export interface WebhookSender {
  /** The `source` label of `crosswalk_webhook_deliveries_total`. */
  name: string;
  /** Route under /v1/webhooks; `:connectorId` names the connector whose config holds the secret. */
  url: string;
  summary: string;
  description: string;
  params: z.ZodObject;
  headers: z.ZodObject;
  /** The header that authenticates a delivery (lower case), named by a 401. */
  credential: string;
  /** Where a 401 says the credential is, when it is not the `credential` header (`body.value[].clientState`). */
  credentialWhere?: string;
  /**
   * The media types the sender sends (lower case, without parameters): anything else, or no Content-Type, is
   * refused with 415 before the connector is looked up. A body in a type the sender never uses was not sent by it.
   */
  contentTypes: readonly string[];
  /** An empty body may come without a Content-Type (the generic webhook's "collect with defaults"). */
  emptyBodyUntyped?: boolean;
  /** Connector types it delivers for; any type whose config has a `webhookSecret` when absent. */
  connectorTypes?: readonly string[];
  /** Authentic for this connector's (decrypted) config? Must not throw; false when the config has no secret. */
  verify(delivery: RawDelivery, config: Record<string, unknown>): boolean;
  /** Parses the verified body; throws CW_INPUT_INVALID when it is malformed. */
  parse(delivery: RawDelivery): unknown;
  /** The delivery id (a header, or for some senders a body field of the parsed payload). */
  deliveryId(delivery: RawDelivery, payload: unknown): string | undefined;
  /** The event name (a header, or for some senders a body field of the parsed payload). */
  event(delivery: RawDelivery, payload: unknown): string | undefined;
  /** Where the delivery id and event are read, for a 400's issue paths. Default `headers.delivery` / `headers.event`. */
  where?: { deliveryId: string; event: string };
  /** The sender's one-time verification GET on the same route, when it has one (Okta). */
  challenge?: WebhookChallenge;
  /** The sender's validation POST, when it has one (Graph). */
  validation?: WebhookValidation;
  /** Events acknowledged with 202 and no job (a sender's connectivity test). */
  pings?: readonly string[];
  /** Events acknowledged with 202 and no job, logged each time (subscription lifecycle notices). */
  notices?: readonly string[];
  /** Events passed on; any other is acknowledged and ignored. Absent: every event. */
  events?: readonly string[];
  /** Enqueues the delivery's work once per delivery id. */
  dispatch(runtime: Runtime, delivery: Delivery): Promise<{ jobId: string; duplicate: boolean }>;
}

/**
 * The usual dispatch: the delivery as a webhook job, once per delivery id, for the worker to pass to the
 * connector's `handleWebhook` (which stores what the payload proves and asks for collections).
 */
export const toConnector: WebhookSender['dispatch'] = (runtime, delivery) =>
  runtime.webhookQueue
    .enqueue({
      connectorId: delivery.connectorId,
      event: delivery.event,
      deliveryId: delivery.deliveryId,
      receivedAt: delivery.receivedAt,
      payload: delivery.payload,
    })
    .then(({ id, duplicate }) => ({ jobId: id, duplicate }));

/** A delivery id as a job-id part: GitHub's are GUIDs; anything printable and short is accepted. */
export const DELIVERY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** The media type of a Content-Type value, lower case and without parameters (`application/json`). */
export function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

export function header(delivery: RawDelivery, name: string): string | undefined {
  const value = delivery.headers[name];
  return typeof value === 'string' ? value : undefined;
}
