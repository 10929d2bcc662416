import type { z } from 'zod';

/**
 * Where a delivery carries a value: a request header (lower case), a top-level field of the JSON body, or, for a
 * body that is a list of notifications, the first of `fields` set on its first item in `items` (Graph's `value`).
 */
export type DeliveryLocation =
  | { header: string }
  | { field: string }
  | { items: string; fields: readonly string[] };

/**
 * A delivery id for a source that sends none (Microsoft Graph): `<prefix>-` and the SHA-256 of these fields (dotted
 * paths) of every item in the body's `items` list and of the `bucketSeconds` period it arrived in, so a retry of the
 * same notifications in that period gets the same id, and the same change sent again later is a new delivery.
 */
export interface DeliveryDigest {
  digest: { items: string; fields: readonly string[]; prefix: string; bucketSeconds: number };
}

/**
 * How a delivery proves it is the source's: `hmac-sha256` is `sha256=<hex>` of HMAC-SHA256 over the exact body in
 * `header`; `shared-secret` is the secret itself in `header` (sources that do not sign, e.g. Okta's Authorization
 * value); `shared-secret-in-items` is the secret in `field` of every item of the body's `items` list (Graph's
 * `clientState`), so the body is parsed before it is trusted. Compared in constant time in every case.
 */
export type WebhookAuthentication =
  | { scheme: 'hmac-sha256' | 'shared-secret'; header: string }
  | { scheme: 'shared-secret-in-items'; items: string; field: string };

/**
 * A one-time endpoint check. The header form (Okta's verification GET): authenticated like a delivery, its challenge
 * read from `header` (refused unless it matches `pattern`) and echoed as `{ [answerField]: challenge }`. The query
 * form (Graph's subscription validation): a POST carrying `query` and no credential, answered 200 `text/plain` with
 * the value echoed, before anything else is read (the source waits only seconds).
 */
export type WebhookChallengeDeclaration =
  | {
      summary: string;
      description: string;
      header: string;
      headerDescription: string;
      pattern: RegExp;
      answerField: string;
    }
  | { summary: string; description: string; query: string; queryDescription: string; pattern: RegExp };

/**
 * How a source's webhooks reach Crosswalk, as data: the service turns it into the route
 * `POST /v1/webhooks/<connectorId>/<type>` and does the rest the same way for every sender (401 before the body is
 * read, 415, 400 naming the field, 413, pings and unhandled events acknowledged, 202 once enqueued). The secret is
 * always the connector config's `webhookSecret`.
 */
export interface WebhookSenderDeclaration {
  /** OpenAPI summary and description: how an admin registers the hook at the source. */
  summary: string;
  description: string;
  authentication: WebhookAuthentication;
  /** The media types the source sends (lower case, no parameters); any other is refused with 415. */
  contentTypes: readonly string[];
  /** For `application/x-www-form-urlencoded` deliveries: the form field holding the JSON (GitHub's `payload`). */
  formField?: string;
  /** The body's envelope, checked after the JSON is parsed; bad fields are named under `body.`. */
  envelope?: z.ZodType;
  deliveryId: DeliveryLocation | DeliveryDigest;
  event: DeliveryLocation;
  /** The headers the source sends, lower case, with what each is (documented in the OpenAPI, all optional there). */
  headers: Readonly<Record<string, string>>;
  /** Events acknowledged with 202 and no job (the source's connectivity test). */
  pings?: readonly string[];
  /** Events acknowledged with 202 and no job but logged each time (Graph's subscription lifecycle notices). */
  notices?: readonly string[];
  /** Events handed to the connector's `handleWebhook`; any other is acknowledged and ignored. Absent: every event. */
  events?: readonly string[];
  challenge?: WebhookChallengeDeclaration;
}
