import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraConnector } from '../src/index.js';
import { jiraOpenApi, SPEC_BLOB, specText } from '../src/sandbox/openapi.js';
import { API_TOKEN, acmeSite, collect, configFor, EMAIL, type FakeJira, startFakeJira } from './helpers.js';

const authorization = `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`;

/** The fake is only worth its answers: these prove they are Jira's shapes, and that the checks can fail. */
describe('the loopback Jira', () => {
  let server: FakeJira;

  beforeAll(async () => {
    server = await startFakeJira(acmeSite({ changelogInSearch: 5 }));
    for (const collector of jiraConnector.collectors) {
      await collect(collector, configFor(server, { requests: { changelogPageSize: 10, backoffMs: 10 } }));
    }
  });

  afterAll(() => server.close());

  it("checks every request and answer against Atlassian's description of the Jira Cloud platform API", () => {
    const routes = new Set(server.requests.map((r) => r.path.replace(/\/issue\/[^/]+\//, '/issue/{key}/')));
    expect([...routes].sort()).toEqual(['/rest/api/3/issue/{key}/changelog', '/rest/api/3/search/jql']);
    expect(server.violations).toEqual([]);
  });

  it('uses the copy of the description Atlassian published, unaltered', () => {
    const blob = execFileSync('git', ['hash-object', '--stdin'], { input: specText() }).toString().trim();
    expect(blob).toBe(SPEC_BLOB);
    expect(jiraOpenApi().version).toMatch(/^1001\.0\.0-SNAPSHOT-/);
    expect(jiraOpenApi().operation('POST', '/rest/api/3/search/jql')?.operationId).toBe(
      'searchAndReconsileIssuesUsingJqlPost',
    );
  });

  it('rejects an answer that does not match the description', async () => {
    const response = await fetch(`${server.url}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        jql: (server.received('/rest/api/3/search/jql')[0]!.body as { jql: string }).jql,
        fields: ['status', 'reporter'],
        expand: 'changelog',
      }),
    });
    const page = (await response.json()) as {
      isLast: unknown;
      issues: {
        startAt?: number;
        fields: { status: { statusCategory: { id: unknown } }; reporter: { accountId: unknown } };
        changelog: { histories: { items: { fromString: unknown }[] }[] };
      }[];
    };
    expect(jiraOpenApi().checkResponse('POST', '/rest/api/3/search/jql', 200, page)).toEqual([]);
    page.isLast = 'yes';
    page.issues[0]!.fields.status.statusCategory.id = 'three';
    page.issues[0]!.fields.reporter.accountId = 42;
    page.issues[0]!.changelog.histories[0]!.items[0]!.fromString = null;
    page.issues[0]!.startAt = 0;
    const problems = jiraOpenApi().checkResponse('POST', '/rest/api/3/search/jql', 200, page).join('\n');
    expect(problems).toContain('/isLast must be boolean');
    expect(problems).toContain('/issues/0 must NOT have additional properties');
    expect(problems).toContain('/issues/0/changelog/histories/0/items/0/fromString must be string');
    expect(problems).toContain('issues/0/fields/status: /statusCategory/id must be integer');
    expect(problems).toContain('issues/0/fields/reporter: /accountId must be string');
  });

  it('rejects a request body the search does not accept, such as the old startAt paging', () => {
    expect(
      jiraOpenApi()
        .checkRequest('POST', '/rest/api/3/search/jql', { jql: 'project = IT', startAt: 50 })
        .join('\n'),
    ).toContain('must NOT have additional properties');
    expect(
      jiraOpenApi().checkRequest('POST', '/rest/api/3/search/jql', { jql: 'x', expand: ['changelog'] }),
    ).toEqual(['request POST /rest/api/3/search/jql: /expand must be string']);
  });

  it("checks error answers against Jira's ErrorCollection", () => {
    expect(
      jiraOpenApi().checkResponse('POST', '/rest/api/3/search/jql', 401, {
        errorMessages: ['nope'],
        errors: {},
      }),
    ).toEqual([]);
    expect(jiraOpenApi().checkResponse('POST', '/rest/api/3/search/jql', 401, { error: 'nope' })).toEqual([
      'POST /rest/api/3/search/jql 401: (body) must NOT have additional properties',
    ]);
  });
});
