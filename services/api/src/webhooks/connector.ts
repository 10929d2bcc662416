import { type ConnectorDefinition, CrosswalkError, type DeliveryLocation, zodIssues } from '@crosswalk/core';
import { z } from 'zod';
import { parseJsonText } from './json.js';
import { header, mediaType, type RawDelivery, toConnector, type WebhookSender } from './sender.js';
import { secretMatches, sha256Signature, signatureMatches, webhookSecretOf } from './signature.js';

/** The `where` of a 400 for a value read at this location: `headers.x-github-delivery`, `body.eventId`. */
const whereOf = (location: DeliveryLocation) =>
  'header' in location ? `headers.${location.header}` : `body.${location.field}`;

function read(location: DeliveryLocation, delivery: RawDelivery, payload: unknown): string | undefined {
  if ('header' in location) return header(delivery, location.header);
  const value =
    payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[location.field] : undefined;
  return typeof value === 'string' ? value : undefined;
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
  const credential = declared.authentication.header;
  const verify = (delivery: RawDelivery, config: Record<string, unknown>) => {
    const secret = webhookSecretOf(config);
    if (!secret) return false;
    const received = header(delivery, credential);
    return declared.authentication.scheme === 'hmac-sha256'
      ? signatureMatches(sha256Signature(secret, delivery.body), received)
      : secretMatches(secret, received);
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
    ...(declared.events ? { events: declared.events } : {}),
    ...(challenge
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
