import { z } from 'zod';
import { parseJsonText } from './json.js';
import { header, type RawDelivery, toConnector, type WebhookSender } from './sender.js';
import { sha256Signature, signatureMatches, webhookSecretOf } from './signature.js';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>` (HMAC-SHA256 of the raw body with the webhook secret),
 * `X-GitHub-Delivery` (a GUID, the same on redelivery), `X-GitHub-Event`. Both content types GitHub offers
 * are read: application/json, and application/x-www-form-urlencoded with the JSON in `payload`.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
export const githubSender: WebhookSender = {
  name: 'github',
  url: '/:connectorId/github',
  summary: 'GitHub webhook delivery',
  description:
    'Configure the GitHub webhook with this URL as payload URL, content type application/json and the ' +
    "connector's `webhookSecret` as secret. Events: pull_request, pull_request_review, organization (ping is " +
    'acknowledged; others are acknowledged and ignored).',
  params: z.object({ connectorId: z.string().max(128) }),
  headers: z.object({
    'x-hub-signature-256': z.string().optional().describe('sha256=<hex>; required (401 without)'),
    'x-github-delivery': z.string().optional().describe('Delivery GUID; required'),
    'x-github-event': z.string().optional().describe('Event name; required'),
  }),
  credential: 'x-hub-signature-256',
  // The two content types a GitHub webhook can be set to; GitHub always sends one.
  contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
  connectorTypes: ['github'],
  verify(delivery, config) {
    const secret = webhookSecretOf(config);
    if (!secret) return false;
    return signatureMatches(sha256Signature(secret, delivery.body), header(delivery, 'x-hub-signature-256'));
  },
  deliveryId: (delivery) => header(delivery, 'x-github-delivery'),
  event: (delivery) => header(delivery, 'x-github-event'),
  parse(delivery: RawDelivery) {
    const type = header(delivery, 'content-type') ?? '';
    if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
      return parseJsonText(new URLSearchParams(delivery.body.toString('utf8')).get('payload'));
    }
    return parseJsonText(delivery.body.toString('utf8'));
  },
  pings: ['ping'],
  events: ['pull_request', 'pull_request_review', 'organization'],
  dispatch: toConnector,
};
