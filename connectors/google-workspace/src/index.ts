import { defineConnector } from '@crosswalk/core';
import { adminEvents } from './collectors/admin-events.js';
import { loginActivity } from './collectors/login-activity.js';
import { usersSnapshot } from './collectors/users-snapshot.js';
import { googleWorkspaceConfigSchema } from './config.js';
import { googleWorkspaceKinds } from './kinds.js';
import { VERSION } from './version.js';

/**
 * The Google Workspace connector: the users with 2-Step Verification and admin roles (Directory API), the Admin
 * console's audit events and a daily login aggregate (Reports API), over a service account with domain-wide
 * delegation acting as an admin. Schedules only: see the README for why the Reports API's push channels are not
 * used.
 * @example
 * const config = { type: 'google-workspace', customerId: 'C03az79cb', adminSubject: 'admin@acme.example',
 *   serviceAccountKey: keyFileText };
 * await runConnector({ connector: googleWorkspaceConnector, connectorId: 'gws-acme', config, locker, trigger });
 */
export const googleWorkspaceConnector = defineConnector({
  type: 'google-workspace',
  version: VERSION,
  title: 'Google Workspace',
  kinds: googleWorkspaceKinds,
  configSchema: googleWorkspaceConfigSchema,
  collectors: [usersSnapshot, adminEvents, loginActivity],
});

export default googleWorkspaceConnector;

export { GoogleClient, serviceAccountAssertion } from './client.js';
export {
  ADMIN_EVENT_TYPES,
  COLLECTOR_SCOPES,
  type GoogleWorkspaceConfig,
  type GoogleWorkspaceConfigInput,
  googleWorkspaceConfigSchema,
  parseGoogleWorkspaceConfig,
  REPORTS_RETENTION_DAYS,
} from './config.js';
export { googleWorkspaceKinds } from './kinds.js';
export { VERSION } from './version.js';
