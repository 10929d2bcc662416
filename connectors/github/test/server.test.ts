import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MORE_REVIEWS_QUERY,
  PULL_REQUEST_QUERY,
  SEARCH_QUERY,
} from '../src/collectors/pull-request-approvals.js';
import { githubConnector } from '../src/index.js';
import { executeGraphql, graphqlSchema } from '../src/sandbox/graphql.js';
import type { FakeGitHub } from '../src/sandbox/index.js';
import { openApi } from '../src/sandbox/openapi.js';
import { acme, collect, configFor, startFake, TOKEN } from './helpers.js';

/** The fake is only worth its answers: these prove they are GitHub's shapes, and that the checks can fail. */
describe('the loopback GitHub', () => {
  let server: FakeGitHub;

  beforeAll(async () => {
    server = await startFake(acme());
    for (const collector of githubConnector.collectors) await collect(collector, configFor(server));
  });

  afterAll(() => server.close());

  it("answers every collector's REST requests with bodies that match GitHub's OpenAPI description", () => {
    const paths = new Set(server.requests.map((r) => r.path.split('?')[0]));
    // The REST operations the collectors use, each answered at least once and checked.
    expect([...paths].filter((p) => p !== '/graphql').length).toBeGreaterThanOrEqual(12);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the description', async () => {
    const response = await fetch(`${server.url}/orgs/acme`, { headers: { authorization: `token ${TOKEN}` } });
    const organization = (await response.json()) as Record<string, unknown>;
    expect(openApi().check('GET', '/orgs/{org}', 200, organization)).toEqual([]);
    delete organization.login;
    organization.public_repos = 'many';
    const problems = openApi().check('GET', '/orgs/{org}', 200, organization);
    expect(problems.join('\n')).toContain("must have required property 'login'");
    expect(problems.join('\n')).toContain('/public_repos must be integer');
    expect(openApi().check('GET', '/orgs/{org}/members', 200, [{ login: 'x' }]).length).toBeGreaterThan(0);
  });

  it('serves the naive REST endpoints the benchmark compares against in their real shapes', async () => {
    const headers = { authorization: `token ${TOKEN}` };
    const pulls = await (
      await fetch(`${server.url}/repos/acme/api/pulls?state=closed&per_page=2`, { headers })
    ).json();
    expect(openApi().check('GET', '/repos/{owner}/{repo}/pulls', 200, pulls)).toEqual([]);
    const reviews = await (await fetch(`${server.url}/repos/acme/api/pulls/1/reviews`, { headers })).json();
    expect(openApi().check('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', 200, reviews)).toEqual(
      [],
    );
    expect(server.violations).toEqual([]);
  });

  it("validates the connector's GraphQL queries against GitHub's schema", () => {
    for (const query of [SEARCH_QUERY, PULL_REQUEST_QUERY, MORE_REVIEWS_QUERY]) {
      expect(validate(graphqlSchema(), parse(query)).map((e) => e.message)).toEqual([]);
    }
  });

  it('fails a query that asks for a field GitHub does not have', async () => {
    const result = await executeGraphql(
      '{ search(type: ISSUE, query: "is:pr", first: 1) { nodes { ... on PullRequest { approvedBy } } } }',
      {},
      {},
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toContain('Cannot query field "approvedBy" on type "PullRequest".');
  });
});
