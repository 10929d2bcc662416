import { defineConnector } from '@crosswalk/core';
import { accessReviews } from './collectors/access-reviews.js';
import { policies } from './collectors/policies.js';
import { userLifecycle } from './collectors/user-lifecycle.js';
import { usersSnapshot } from './collectors/users-snapshot.js';
import { oktaConfigSchema } from './config.js';
import { oktaKinds } from './kinds.js';
import { oktaSender } from './sender.js';
import { VERSION } from './version.js';
import { handleWebhook } from './webhooks.js';

/**
 * The Okta connector: the IdP configuration (policies and authenticators), user lifecycle events, the user
 * population with admin roles and app assignments, and Okta Identity Governance access reviews, over an API token or
 * an OAuth 2.0 service app with a private key.
 * @example
 * const config = { type: 'okta', orgUrl: 'https://acme.okta.com', auth: { kind: 'token', token } };
 * await runConnector({ connector: oktaConnector, connectorId: 'okta-acme', config, locker, trigger });
 */
export const oktaConnector = defineConnector({
  type: 'okta',
  version: VERSION,
  title: 'Okta',
  kinds: oktaKinds,
  configSchema: oktaConfigSchema,
  collectors: [policies, userLifecycle, usersSnapshot, accessReviews],
  webhook: oktaSender,
  handleWebhook,
});

export default oktaConnector;

export { adminHostFor, OktaClient } from './client.js';
export {
  COLLECTOR_SCOPES,
  LIFECYCLE_EVENT_TYPES,
  type OktaConfig,
  type OktaConfigInput,
  oktaConfigSchema,
  POLICY_TYPES,
  parseOktaConfig,
} from './config.js';
export { redact } from './errors.js';
export { oktaKinds } from './kinds.js';
export { VERSION } from './version.js';
export { handleWebhook } from './webhooks.js';
