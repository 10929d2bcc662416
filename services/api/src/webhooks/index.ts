export { genericSender } from './generic.js';
export { githubSender } from './github.js';
export { jiraSender } from './jira.js';
export { oktaSender } from './okta.js';
export type { Delivery, RawDelivery, WebhookChallenge, WebhookSender } from './sender.js';

import { genericSender } from './generic.js';
import { githubSender } from './github.js';
import { jiraSender } from './jira.js';
import { oktaSender } from './okta.js';
import type { WebhookSender } from './sender.js';

/** The senders the service takes deliveries from; each becomes one route under /v1/webhooks. */
export const senders: readonly WebhookSender[] = [githubSender, oktaSender, jiraSender, genericSender];
