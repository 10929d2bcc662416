import { gitBlobId } from '@crosswalk/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraConnector } from '../src/index.js';
import { graphOpenApi, SPEC_BLOB, specBytes } from '../src/sandbox/openapi.js';
import { certificateConfigFor, collect, configFor, contoso, type FakeEntra, startFake } from './helpers.js';

/** The fake is only worth its answers: these prove they are Graph's shapes, and that the check can fail. */
describe("Microsoft Graph's API description", () => {
  it('is the vendored subset, byte for byte (its git blob id matches SOURCE.md)', () => {
    expect(gitBlobId(specBytes())).toBe(SPEC_BLOB);
  });

  it('describes every operation the connector calls', () => {
    for (const route of [
      '/users',
      '/users/{user-id}',
      '/reports/authenticationMethods/userRegistrationDetails',
      '/directoryRoles',
      '/directoryRoles/{directoryRole-id}/members',
      '/auditLogs/directoryAudits',
      '/identity/conditionalAccess/policies',
      '/policies/authenticationMethodsPolicy',
      '/auditLogs/signIns',
      '/identityGovernance/accessReviews/definitions',
      '/identityGovernance/accessReviews/definitions/{accessReviewScheduleDefinition-id}/instances',
      '/identityGovernance/accessReviews/definitions/{accessReviewScheduleDefinition-id}/instances/{accessReviewInstance-id}/decisions',
    ]) {
      expect(graphOpenApi().operation('GET', route), route).toBeDefined();
    }
  });
});

describe('the loopback Graph', () => {
  let server: FakeEntra;

  beforeAll(async () => {
    server = await startFake(contoso());
    for (const collector of entraConnector.collectors) {
      expect((await collect(collector, configFor(server))).error, collector.id).toBeUndefined();
      expect(
        (await collect(collector, certificateConfigFor(server))).error,
        `${collector.id} with a certificate`,
      ).toBeUndefined();
    }
  });

  afterAll(() => server.close());

  it("answers every collector's requests with bodies that match Graph's description", () => {
    const operations = new Set(
      server.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, '{id}')}`),
    );
    expect([...operations].sort()).toEqual([
      'GET /auditLogs/directoryAudits',
      'GET /auditLogs/signIns',
      'GET /directoryRoles',
      'GET /directoryRoles/{id}/members',
      'GET /identity/conditionalAccess/policies',
      'GET /identityGovernance/accessReviews/definitions',
      'GET /identityGovernance/accessReviews/definitions/{id}/instances',
      'GET /identityGovernance/accessReviews/definitions/{id}/instances/{id}/decisions',
      'GET /policies/authenticationMethodsPolicy',
      'GET /reports/authenticationMethods/userRegistrationDetails',
      'GET /users',
      'POST /{id}/oauth2/v2.0/token',
    ]);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the description', () => {
    const checker = graphOpenApi();
    const good = { value: [{ id: 'u1', accountEnabled: true, userType: 'Member' }] };
    expect(checker.check('GET', '/users', 200, good)).toEqual([]);
    const wrong = checker.check('GET', '/users', 200, {
      value: [{ id: 'u1', accountEnabled: 'yes', enabled: true }],
    });
    expect(wrong.join('\n')).toContain('/value/0/accountEnabled must be boolean,null');
    expect(wrong.join('\n')).toContain('/value/0 must NOT have additional properties');
    expect(checker.check('GET', '/users', 200, { users: [] }).join('\n')).toContain(
      'must NOT have additional properties',
    );
    const audit = checker.check('GET', '/auditLogs/directoryAudits', 200, {
      value: [
        {
          id: 'a',
          activityDateTime: 'yesterday',
          result: 'ok',
          initiatedBy: { user: { userPrincipalName: 7 } },
        },
      ],
    });
    expect(audit.join('\n')).toContain('/value/0/activityDateTime must match format "date-time"');
    expect(audit.join('\n')).toContain('/value/0/result must be equal to one of the allowed values');
    expect(audit.join('\n')).toContain('/value/0/initiatedBy/user/userPrincipalName must be string');
  });

  it('checks a value naming a derived type against that type', () => {
    const members = (member: Record<string, unknown>) =>
      graphOpenApi().check('GET', '/directoryRoles/{directoryRole-id}/members', 200, { value: [member] });
    expect(members({ '@odata.type': '#microsoft.graph.user', id: 'u', accountEnabled: true })).toEqual([]);
    // accountEnabled is a user's, not a group's: a group carrying it is off the description.
    expect(
      members({ '@odata.type': '#microsoft.graph.group', id: 'g', accountEnabled: true }).length,
    ).toBeGreaterThan(0);
  });

  it('checks error answers against OData errors', () => {
    expect(graphOpenApi().check('GET', '/users', 403, { error: { code: 'x', message: 'y' } })).toEqual([]);
    expect(graphOpenApi().check('GET', '/users', 403, { message: 'no' }).join('\n')).toContain(
      "must have required property 'error'",
    );
  });
});
