/**
 * okta-system-log: requests made to collect 10,000 System Log events in one run (goal: 10, the page-size limit:
 * Okta serves at most 1,000 events a page), and items/s, on a loopback Okta that pages `/api/v1/logs` the way Okta
 * does (limit, opaque `after`, Link header; no next link once a bounded query is exhausted).
 *
 * Ours: the `user_lifecycle` collector (since/until, `limit=1000`, a System Log filter on the event types, Link
 * paging), emitting into a counter. Baseline: the same client asking without `limit`, so Okta's default page of
 * 100 applies, which is what a script written against the endpoint's defaults does. The minimum possible,
 * ceil(10,000 / 1,000) = 10, is the goal. A full `runConnector` run into a filesystem locker is timed as well, to
 * show items/s with sealing and storage included.
 *
 *   pnpm bench okta-system-log                   (through bench/run.ts)
 */
import { OktaClient } from '../connectors/okta/src/client.js';
import { eventTypeFilter, userLifecycle } from '../connectors/okta/src/collectors/user-lifecycle.js';
import { LIFECYCLE_EVENT_TYPES, parseOktaConfig } from '../connectors/okta/src/config.js';
import { oktaConnector } from '../connectors/okta/src/index.js';
import { FakeOkta } from '../connectors/okta/src/sandbox/index.js';
import { manyLifecycleEvents, TOKEN } from '../connectors/okta/test/helpers.js';
import { quiet } from './collector-pass.js';
import { ROUNDS, requestCountBenchmark } from './request-count.js';

const EVENTS = 10_000;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

export default requestCountBenchmark({
  name: 'okta-system-log',
  description: 'Requests and items/s to collect 10,000 Okta System Log events in one run (goal: 10 requests)',
  items: EVENTS,
  itemName: 'events',
  page: 1000,
  window: WINDOW,
  start: () => FakeOkta.start({ org: manyLifecycleEvents(EVENTS, WINDOW), token: TOKEN, validate: false }),
  requestsMade: (server) => server.requests.length,
  rawConfig: (server) => ({ type: 'okta', orgUrl: server.url, auth: { kind: 'token', token: TOKEN } }),
  parseConfig: parseOktaConfig,
  collector: userLifecycle,
  connector: oktaConnector,
  connectorId: 'okta-bench',
  // The same client, the same query, but no `limit`: Okta's default page of 100 events.
  async baseline(config) {
    const client = await OktaClient.create(config, { log: quiet, scopes: ['okta.logs.read'] });
    return client.pages<unknown>(
      '/api/v1/logs',
      { since: WINDOW.since, until: WINDOW.until, filter: eventTypeFilter(LIFECYCLE_EVENT_TYPES) },
      'the System Log',
    );
  },
  baselineKey: 'naive',
  baselineKind: "naive: the same client and query without `limit`, so Okta's default page of 100 events",
  ratioMeaning: 'ours / baseline: the share of the naive requests Crosswalk makes (lower is better)',
  goalText: "Okta's largest System Log page",
  method:
    `${EVENTS} user lifecycle events spread over one week on a loopback fake Okta (System Log paging as Okta does ` +
    'it: limit, opaque after cursor, Link header, no next link once a bounded query is exhausted). ours = the ' +
    'user_lifecycle collector (since/until, limit=1000, eventType filter) emitting into a counter; naive = the same ' +
    'OktaClient and filter without limit (default page of 100). One warm-up each, then ' +
    `${ROUNDS} alternating rounds; request counts are identical across rounds; items/s is the median. Then one ` +
    'runConnector run of user_lifecycle into a filesystem locker in a temp directory (sealing, stamping, ' +
    'write-once storage, run manifest). peakRssMb is this process over everything, the fake server included.',
  note:
    "Against Okta each request costs a round trip and one unit of the System Log's per-minute rate limit, which " +
    'is why the request count is the headline.',
});
