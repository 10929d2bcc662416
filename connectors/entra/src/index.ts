import { defineConnector } from '@crosswalk/core';
import { accessReviews } from './collectors/access-reviews.js';
import { policies } from './collectors/policies.js';
import { signIns } from './collectors/sign-ins.js';
import { userLifecycle } from './collectors/user-lifecycle.js';
import { usersSnapshot } from './collectors/users-snapshot.js';
import { entraConfigSchema } from './config.js';
import { entraKinds } from './kinds.js';
import { entraSender } from './sender.js';
import { VERSION } from './version.js';
import { handleWebhook } from './webhooks.js';

/**
 * The Microsoft Entra ID connector: the user population (enabled, guests, MFA registration, directory role holders)
 * and user lifecycle events from the directory audit log, read from Microsoft Graph with an app-only token (client
 * secret or certificate).
 * @example
 * const config = { type: 'entra', tenantId, auth: { kind: 'secret', clientId, clientSecret } };
 * await runConnector({ connector: entraConnector, connectorId: 'entra-contoso', config, locker, trigger });
 */
export const entraConnector = defineConnector({
  type: 'entra',
  version: VERSION,
  title: 'Microsoft Entra ID',
  kinds: entraKinds,
  configSchema: entraConfigSchema,
  collectors: [usersSnapshot, userLifecycle, policies, accessReviews, signIns],
  webhook: entraSender,
  handleWebhook,
});

export default entraConnector;

export { GraphClient, graphRateLimitRule } from './client.js';
export {
  COLLECTOR_PERMISSIONS,
  type EntraConfig,
  type EntraConfigInput,
  entraConfigSchema,
  LIFECYCLE_ACTIVITIES,
  parseEntraConfig,
} from './config.js';
export { entraKinds } from './kinds.js';
export { entraSender } from './sender.js';
export { VERSION } from './version.js';
export { handleWebhook } from './webhooks.js';
