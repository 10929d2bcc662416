/**
 * GitLab merge request approvals: Crosswalk's collector (the merged list, then the project's `approved` and `pushed`
 * events in one paged list each) against the naive approach (the merged list, then GET each merge request's
 * approvals), over the same 1,000 merged merge requests with two approvals each on the same loopback GitLab, in one
 * process run. The headline is requests made, the figure GitLab's rate limits count; items/s is reported for both.
 *
 *   pnpm bench gitlab-merge-requests          (through bench/run.ts)
 */
import os from 'node:os';
import { GitLabClient } from '../connectors/gitlab/src/client.js';
import { mergeRequestApprovals } from '../connectors/gitlab/src/collectors/merge-request-approvals.js';
import { type GitLabConfig, parseGitLabConfig } from '../connectors/gitlab/src/config.js';
import { mergedInWindow } from '../connectors/gitlab/src/merge-requests.js';
import { FakeGitLab } from '../connectors/gitlab/src/sandbox/index.js';
import { manyMergeRequests, TOKEN } from '../connectors/gitlab/test/helpers.js';
import { collectorPass, comparePasses, type Pass, perSecond, quiet } from './collector-pass.js';
import { type Benchmark, type BenchResult, round } from './harness.js';

const MERGE_REQUESTS = 1000;
const ROUNDS = 3;
const GOAL_RATIO = 10;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };
const PROJECT = { id: 11, path_with_namespace: 'acme/api' };

const ours = (server: FakeGitLab, config: GitLabConfig) =>
  collectorPass(mergeRequestApprovals, config, WINDOW, () => server.requests.length);

/**
 * What a script written against the REST docs does: page through the merged merge requests, then GET each one's
 * approvals. Same client as ours (the connector kit's: retry, rate limits, provenance), so the difference is the
 * access pattern alone. It gets less than ours (no approval times, so no "after the last push" or "after the merge").
 */
async function naive(server: FakeGitLab, config: GitLabConfig): Promise<Pass> {
  const before = server.requests.length;
  const client = new GitLabClient(config, { log: quiet });
  const started = performance.now();
  let items = 0;
  for (const mr of await mergedInWindow(client, PROJECT, WINDOW)) {
    const approvals = await client.get<{ approved_by?: unknown[] }>(
      `/projects/${PROJECT.id}/merge_requests/${mr.iid}/approvals`,
    );
    if ((approvals.approved_by ?? []).length > 0) items += 1;
  }
  return { requests: server.requests.length - before, items, durationMs: performance.now() - started };
}

async function run(log: (message: string) => void): Promise<BenchResult> {
  // Validation against the description is what the tests prove; here it would only time the checker.
  const server = await FakeGitLab.start({
    group: manyMergeRequests(MERGE_REQUESTS, WINDOW),
    token: TOKEN,
    admin: true,
    validate: false,
  });
  const config = parseGitLabConfig({ type: 'gitlab', baseUrl: server.origin, token: TOKEN, group: 'acme' });
  const { oursPasses, naivePasses, peakRssMb, oursRequests, naiveRequests } = await comparePasses({
    ours: () => ours(server, config),
    naive: () => naive(server, config),
    rounds: ROUNDS,
    expected: MERGE_REQUESTS,
    items: 'merge requests',
    close: () => server.close(),
    log,
  });
  const ratio = round(naiveRequests / oursRequests, 2);
  return {
    name: 'gitlab-merge-requests',
    unit: 'requests',
    ours: oursRequests,
    baseline: naiveRequests,
    ratio,
    ratioMeaning: 'baseline / ours: how many times fewer requests Crosswalk makes (fewer is better)',
    goal: GOAL_RATIO,
    goalText: `>= ${GOAL_RATIO}x fewer requests than one request per merge request`,
    meets: ratio >= GOAL_RATIO,
    peakRssMb,
    method:
      `${MERGE_REQUESTS} merged merge requests with 2 approvals each in one project of a loopback fake GitLab (REST v4 ` +
      "in GitLab's shapes, pages of 100). ours = the merge_request_approvals collector (projects, merged list, " +
      "`approved` events, `pushed` events; diff versions only for a fork's merge request, none here); naive = the " +
      'merged list then GET /merge_requests/:iid/approvals for each, sequentially. Both use the same client (the ' +
      `connector kit's HttpClient with GitLab's rate-limit rule). One warm-up each, then ${ROUNDS} alternating ` +
      'rounds; request counts are identical across rounds; items/s is the median.',
    mergeRequests: MERGE_REQUESTS,
    itemsPerSecond: { ours: perSecond(oursPasses), naive: perSecond(naivePasses) },
    durationMs: {
      ours: oursPasses.map((p) => round(p.durationMs, 1)),
      naive: naivePasses.map((p) => round(p.durationMs, 1)),
    },
    requestsPerRound: { ours: oursPasses.map((p) => p.requests), naive: naivePasses.map((p) => p.requests) },
    note:
      "Where GitLab's REST API allows it: approvals of many merge requests come only as a project's `approved` " +
      'events (it has no batch approvals endpoint), and GitLab records no event for a withdrawn approval (see ' +
      'connectors/gitlab/README.md). A merge request from a fork costs one more request (its diff versions), since ' +
      "its pushes are the fork's events. GraphQL's approvedBy batches approvers but gives no approval time.",
    node: process.version,
    cpuCount: os.availableParallelism(),
  };
}

const benchmark: Benchmark = {
  name: 'gitlab-merge-requests',
  description:
    'Requests and items/s to collect 1,000 merged merge requests with approvals: events vs per-MR REST',
  run: (context) => run(context.log),
};

export default benchmark;
