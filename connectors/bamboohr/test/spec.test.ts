import { gitBlobId } from '@crosswalk/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bamboohrConnector } from '../src/index.js';
import {
  acme,
  bamboohrOpenApi,
  collect,
  configFor,
  type FakeBambooHr,
  SPEC_BLOB,
  specBytes,
  startFake,
} from './helpers.js';

/** The fake is only worth its answers: these prove they are BambooHR's published shapes, and that the checks can fail. */
describe("BambooHR's API description", () => {
  it('is the file BambooHR published, byte for byte (its git blob id matches SOURCE.md)', () => {
    expect(gitBlobId(specBytes())).toBe(SPEC_BLOB);
  });

  it('describes both operations the connector calls, with HTTP Basic (an API key) allowed', () => {
    const checker = bamboohrOpenApi();
    for (const [method, route] of [
      ['POST', '/api/v1/reports/custom'],
      ['GET', '/api/v1/employees/changed/tables/{table}'],
    ] as const) {
      const operation = checker.operation(method, route);
      expect(operation, route).toBeDefined();
      expect(operation!.security, route).toContainEqual({ basic: [] });
    }
  });
});

describe('the loopback BambooHR', () => {
  let server: FakeBambooHr;

  beforeAll(async () => {
    server = await startFake(acme());
    for (const collector of bamboohrConnector.collectors) {
      const result = await collect(collector, configFor(server));
      expect(result.error, collector.id).toBeUndefined();
    }
  });

  afterAll(() => server.close());

  it("answers every collector's requests with bodies and queries that match BambooHR's description", () => {
    const calls = server.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls).toEqual([
      'POST /api/v1/reports/custom 200',
      'GET /api/v1/employees/changed/tables/employmentStatus 200',
      'POST /api/v1/reports/custom 200',
    ]);
    expect(server.violations).toEqual([]);
  });

  it('rejects an answer that does not match the description', () => {
    const checker = bamboohrOpenApi();
    const report = '/api/v1/reports/custom';
    expect(
      checker.checkResponse('POST', report, 200, {
        title: 't',
        employees: [{ id: '4', workEmail: 'a@b.c' }],
      }),
    ).toEqual([]);
    // A report value is a string; BambooHR's description has no nulls or numbers there.
    const wrong = checker.checkResponse('POST', report, 200, {
      employees: [{ id: 4, terminationDate: null }],
      fields: 'workEmail',
    });
    expect(wrong.join('\n')).toContain('/employees/0/id must be string');
    expect(wrong.join('\n')).toContain('/employees/0/terminationDate must be string');
    expect(wrong.join('\n')).toContain('/fields must be array');
    const changed = '/api/v1/employees/changed/tables/{table}';
    expect(
      checker
        .checkResponse('GET', changed, 200, {
          table: 'employmentStatus',
          employees: { 4: { lastChanged: 'Tuesday', rows: {} } },
        })
        .join('\n'),
    ).toMatch(/lastChanged must match format "date-time"[\s\S]*rows must be array/);
    expect(checker.checkResponse('GET', changed, 200, { table: 'employmentStatus' }).join('\n')).toContain(
      "must have required property 'employees'",
    );
  });

  it('rejects a request body or query BambooHR would refuse', () => {
    const checker = bamboohrOpenApi();
    expect(
      checker.checkRequest('POST', '/api/v1/reports/custom', { fields: 'workEmail' }).join('\n'),
    ).toContain('/fields must be array');
    expect(
      checker
        .checkRequest('POST', '/api/v1/reports/custom', { fields: [], filters: { employeeIds: ['4'] } })
        .join('\n'),
    ).toContain('/filters/employeeIds/0 must be integer');
    const query = new URLSearchParams({ since: '2026-03-01', page: '2' });
    expect(checker.checkQuery('GET', '/api/v1/employees/changed/tables/{table}', query)).toEqual([
      'GET /api/v1/employees/changed/tables/{table}: takes no query parameter page',
      'GET /api/v1/employees/changed/tables/{table}: since must be an ISO 8601 date-time',
    ]);
  });

  it('answers 400 and records the violation when the connector sends what BambooHR would refuse', async () => {
    const response = await fetch(`${server.url}/api/v1/reports/custom?format=json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${server.options.apiKey}:x`).toString('base64')}`,
        'content-type': 'application/json; charset=UTF-8',
      },
      body: JSON.stringify({ fields: ['workEmail'] }),
    });
    expect(response.status).toBe(400);
    expect(server.violations.splice(0)).toEqual([
      'POST /api/v1/reports/custom: content-type must be exactly application/json',
    ]);
  });
});
