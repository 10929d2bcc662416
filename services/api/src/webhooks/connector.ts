import { createHash } from 'node:crypto';
import {
  type ConnectorDefinition,
  CrosswalkError,
  type DeliveryDigest,
  type DeliveryLocation,
  type WebhookAuthentication,
  type WebhookChallengeDeclaration,
  zodIssues,
} from '@crosswalk/core';
import { z } from 'zod';
import { parseJsonText } from './json.js';
import { header, mediaType, type RawDelivery, toConnector, type WebhookSender } from './sender.js';
import { secretMatches, sha256Signature, signatureMatches, webhookSecretOf } from './signature.js';

/** The `where` of a 400 for a value read at this location: `headers.x-github-delivery`, `body.eventId`. */
function whereOf(location: DeliveryLocation | DeliveryDigest): string {
  if ('header' in location) return `headers.${location.header}`;
  if ('field' in location) return `body.${location.field}`;
  if ('digest' in location) return `body.${location.digest.items}`;
  return `body.${location.items}[0].${location.fields.join('|')}`;
}

/** A value at a dotted path (`resourceData.id`) of a parsed JSON value. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The body's list of notifications (`value`), or undefined when it has none. */
function itemsOf(payload: unknown, items: string): unknown[] | undefined {
  const list = at(payload, items);
  return Array.isArray(list) && list.length > 0 ? list : undefined;
}

function read(
  location: DeliveryLocation | DeliveryDigest,
  delivery: RawDelivery,
  payload: unknown,
): string | undefined {
  if ('header' in location) return header(delivery, location.header);
  if ('field' in location) {
    const value =
      payload && typeof payload === 'object'
        ? (payload as Record<string, unknown>)[location.field]
        : undefined;
    return typeof value === 'string' ? value : undefined;
  }
  if ('digest' in location) {
    const { items, fields, prefix, bucketSeconds } = location.digest;
    const list = itemsOf(payload, items);
    if (!list) return undefined;
    // Only the named fields count: a retry that differs elsewhere (a reordered key, spacing) is the same.
    const period = Math.floor(Date.now() / 1000 / bucketSeconds);
    const identity = JSON.stringify([
      period,
      list.map((item) => fields.map((field) => at(item, field) ?? null)),
    ]);
    return `${prefix}-${createHash('sha256').update(identity, 'utf8').digest('hex')}`;
  }
  const first = itemsOf(payload, location.items)?.[0];
  for (const field of location.fields) {
    const value = at(first, field);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** The JSON body, or undefined when it is not JSON (a body-authenticated delivery is then simply not authentic). */
function jsonOrUndefined(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether the delivery carries the connector's secret as its authentication declares. */
function authentic(authentication: WebhookAuthentication, secret: string, delivery: RawDelivery): boolean {
  if ('header' in authentication) {
    const received = header(delivery, authentication.header);
    return authentication.scheme === 'hmac-sha256'
      ? signatureMatches(sha256Signature(secret, delivery.body), received)
      : secretMatches(secret, received);
  }
  // Every item must carry it: one forged item among genuine ones would otherwise ride along.
  const list = itemsOf(jsonOrUndefined(delivery.body), authentication.items);
  return list?.every((item) => secretMatches(secret, at(item, authentication.field))) === true;
}

/** The header a 401 names, and where it says the credential is. */
function credentialOf(authentication: WebhookAuthentication): { credential: string; where: string } {
  return 'header' in authentication
    ? { credential: authentication.header, where: `headers.${authentication.header}` }
    : { credential: authentication.field, where: `body.${authentication.items}[].${authentication.field}` };
}

const documented = (headers: Readonly<Record<string, string>>) =>
  z.object(
    Object.fromEntries(
      Object.entries(headers).map(([name, description]) => [
        name,
        z.string().optional().describe(description),
      ]),
    ),
  );

/**
 * The service's sender for a connector that declares one (`webhook` in its definition): the route
 * `/v1/webhooks/:connectorId/<type>`, authenticated, parsed and read as the declaration says, handed to the
 * connector's `handleWebhook` through the webhook queue.
 */
export function senderFor(connector: ConnectorDefinition): WebhookSender {
  const declared = connector.webhook;
  if (!declared) throw new Error(`connector ${connector.type} declares no webhook sender`);
  const { credential, where: credentialWhere } = credentialOf(declared.authentication);
  const verify = (delivery: RawDelivery, config: Record<string, unknown>) => {
    const secret = webhookSecretOf(config);
    return secret !== undefined && authentic(declared.authentication, secret, delivery);
  };
  const challenge = declared.challenge;
  return {
    name: connector.type,
    url: `/:connectorId/${connector.type}`,
    summary: declared.summary,
    description: declared.description,
    params: z.object({ connectorId: z.string().max(128) }),
    headers: documented(declared.headers),
    credential,
    credentialWhere,
    contentTypes: declared.contentTypes,
    connectorTypes: [connector.type],
    verify,
    parse(delivery) {
      const form = mediaType(header(delivery, 'content-type')) === 'application/x-www-form-urlencoded';
      const text = delivery.body.toString('utf8');
      const value = parseJsonText(
        form && declared.formField ? new URLSearchParams(text).get(declared.formField) : text,
      );
      if (!declared.envelope) return value;
      const parsed = declared.envelope.safeParse(value);
      if (parsed.success) return parsed.data;
      const issues = zodIssues(parsed.error, ['body']);
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `invalid delivery body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        { where: issues[0]?.path ?? 'body', issues },
      );
    },
    deliveryId: (delivery, payload) => read(declared.deliveryId, delivery, payload),
    event: (delivery, payload) => read(declared.event, delivery, payload),
    where: { deliveryId: whereOf(declared.deliveryId), event: whereOf(declared.event) },
    ...(declared.pings ? { pings: declared.pings } : {}),
    ...(declared.notices ? { notices: declared.notices } : {}),
    ...(declared.events ? { events: declared.events } : {}),
    ...(challenge && 'query' in challenge ? { validation: validationOf(challenge) } : {}),
    ...(challenge && 'header' in challenge
      ? {
          challenge: {
            summary: challenge.summary,
            description: challenge.description,
            headers: documented({
              [credential]: declared.headers[credential] ?? 'required (401 without)',
              [challenge.header]: challenge.headerDescription,
            }),
            read(delivery: RawDelivery) {
              const value = header(delivery, challenge.header);
              return value !== undefined && challenge.pattern.test(value) ? value : undefined;
            },
            where: `headers.${challenge.header}`,
            answer: (value: string) => ({ [challenge.answerField]: value }),
          },
        }
      : {}),
    dispatch: toConnector,
  };
}

/** The query form of a challenge: Graph's `?validationToken=` POST. */
function validationOf(challenge: Extract<WebhookChallengeDeclaration, { query: string }>) {
  return {
    query: challenge.query,
    querystring: z.object({ [challenge.query]: z.string().optional().describe(challenge.queryDescription) }),
    read: (value: unknown) =>
      typeof value === 'string' && challenge.pattern.test(value) ? value : undefined,
  };
}
