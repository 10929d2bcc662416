import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlabConnector } from '../src/index.js';
import {
  acme,
  checkRecorded,
  collect,
  configFor,
  type FakeGitLab,
  gitBlobId,
  gitlabOpenApi,
  RECORDED,
  ROUTES,
  SPEC_BLOB,
  specBytes,
  startFake,
  TOKEN,
} from './helpers.js';

/** The fake is only worth its answers: these prove they are GitLab's published shapes, and that the checks can fail. */
describe("GitLab's API description", () => {
  it('is the stored file, byte for byte (its git blob id matches SOURCE.md)', () => {
    expect(gitBlobId(specBytes())).toBe(SPEC_BLOB);
  });

  it('describes every operation the connector calls but the two approval ones, which GitLab documents by example', () => {
    const checker = gitlabOpenApi();
    for (const route of ROUTES) {
      expect(checker.operation('GET', route) === undefined, route).toBe(route in RECORDED);
    }
    expect(checker.operation('GET', '/projects/{id}/approval_rules')).toBeUndefined();
    expect(checker.operation('GET', '/projects/{id}/approvals')).toBeUndefined();
  });
});

describe('the loopback GitLab', () => {
  let server: FakeGitLab;

  beforeAll(async () => {
    server = await startFake(acme());
    for (const collector of gitlabConnector.collectors) {
      const result = await collect(collector, configFor(server));
      expect(result.error, collector.id).toBeUndefined();
    }
  });

  afterAll(() => server.close());

  it("answers every collector's requests with bodies and queries that match GitLab's description", () => {
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
    expect(new Set(server.requests.map((r) => r.path)).size).toBeGreaterThanOrEqual(10);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the description', () => {
    const checker = gitlabOpenApi();
    const members = '/groups/{id}/members/all';
    expect(
      checker.checkResponse('GET', members, 200, [{ id: 1, username: 'ana', access_level: 50 }]),
    ).toEqual([]);
    const wrong = checker.checkResponse('GET', members, 200, [
      { id: '1', username: 7, access_level: 'Owner' },
    ]);
    expect(wrong.join('\n')).toContain('/0/id must be integer');
    expect(wrong.join('\n')).toContain('/0/username must be string');
    expect(wrong.join('\n')).toContain('/0/access_level must be integer');
    // A list the description declares as one object is still a list, checked item by item.
    const list = '/projects/{id}/merge_requests';
    expect(checker.checkResponse('GET', list, 200, { iid: 1 })).toEqual([
      'GET /projects/{id}/merge_requests 200: a list must be an array',
    ]);
    expect(checker.checkResponse('GET', list, 200, [{ iid: 1 }, { iid: 'two' }]).join('\n')).toContain(
      '[1] GET /projects/{id}/merge_requests 200: /iid must be integer',
    );
  });

  it('rejects a query GitLab would refuse', () => {
    const checker = gitlabOpenApi();
    const query = new URLSearchParams({ action: 'approved', after: '2026-03-01T00:00:00Z', sort: 'newest' });
    expect(checker.checkQuery('GET', '/projects/{id}/events', query)).toEqual([
      'GET /projects/{id}/events: after must be a date (YYYY-MM-DD)',
      'GET /projects/{id}/events: sort must be one of asc, desc',
    ]);
    expect(
      checker.checkQuery('GET', '/projects/{id}/merge_requests', new URLSearchParams({ merged_after: 'x' })),
    ).toEqual(['GET /projects/{id}/merge_requests: takes no query parameter merged_after']);
  });

  it("rejects an approval answer that strays from GitLab's documented example", () => {
    expect(checkRecorded('/projects/{id}/approvals', { reset_approvals_on_push: true })).toEqual([]);
    expect(
      checkRecorded('/projects/{id}/approvals', { reset_approvals_on_push: 'yes', approvers: [] }),
    ).toEqual([
      "GET /projects/{id}/approvals 200: /reset_approvals_on_push must be boolean as in GitLab's example, not string",
      "GET /projects/{id}/approvals 200: /approvers is not in GitLab's example answer",
    ]);
    expect(
      checkRecorded('/projects/{id}/approval_rules', [{ name: 'r', approvals_required: '2' }]).join('\n'),
    ).toContain('/0/approvals_required must be number');
  });

  it('answers 400 and records the violation when the connector sends what GitLab would refuse', async () => {
    const response = await fetch(`${server.url}/projects/11/events?sort=newest`, {
      headers: { 'private-token': TOKEN },
    });
    expect(response.status).toBe(400);
    expect(server.violations.splice(0)).toEqual(['GET /projects/{id}/events: sort must be one of asc, desc']);
  });
});
