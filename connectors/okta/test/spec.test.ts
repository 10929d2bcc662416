import { gitBlobId } from '@crosswalk/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oktaConnector } from '../src/index.js';
import type { FakeOkta } from '../src/sandbox/index.js';
import { type DescriptionId, openApi, SPEC_BLOBS, specBytes } from '../src/sandbox/openapi.js';
import { acme, collect, configFor, oauthConfigFor, startFake, TOKEN } from './helpers.js';

/** The fake is only worth its answers: these prove they are Okta's shapes, and that the checks can fail. */
describe("Okta's API descriptions", () => {
  it('are the files Okta published, byte for byte (their git blob ids match SOURCE.md)', () => {
    for (const [id, { blob }] of Object.entries(SPEC_BLOBS)) {
      expect(gitBlobId(specBytes(id as DescriptionId)), id).toBe(blob);
    }
  });

  it('describe every operation the connector calls, with the OAuth scope it needs', () => {
    const operations: [string, string, string][] = [
      ['GET', '/api/v1/policies', 'okta.policies.read'],
      ['GET', '/api/v1/policies/{policyId}/rules', 'okta.policies.read'],
      ['GET', '/api/v1/authenticators', 'okta.authenticators.read'],
      ['GET', '/api/v1/logs', 'okta.logs.read'],
      ['GET', '/api/v1/users', 'okta.users.read'],
      ['GET', '/api/v1/iam/assignees/users', 'okta.roles.read'],
      ['GET', '/api/v1/users/{userId}/roles', 'okta.roles.read'],
      ['GET', '/api/v1/apps', 'okta.apps.read'],
      ['GET', '/api/v1/apps/{appId}/users', 'okta.apps.read'],
      ['GET', '/governance/api/v1/campaigns', 'okta.governance.accessCertifications.read'],
      ['GET', '/governance/api/v1/campaigns/{campaignId}', 'okta.governance.accessCertifications.read'],
      ['GET', '/governance/api/v1/reviews', 'okta.governance.accessCertifications.read'],
    ];
    for (const [method, route, scope] of operations) {
      const security = openApi().operation(method, route)?.operation.security as Record<string, string[]>[];
      expect(
        security.flatMap((s) => s.oauth2 ?? s.OAuth2 ?? []),
        route,
      ).toContain(scope);
    }
    expect(openApi().operation('POST', '/oauth2/v1/token')).toBeDefined();
  });
});

describe('the loopback Okta', () => {
  let server: FakeOkta;

  beforeAll(async () => {
    server = await startFake(acme());
    for (const collector of oktaConnector.collectors) {
      const result = await collect(collector, configFor(server));
      expect(result.error, collector.id).toBeUndefined();
      expect(
        (await collect(collector, oauthConfigFor(server))).error,
        `${collector.id} over OAuth`,
      ).toBeUndefined();
    }
  });

  afterAll(() => server.close());

  it("answers every collector's requests with bodies that match Okta's descriptions", () => {
    const operations = new Set(
      server.requests.map(
        (r) => `${r.method} ${r.path.split('?')[0]!.replace(/\/(00u|0oa|00p|ici)[A-Za-z0-9]{17}/g, '/{id}')}`,
      ),
    );
    // Every operation in the list above was answered (and so checked) at least once, the token exchange too.
    expect(operations.size).toBeGreaterThanOrEqual(13);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the description', () => {
    const checker = openApi();
    expect(
      checker.check('GET', '/api/v1/logs', 200, [{ uuid: 'x', published: '2026-03-01T00:00:00.000Z' }]),
    ).toEqual([]);
    const wrong = checker.check('GET', '/api/v1/logs', 200, [{ uuid: 7, actor: 'carol', published: 5 }]);
    expect(wrong.join('\n')).toContain('/0/actor must be object');
    expect(wrong.join('\n')).toContain('/0/published must be string');
    expect(checker.check('GET', '/api/v1/users', 200, { users: [] }).join('\n')).toContain('must be array');
  });

  it('checks each policy and rule against the subtype its `type` names, and rejects a type Okta does not have', () => {
    const checker = openApi();
    const problems = checker.check('GET', '/api/v1/policies', 200, [
      { id: 'p', name: 'x', type: 'NOT_A_POLICY' },
    ]);
    expect(problems).toEqual([
      'GET /api/v1/policies 200: /0/type "NOT_A_POLICY" is not one of the description\'s subtypes',
    ]);
    // An access policy's `conditions` must be null (they live on its rules): the subtype says so, the base does not.
    expect(
      checker.check('GET', '/api/v1/policies', 200, [
        { id: 'p', name: 'x', type: 'ACCESS_POLICY', conditions: {} },
      ]).length,
    ).toBeGreaterThan(0);
  });

  it('rejects governance answers that miss what the governance description requires', () => {
    const problems = openApi().check('GET', '/governance/api/v1/reviews', 200, {
      data: [{ id: 'r1', decision: 'MAYBE' }],
    });
    const text = problems.join('\n');
    expect(text).toContain("must have required property '_links'");
    expect(text).toContain("must have required property 'principalProfile'");
    expect(text).toContain('/data/0/decision must be equal to one of the allowed values');
  });

  it('sends the API token only as SSWS, and OAuth access tokens only as Bearer', () => {
    const authorizations = server.requests.map((r) => r.authorization?.split(' ')[0]);
    expect(new Set(authorizations)).toEqual(new Set(['SSWS', 'Bearer', undefined]));
    expect(server.requests.filter((r) => r.authorization === `SSWS ${TOKEN}`).length).toBeGreaterThan(0);
    // The token endpoint is authenticated by the signed client assertion in the body, not a header.
    expect(server.received('/oauth2/v1/token').every((r) => r.authorization === undefined)).toBe(true);
  });
});
