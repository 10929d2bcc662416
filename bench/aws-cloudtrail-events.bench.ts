/**
 * aws-cloudtrail-events: requests made to collect 10,000 IAM change events from CloudTrail in one run (goal: 200,
 * the page-size minimum: LookupEvents serves at most 50 events a page), and items/s, on the loopback AWS that pages
 * LookupEvents by NextToken in CloudTrail's own JSON protocol.
 *
 * Ours: the `iam_changes` collector (one lookup on `EventSource = iam.amazonaws.com`, 50 a page), emitting into a
 * counter. Baseline: the same SDK client asking per event name (`EventName = DeleteUser`, then the next ...), which
 * is what a script does that filters on the server by the names it wants (LookupEvents takes one attribute only).
 *
 *   pnpm bench aws-cloudtrail-events            (through bench/run.ts)
 */
import { AwsSession } from '../connectors/aws/src/client.js';
import {
  IAM_CHANGE_EVENTS,
  iamChanges,
  lookupEventPages,
} from '../connectors/aws/src/collectors/iam-changes.js';
import { parseAwsConfig } from '../connectors/aws/src/config.js';
import { awsConnector } from '../connectors/aws/src/index.js';
import { account, type FakeAws, trailEvent } from '../connectors/aws/src/sandbox/index.js';
import { configFor, PROD, startFake } from '../connectors/aws/test/helpers.js';
import { quiet } from './collector-pass.js';
import { ROUNDS, requestCountBenchmark } from './request-count.js';

const EVENTS = 10_000;
const PAGE = 50;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
const NAMES = [...IAM_CHANGE_EVENTS].filter((name) => name !== 'UpdateAccessKey');

const lookups = (server: FakeAws) => server.calledFor('cloudtrail:LookupEvents');

/** One account with EVENTS IAM changes spread over the week, by two admins, on as many users. */
function organization() {
  const span = Date.parse(WINDOW.until) - Date.parse(WINDOW.since);
  const events = Array.from({ length: EVENTS }, (_, i) =>
    trailEvent(
      PROD,
      NAMES[i % NAMES.length]!,
      new Date(Date.parse(WINDOW.since) + Math.floor((i * span) / EVENTS)).toISOString(),
      { userName: i % 2 === 0 ? 'alice@acme.example' : 'ops-admin' },
      { userName: `user-${i}` },
    ),
  );
  return { accounts: [account(PROD, { events })] };
}

export default requestCountBenchmark({
  name: 'aws-cloudtrail-events',
  description:
    'Requests and items/s to collect 10,000 IAM change events from CloudTrail in one run (goal: 200 requests)',
  items: EVENTS,
  itemName: 'events',
  page: PAGE,
  window: WINDOW,
  start: () => startFake(organization(), { validate: false }),
  requestsMade: lookups,
  rawConfig: (server) =>
    configFor(server, { accounts: [{ accountId: PROD }], identityCenter: undefined, requests: {} }),
  parseConfig: parseAwsConfig,
  collector: iamChanges,
  connector: awsConnector,
  connectorId: 'aws-bench',
  // The same SDK client on the same transport, one lookup per event name.
  async baseline(config) {
    const session = new AwsSession(config, config.accounts[0]!, { log: quiet });
    return (async function* () {
      for (const name of NAMES) {
        for await (const page of lookupEventPages(session, { key: 'EventName', value: name }, WINDOW)) {
          yield page.events;
        }
      }
    })();
  },
  baselineKey: 'perEventName',
  baselineKind:
    'per event name: the same client, one LookupEvents walk per IAM change event name (CloudTrail takes one lookup attribute)',
  ratioMeaning: 'ours / baseline: the share of the per-name requests Crosswalk makes (lower is better)',
  goalText: "LookupEvents' largest page (MaxResults 50)",
  method:
    `${EVENTS} IAM change events (${NAMES.length} event names, evenly) over one week in one account on the loopback ` +
    'AWS (LookupEvents paged by NextToken, awsJson1_1). ours = the iam_changes collector (EventSource = ' +
    `iam.amazonaws.com, MaxResults ${PAGE}) emitting into a counter; baseline = the same SDK client and transport, ` +
    'one walk per event name. Requests counted are LookupEvents calls. One warm-up each, then ' +
    `${ROUNDS} alternating rounds; items/s is the median. Then one runConnector run of iam_changes into a ` +
    'filesystem locker. peakRssMb is this process over everything, the fake server included.',
  note:
    'CloudTrail allows about two LookupEvents calls a second per account and region, so against AWS the request ' +
    'count, not loopback items/s, sets the run time: 200 requests is about 100 s. The per-name walk costs one more ' +
    'request per name whose last page is partial; the real cost of a naive client is larger where it also pages ' +
    'read-only IAM events it then drops.',
});
