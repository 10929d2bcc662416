import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { bamboohrConnector } from '../src/index.js';
import { acme, collect, configFor, employee, startFake, terminate, WINDOW } from './helpers.js';

const fake = closedAfterEach(startFake);
const collector = (id: string) => bamboohrConnector.collectors.find((c) => c.id === id)!;
const payloads = <T>(result: { records: { payload: unknown }[] }) =>
  result.records.map((r) => r.payload as T);

type Termination = {
  employeeId: string;
  terminationDate: string;
  terminatedAt: string;
  hrLastChanged: string | null;
};

/** The company of helpers.ts: two leavers in the window, one terminated on New York's DST change day, entered late. */
describe('a BambooHR history with known answers', () => {
  it('gives exactly the two terminations taking effect in the window, read in New York time', async () => {
    const server = await fake();
    const result = await collect(collector('terminations'), configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records.map((r) => r.occurredAt)).toEqual([
      '2026-03-05T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
    const [dave, erin] = payloads<Termination & Record<string, unknown>>(result);
    expect(dave).toMatchObject({
      company: 'acme',
      timeZone: 'America/New_York',
      employeeId: '4',
      employeeNumber: '1004',
      person: {
        id: '4',
        login: 'dave.leaver@acme.example',
        email: 'dave.leaver@acme.example',
        name: 'Dave Leaver',
      },
      workEmail: 'dave.leaver@acme.example',
      department: 'Engineering',
      terminationDate: '2026-03-04',
      terminatedAt: '2026-03-05T05:00:00.000Z',
      terminationReasonId: '21',
      comment: 'Resigned',
      hrLastChanged: '2026-03-02T15:00:00.000Z',
    });
    // Entered at 23:30 EDT on the change day itself; the day ends at 04:00Z (EDT), not 05:00Z (a fixed EST offset).
    expect(erin).toMatchObject({
      employeeId: '5',
      terminationDate: '2026-03-08',
      terminatedAt: '2026-03-09T04:00:00.000Z',
      hrLastChanged: '2026-03-09T03:30:00.000Z',
    });
    expect(result.records[0]!.source).toMatchObject({
      system: 'bamboohr',
      ref: `acme:employee/4/employmentStatus/${String(dave!.rowId)}`,
      url: `${server.url}/api/v1/employees/4/tables/employmentStatus`,
    });
    // The employees were read back by id only for the two leavers.
    const report = server.received('/api/v1/reports/custom')[0]!;
    expect((report.body as { filters: unknown }).filters).toEqual({ employeeIds: [4, 5] });
    // Employees changed since the lookback (400 days before the window) only.
    expect(server.received('/api/v1/employees/changed')[0]!.query.get('since')).toBe('2025-01-25T00:00:00Z');
  });

  it('snapshots every employee, terminated ones with their date and its UTC instant, and managers', async () => {
    const server = await fake();
    const result = await collect(collector('employees_snapshot'), configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(1);
    expect(result.records[0]!.occurredAt).toBe('2026-03-16T00:00:00.000Z');
    const [snapshot] = payloads<{
      counts: unknown;
      employees: {
        employeeId: string;
        status: string;
        terminationDate: string | null;
        terminatedAt: string | null;
        manager: unknown;
      }[];
    }>(result);
    // At the snapshot (03-16 06:30Z) dave, erin and gina have left; hank's date (03-20) is still ahead.
    expect(snapshot!.counts).toEqual({ employees: 8, active: 4, inactive: 4, terminated: 3 });
    const byId = Object.fromEntries(snapshot!.employees.map((e) => [e.employeeId, e]));
    expect(byId['4']).toMatchObject({
      status: 'Inactive',
      terminationDate: '2026-03-04',
      terminatedAt: '2026-03-05T05:00:00.000Z',
      manager: { employeeId: '1', email: 'carol.chief@acme.example' },
    });
    expect(byId['8']).toMatchObject({
      terminationDate: '2026-03-20',
      terminatedAt: '2026-03-21T04:00:00.000Z',
    });
    // BambooHR's empty date (0000-00-00) and empty supervisor are no date and no manager.
    expect(byId['2']).toMatchObject({ status: 'Active', terminationDate: null, terminatedAt: null });
    expect(byId['6']!.manager).toBeNull();
  });

  it('counts a termination whose instant is the window start, and leaves out one at the window end', async () => {
    const server = await fake();
    const edge = '2026-03-05T05:00:00.000Z'; // dave's termination takes effect exactly then
    const from = await collect(collector('terminations'), configFor(server), {
      window: { since: edge, until: WINDOW.until },
    });
    expect(payloads<Termination>(from).map((t) => t.employeeId)).toEqual(['4', '5']);
    const before = await collect(collector('terminations'), configFor(server), {
      window: { since: WINDOW.since, until: edge },
    });
    expect(before.records).toEqual([]);
  });

  it('reads the same dates in a zone far east of UTC: each termination takes effect on its own day, in UTC', async () => {
    const server = await fake();
    const result = await collect(
      collector('terminations'),
      configFor(server, { timeZone: 'Pacific/Kiritimati' }),
    );
    expect(payloads<Termination>(result).map((t) => [t.employeeId, t.terminatedAt])).toEqual([
      ['4', '2026-03-04T10:00:00.000Z'],
      ['5', '2026-03-08T10:00:00.000Z'],
    ]);
  });

  it('moves a termination across the window end in a zone far west of UTC', async () => {
    const company = acme();
    company.employees.push(
      terminate(employee(9, 'ivan.edge@acme.example'), '2026-03-15', '2026-03-15T12:00:00Z'),
    );
    const server = await fake(company);
    // 03-15 ends at 03-16T00:00Z in UTC (outside [since, until)), but at 03-15T10:00Z in Kiritimati (inside).
    const utc = await collect(collector('terminations'), configFor(server, { timeZone: 'UTC' }));
    expect(payloads<Termination>(utc).map((t) => t.employeeId)).toEqual(['4', '5']);
    const east = await collect(
      collector('terminations'),
      configFor(server, { timeZone: 'Pacific/Kiritimati' }),
    );
    expect(payloads<Termination>(east).map((t) => t.employeeId)).toEqual(['4', '5', '9']);
    // Far west (UTC-12) 03-15 ends at 03-16T12:00Z: outside too.
    const west = await collect(collector('terminations'), configFor(server, { timeZone: 'Etc/GMT+12' }));
    expect(payloads<Termination>(west).map((t) => t.employeeId)).toEqual(['4', '5']);
  });

  it('does not see a termination entered before its lookback (the limit the README states)', async () => {
    const server = await fake();
    const result = await collect(
      collector('terminations'),
      configFor(server, { collectors: { terminations: { lookbackDays: 1 } } }),
      { window: { since: '2026-03-05T00:00:00.000Z', until: WINDOW.until } },
    );
    // dave's record last changed 03-02, before 03-04: only erin is read.
    expect(payloads<Termination>(result).map((t) => t.employeeId)).toEqual(['5']);
  });

  it('refuses a termination row without a readable date, naming the employee', async () => {
    const company = acme();
    company.employees[3]!.statusRows.at(-1)!.date = '2026-13-04';
    const server = await fake(company);
    const result = await collect(collector('terminations'), configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect(String((result.error as Error).message)).toContain('employee 4');
  });
});
