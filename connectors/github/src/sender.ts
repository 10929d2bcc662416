import type { WebhookSenderDeclaration } from '@crosswalk/core';

/**
 * GitHub webhooks: `X-Hub-Signature-256: sha256=<hex>` (HMAC-SHA256 of the raw body with the webhook secret),
 * `X-GitHub-Delivery` (a GUID, the same on redelivery), `X-GitHub-Event`. Both content types GitHub offers are read:
 * application/json, and application/x-www-form-urlencoded with the JSON in `payload`.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
export const githubSender: WebhookSenderDeclaration = {
  summary: 'GitHub webhook delivery',
  description:
    'Configure the GitHub webhook with this URL as payload URL, content type application/json and the ' +
    "connector's `webhookSecret` as secret. Events: pull_request, pull_request_review, organization (ping is " +
    'acknowledged; others are acknowledged and ignored).',
  authentication: { scheme: 'hmac-sha256', header: 'x-hub-signature-256' },
  // The two content types a GitHub webhook can be set to; GitHub always sends one.
  contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
  formField: 'payload',
  deliveryId: { header: 'x-github-delivery' },
  event: { header: 'x-github-event' },
  headers: {
    'x-hub-signature-256': 'sha256=<hex>; required (401 without)',
    'x-github-delivery': 'Delivery GUID; required',
    'x-github-event': 'Event name; required',
  },
  pings: ['ping'],
  events: ['pull_request', 'pull_request_review', 'organization'],
};
