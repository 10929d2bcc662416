import type { z } from 'zod';

/** Where a delivery carries a value: a request header (lower case), or a top-level field of the JSON body. */
export type DeliveryLocation = { header: string } | { field: string };

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
  /**
   * How a delivery proves it is the source's: `hmac-sha256` is `sha256=<hex>` of HMAC-SHA256 over the exact body in
   * `header`; `shared-secret` is the secret itself in `header` (sources that do not sign, e.g. Okta's Authorization
   * value), compared in constant time either way.
   */
  authentication: { scheme: 'hmac-sha256' | 'shared-secret'; header: string };
  /** The media types the source sends (lower case, no parameters); any other is refused with 415. */
  contentTypes: readonly string[];
  /** For `application/x-www-form-urlencoded` deliveries: the form field holding the JSON (GitHub's `payload`). */
  formField?: string;
  /** The body's envelope, checked after the JSON is parsed; bad fields are named under `body.`. */
  envelope?: z.ZodType;
  deliveryId: DeliveryLocation;
  event: DeliveryLocation;
  /** The headers the source sends, lower case, with what each is (documented in the OpenAPI, all optional there). */
  headers: Readonly<Record<string, string>>;
  /** Events acknowledged with 202 and no job (the source's connectivity test). */
  pings?: readonly string[];
  /** Events handed to the connector's `handleWebhook`; any other is acknowledged and ignored. Absent: every event. */
  events?: readonly string[];
  /**
   * A one-time endpoint check (Okta's verification GET): authenticated like a delivery, its challenge read from
   * `header` (refused unless it matches `pattern`) and echoed as `{ [answerField]: challenge }`.
   */
  challenge?: {
    summary: string;
    description: string;
    header: string;
    headerDescription: string;
    pattern: RegExp;
    answerField: string;
  };
}
