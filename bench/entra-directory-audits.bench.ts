/**
 * entra-directory-audits: requests made to collect 10,000 Entra ID directory audit entries in one run (goal: 11, the
 * page-size minimum: Graph serves at most 999 entries a page to `$top`), and items/s, on a loopback Graph that pages
 * `/auditLogs/directoryAudits` by `@odata.nextLink` with a `$skiptoken`.
 *
 * Ours: the `user_lifecycle` collector (`$filter` on the window and the activities, `$top=999`), emitting into a
 * counter. Baseline: the same client and filter without `$top`, so the server's default page applies (the fake's is
 * 100 entries; Graph documents none for the audit log), which is what a script written against the endpoint's
 * defaults does. A full `runConnector` run into a filesystem locker is timed as well.
 *
 *   pnpm bench entra-directory-audits           (through bench/run.ts)
 */
import { GraphClient } from '../connectors/entra/src/client.js';
import { auditFilter, userLifecycle } from '../connectors/entra/src/collectors/user-lifecycle.js';
import { LIFECYCLE_ACTIVITIES, parseEntraConfig } from '../connectors/entra/src/config.js';
import { entraConnector } from '../connectors/entra/src/index.js';
import { configFor, manyAuditEntries, startFake } from '../connectors/entra/test/helpers.js';
import { quiet } from './collector-pass.js';
import { ROUNDS, requestCountBenchmark } from './request-count.js';

const EVENTS = 10_000;
const PAGE = 999;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
const AUDIT = '/auditLogs/directoryAudits';

export default requestCountBenchmark({
  name: 'entra-directory-audits',
  description:
    'Requests and items/s to collect 10,000 Entra ID directory audit entries in one run (goal: 11 requests)',
  items: EVENTS,
  itemName: 'entries',
  page: PAGE,
  window: WINDOW,
  start: () => startFake(manyAuditEntries(EVENTS, WINDOW), { validate: false }),
  requestsMade: (server) => server.received(AUDIT).length,
  rawConfig: (server) => configFor(server, { requests: {} }),
  parseConfig: parseEntraConfig,
  collector: userLifecycle,
  connector: entraConnector,
  connectorId: 'entra-bench',
  // The same client, the same filter, but no `$top`: the server's default page.
  async baseline(config) {
    const client = new GraphClient(config, { log: quiet, permissions: ['AuditLog.Read.All'] });
    return client.pages<unknown>(
      AUDIT,
      { $filter: auditFilter(WINDOW.since, WINDOW.until, LIFECYCLE_ACTIVITIES) },
      'the directory audit log',
    );
  },
  baselineKey: 'naive',
  baselineKind:
    'naive: the same client and filter without $top, so the server default page (100 entries in the fake)',
  ratioMeaning: 'ours / baseline: the share of the naive requests Crosswalk makes (lower is better)',
  goalText: "Graph's largest $top",
  method:
    `${EVENTS} directory audit entries (disable, delete, create, enable) spread over one week on a loopback fake ` +
    'Graph (paging by @odata.nextLink with $skiptoken, the filter applied by the server). ours = the ' +
    `user_lifecycle collector ($filter on the window and activities, $top=${PAGE}) emitting into a counter; naive ` +
    '= the same GraphClient and filter without $top. Requests counted are audit log pages (the one token request ' +
    `per pass is left out). One warm-up each, then ${ROUNDS} alternating rounds; items/s is the median. Then one ` +
    'runConnector run of user_lifecycle into a filesystem locker in a temp directory (sealing, stamping, ' +
    'write-once storage, run manifest). peakRssMb is this process over everything, the fake server included.',
  note:
    "Against Graph each request costs a round trip and counts against the tenant's throttling budget, which is " +
    'why the request count is the headline.',
});
