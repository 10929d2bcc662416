/**
 * google-admin-events: requests made to collect 10,000 Google Workspace admin audit events in one run (goal: 10,
 * the page-size limit: the Reports API serves at most 1,000 activities a page), items/s and peak RSS, on a loopback
 * Google Workspace that pages `activities.list` as Google does (maxResults, opaque nextPageToken).
 *
 * Ours: the `admin_events` collector (startTime/endTime, `maxResults=1000`, one walk over all admin events, the
 * wanted types kept on our side), emitting into a counter. Baseline: the same client asking per event name, since
 * the Reports API filters by one `eventName` a request, which is what a script that wants "suspensions, deletions,
 * role assignments, ..." written against the endpoint does; its pages are the same 1,000 (Google's default is its
 * maximum), so the difference is the walks. A full `runConnector` run into a filesystem locker is timed as well.
 *
 *   pnpm bench google-admin-events                (through bench/run.ts)
 */
import { fixedClock } from '@crosswalk/core';
import { GoogleClient } from '../connectors/google-workspace/src/client.js';
import { adminEvents } from '../connectors/google-workspace/src/collectors/admin-events.js';
import { COLLECTOR_SCOPES, parseGoogleWorkspaceConfig } from '../connectors/google-workspace/src/config.js';
import { googleWorkspaceConnector } from '../connectors/google-workspace/src/index.js';
import { FakeGoogleWorkspace } from '../connectors/google-workspace/src/sandbox/index.js';
import {
  ADMIN,
  ADMIN_EVENT_MIX,
  ALL_SCOPES,
  configFor,
  manyAdminEvents,
  SERVICE_ACCOUNT,
} from '../connectors/google-workspace/test/helpers.js';
import { quiet } from './collector-pass.js';
import { ROUNDS, requestCountBenchmark } from './request-count.js';

const EVENTS = 10_000;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

export default requestCountBenchmark({
  name: 'google-admin-events',
  description:
    'Requests and items/s to collect 10,000 Google Workspace admin events in one run (goal: 10 requests)',
  items: EVENTS,
  itemName: 'events',
  page: 1000,
  window: WINDOW,
  start: () =>
    FakeGoogleWorkspace.start({
      tenant: manyAdminEvents(EVENTS, WINDOW),
      serviceAccount: { clientEmail: SERVICE_ACCOUNT.clientEmail, publicKey: SERVICE_ACCOUNT.publicKeyPem },
      admins: [ADMIN],
      grantedScopes: ALL_SCOPES,
      validate: false,
    }),
  // Requests to the Admin SDK itself: the token exchange (one a pass) is counted apart.
  requestsMade: (server) => server.requests.filter((r) => r.path.startsWith('/admin/')).length,
  rawConfig: configFor,
  parseConfig: parseGoogleWorkspaceConfig,
  collector: adminEvents,
  connector: googleWorkspaceConnector,
  connectorId: 'gws-bench',
  // At the window's end: the Reports API keeps 180 days, and a window further back reads nothing.
  clock: fixedClock(WINDOW.until),
  // The same client and window, one walk per wanted event name (the API's `eventName` takes one).
  async baseline(config) {
    const client = new GoogleClient(config, { log: quiet, scopes: COLLECTOR_SCOPES.admin_events });
    return (async function* () {
      for (const [eventName] of ADMIN_EVENT_MIX) {
        yield* client.pages<unknown>(
          '/admin/reports/v1/activity/users/all/applications/admin',
          { customerId: client.customer, startTime: WINDOW.since, endTime: WINDOW.until, eventName },
          'items',
          `${eventName} events`,
        );
      }
    })();
  },
  baselineKey: 'perEventName',
  baselineName: 'per event name',
  baselineKind:
    'per event name: the same client and pages of 1,000 (the default is the maximum), one walk per wanted eventName',
  ratioMeaning: 'ours / baseline: the share of the per-name requests Crosswalk makes (lower is better)',
  goalText: "the Reports API's largest page",
  method:
    `${EVENTS} admin events of ${ADMIN_EVENT_MIX.length} names spread over one week on a loopback fake Google ` +
    'Workspace (activities.list paging as Google does it: maxResults, opaque nextPageToken, newest first). ours = ' +
    'the admin_events collector (startTime/endTime, maxResults=1000, every admin event, types kept on our side) ' +
    'emitting into a counter; baseline = the same GoogleClient walking each event name on its own. Requests are ' +
    "the Admin SDK's; each pass also makes one token request (a signed JWT exchanged for an access token), not " +
    `counted. One warm-up each, then ${ROUNDS} alternating rounds; request counts are identical across rounds; ` +
    'items/s is the median. Then one runConnector run of admin_events into a filesystem locker in a temp ' +
    'directory (sealing, stamping, write-once storage, run manifest). peakRssMb is this process over ' +
    'everything, the fake server included.',
  note:
    "Against Google each request costs a round trip and one unit of the Admin SDK's per-minute quota, which is " +
    'why the request count is the headline.',
});
