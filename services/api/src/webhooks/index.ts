export { senderFor } from './connector.js';
export { genericSender } from './generic.js';
export type { Delivery, RawDelivery, WebhookChallenge, WebhookSender } from './sender.js';

import { registry } from '@crosswalk/runtime';
import { senderFor } from './connector.js';
import { genericSender } from './generic.js';
import type { WebhookSender } from './sender.js';

/**
 * The senders the service takes deliveries from, each one route under /v1/webhooks: one per registered connector
 * that declares a webhook sender, and the generic signed webhook for any connector.
 */
export const senders: readonly WebhookSender[] = [
  ...registry
    .all()
    .filter((connector) => connector.webhook)
    .map(senderFor),
  genericSender,
];

export const githubSender = senderFor(registry.get('github'));
