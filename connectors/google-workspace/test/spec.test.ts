import { gitBlobId } from '@crosswalk/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_SCOPES } from '../src/config.js';
import { googleWorkspaceConnector } from '../src/index.js';
import { type DocumentId, discovery, SPEC_BLOBS, specBytes } from '../src/sandbox/discovery.js';
import type { FakeGoogleWorkspace } from '../src/sandbox/index.js';
import { acme, collect, configFor, people, startFake } from './helpers.js';

/** The fake is only worth its answers: these prove they are Google's shapes, and that the checks can fail. */
describe("Google's discovery documents", () => {
  it('are the files Google published, byte for byte (their git blob ids match SOURCE.md)', () => {
    for (const [id, { blob }] of Object.entries(SPEC_BLOBS)) {
      expect(gitBlobId(specBytes(id as DocumentId)), id).toBe(blob);
    }
  });

  it('describe every method the connector calls, with a scope it asks for', () => {
    const operations: [string, string, readonly string[]][] = [
      ['GET', '/admin/directory/v1/users', COLLECTOR_SCOPES.users_snapshot],
      ['GET', '/admin/directory/v1/customer/{customer}/roles', COLLECTOR_SCOPES.users_snapshot],
      ['GET', '/admin/directory/v1/customer/{customer}/roleassignments', COLLECTOR_SCOPES.users_snapshot],
      [
        'GET',
        '/admin/reports/v1/activity/users/{userKey}/applications/{applicationName}',
        COLLECTOR_SCOPES.admin_events,
      ],
    ];
    for (const [method, route, scopes] of operations) {
      const found = discovery().method(method, route);
      expect(found, route).toBeDefined();
      expect(
        found!.scopes.some((scope) => scopes.includes(scope)),
        route,
      ).toBe(true);
    }
  });
});

describe('the loopback Google Workspace', () => {
  let server: FakeGoogleWorkspace;

  beforeAll(async () => {
    server = await startFake(acme());
    for (const collector of googleWorkspaceConnector.collectors) {
      const result = await collect(
        collector,
        configFor(server, { requests: { usersPageSize: 2, activitiesPageSize: 2 } }),
      );
      expect(result.error, collector.id).toBeUndefined();
    }
  });

  afterAll(() => server.close());

  it("answers every collector's requests with bodies and queries that match Google's documents", () => {
    const paths = new Set(server.requests.map((r) => `${r.method} ${r.path}`));
    expect([...paths].sort()).toEqual([
      'GET /admin/directory/v1/customer/C03az79cb/roleassignments',
      'GET /admin/directory/v1/customer/C03az79cb/roles',
      'GET /admin/directory/v1/users',
      'GET /admin/reports/v1/activity/users/all/applications/admin',
      'GET /admin/reports/v1/activity/users/all/applications/login',
      'POST /token',
    ]);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the document', () => {
    const checker = discovery();
    const users = '/admin/directory/v1/users';
    expect(
      checker.checkResponse('GET', users, 200, { kind: 'admin#directory#users', users: [people.alice] }),
    ).toEqual([]);
    const wrong = checker.checkResponse('GET', users, 200, {
      users: [{ ...people.alice, suspended: 'no', lastLoginTime: 'yesterday', mfaEnrolled: true }],
    });
    expect(wrong.join('\n')).toContain('/users/0/suspended must be boolean');
    expect(wrong.join('\n')).toContain('/users/0/lastLoginTime must match format "date-time"');
    expect(wrong.join('\n')).toContain('must NOT have additional properties');
    expect(checker.checkResponse('GET', users, 200, { users: {} }).join('\n')).toContain('must be array');
    const activities = '/admin/reports/v1/activity/users/{userKey}/applications/{applicationName}';
    expect(
      checker
        .checkResponse('GET', activities, 200, {
          items: [{ id: { time: 5 }, events: [{ parameters: [{ boolValue: 'yes' }] }] }],
        })
        .join('\n'),
    ).toMatch(/boolValue must be boolean[\s\S]*\/id\/time must be string/);
  });

  it("rejects a query outside the method's parameters", () => {
    const checker = discovery();
    const activities = '/admin/reports/v1/activity/users/{userKey}/applications/{applicationName}';
    const query = new URLSearchParams({ maxResults: '1001', startTime: 'March 1', since: 'x' });
    expect(checker.checkQuery('GET', activities, query)).toEqual([
      `GET ${activities}: maxResults must be at most 1000`,
      expect.stringContaining(`GET ${activities}: startTime must match`),
      `GET ${activities}: takes no query parameter since`,
    ]);
    expect(checker.checkPathParameter('GET', activities, 'applicationName', 'logins')[0]).toContain(
      'must be one of',
    );
  });

  it('answers 400 and records the violation when the connector sends a query Google would refuse', async () => {
    const response = await fetch(`${server.url}/admin/directory/v1/users?customer=C03az79cb&maxResults=501`);
    expect(response.status).toBe(400);
    expect(server.violations.splice(0)).toEqual([
      'GET /admin/directory/v1/users: maxResults must be at most 500',
    ]);
  });
});
