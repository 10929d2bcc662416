export { genericSender } from './generic.js';
export { githubSender } from './github.js';
export type { Delivery, RawDelivery, WebhookSender } from './sender.js';

import { genericSender } from './generic.js';
import { githubSender } from './github.js';
import type { WebhookSender } from './sender.js';

/** The senders the service takes deliveries from; each becomes one route under /v1/webhooks. */
export const senders: readonly WebhookSender[] = [githubSender, genericSender];
