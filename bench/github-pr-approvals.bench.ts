/**
 * PR approvals: Crosswalk's collector (GraphQL search, 100 merged PRs with their reviews per request) against the
 * naive REST approach (list closed PRs, then GET the reviews of each merged one), over the same 1,000 merged PRs
 * with reviews on the same loopback GitHub, in one process run. The headline is requests made, the figure GitHub's
 * rate limits count; items/s is reported for both.
 *
 *   pnpm bench github-pr-approvals          (through bench/run.ts)
 */
import os from 'node:os';
import { GitHubClient } from '../connectors/github/src/client.js';
import { pullRequestApprovals } from '../connectors/github/src/collectors/pull-request-approvals.js';
import { type GitHubConfig, parseGitHubConfig } from '../connectors/github/src/config.js';
import { FakeGitHub } from '../connectors/github/src/sandbox/index.js';
import { manyPullRequests, TOKEN } from '../connectors/github/test/helpers.js';
import { collectorPass, comparePasses, type Pass, perSecond, quiet } from './collector-pass.js';
import { type Benchmark, type BenchResult, round } from './harness.js';

const PULL_REQUESTS = 1000;
const ROUNDS = 3;
const GOAL_REQUESTS = 20;
const GOAL_RATIO = 25;
const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

const ours = (server: FakeGitHub, config: GitHubConfig) =>
  collectorPass(pullRequestApprovals, config, WINDOW, () => server.requests.length);

interface SimplePull {
  number: number;
  merged_at: string | null;
  updated_at: string;
  head: { sha: string };
}

/**
 * What a script written against the REST docs does: page through closed PRs newest-updated first until they are
 * older than the window, keep the merged ones, then fetch each one's reviews. Same client as ours (the connector kit's: retry,
 * rate limits, provenance), so the difference is the access pattern alone.
 */
async function naive(server: FakeGitHub, config: GitHubConfig): Promise<Pass> {
  const before = server.requests.length;
  const client = new GitHubClient(config, { log: quiet });
  const since = Date.parse(WINDOW.since);
  const until = Date.parse(WINDOW.until);
  const started = performance.now();
  const merged: SimplePull[] = [];
  for await (const page of client.pages<SimplePull>('/repos/{owner}/{repo}/pulls', {
    owner: 'acme',
    repo: 'api',
    state: 'closed',
    sort: 'updated',
    direction: 'desc',
  })) {
    for (const pull of page) {
      const at = pull.merged_at ? Date.parse(pull.merged_at) : Number.NaN;
      if (at >= since && at < until) merged.push(pull);
    }
    if (page.every((pull) => Date.parse(pull.updated_at) < since)) break;
  }
  let items = 0;
  for (const pull of merged) {
    const reviews = await client.all('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner: 'acme',
      repo: 'api',
      pull_number: pull.number,
    });
    if (reviews.length > 0) items += 1;
  }
  return { requests: server.requests.length - before, items, durationMs: performance.now() - started };
}

async function run(log: (message: string) => void): Promise<BenchResult> {
  // Validation against the OpenAPI description is what the tests prove; here it would only time the checker.
  const server = await FakeGitHub.start({
    org: manyPullRequests(PULL_REQUESTS, WINDOW),
    token: TOKEN,
    validate: false,
  });
  const config = parseGitHubConfig({
    type: 'github',
    org: 'acme',
    baseUrl: server.url,
    auth: { kind: 'token', token: TOKEN },
    // Loopback: no need to space GraphQL queries the way the production default (1 s) does for GitHub.
    requests: { graphqlSpacingMs: 0 },
  });
  const { oursPasses, naivePasses, peakRssMb, oursRequests, naiveRequests } = await comparePasses({
    ours: () => ours(server, config),
    naive: () => naive(server, config),
    rounds: ROUNDS,
    expected: PULL_REQUESTS,
    items: 'PRs',
    close: () => server.close(),
    log,
  });
  const ratio = round(naiveRequests / oursRequests, 2);
  return {
    name: 'github-pr-approvals',
    unit: 'requests',
    ours: oursRequests,
    baseline: naiveRequests,
    ratio,
    ratioMeaning: 'baseline / ours: how many times fewer requests Crosswalk makes (fewer is better)',
    goal: GOAL_RATIO,
    goalRequests: GOAL_REQUESTS,
    goalText: `ours <= ${GOAL_REQUESTS} requests and >= ${GOAL_RATIO}x fewer than naive`,
    meets: oursRequests <= GOAL_REQUESTS && ratio >= GOAL_RATIO,
    peakRssMb,
    method:
      `${PULL_REQUESTS} merged PRs with 2 reviews each on one loopback fake GitHub (REST + GraphQL in GitHub's shapes). ` +
      `ours = the pull_request_approvals collector (GraphQL search, pages of 100, reviews inline); naive = list closed ` +
      `PRs (REST, 100 per page) then GET each merged PR's reviews, sequentially. Both use the same client (the ` +
      `connector kit's HttpClient with GitHub's rate-limit rule, GraphQL spacing 0 on loopback). One warm-up each, then ${ROUNDS} alternating rounds; ` +
      'request counts are identical across rounds; items/s is the median.',
    pullRequests: PULL_REQUESTS,
    itemsPerSecond: { ours: perSecond(oursPasses), naive: perSecond(naivePasses) },
    durationMs: {
      ours: oursPasses.map((p) => round(p.durationMs, 1)),
      naive: naivePasses.map((p) => round(p.durationMs, 1)),
    },
    requestsPerRound: { ours: oursPasses.map((p) => p.requests), naive: naivePasses.map((p) => p.requests) },
    note:
      'On loopback a request costs well under a millisecond, so items/s mostly measures server and client CPU. ' +
      "Against GitHub each request costs a network round trip and a share of the rate limit, and GitHub's " +
      'integrator guidance (followed by default) spaces GraphQL queries 1 s apart.',
    node: process.version,
    cpuCount: os.availableParallelism(),
  };
}

const benchmark: Benchmark = {
  name: 'github-pr-approvals',
  description:
    'Requests and items/s to collect 1,000 merged PRs with reviews: GraphQL collector vs naive REST',
  run: (context) => run(context.log),
};

export default benchmark;
