import { personFrom } from '@crosswalk/connector-kit';
import { CrosswalkError, type PayloadOf } from '@crosswalk/core';
import type { BambooHrClient } from './client.js';
import { isCalendarDay, terminationInstant } from './time-zone.js';

type Employee = PayloadOf<'bamboohr.employees_snapshot'>['employees'][number];

export const CUSTOM_REPORT_PATH = '/api/v1/reports/custom';

/** The employee fields read, by BambooHR's field ids (GET /api/v1/meta/fields lists them). */
export const EMPLOYEE_FIELDS = [
  'employeeNumber',
  'firstName',
  'lastName',
  'displayName',
  'status',
  'employmentHistoryStatus',
  'workEmail',
  'department',
  'supervisorEId',
  'supervisorEmail',
  'hireDate',
  'terminationDate',
] as const;

/** One row of a custom report: `id` and one key per field; BambooHR leaves an empty field "" (or null). */
export type ReportRow = { id?: string } & Partial<Record<(typeof EMPLOYEE_FIELDS)[number], string | null>>;

const text = (value: string | null | undefined): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/** A date field: null when empty or BambooHR's `0000-00-00`; a data error naming the employee when unreadable. */
function day(value: string | null | undefined, employee: string, field: string): string | null {
  const given = text(value);
  if (given === null || given === '0000-00-00') return null;
  if (!isCalendarDay(given)) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `BambooHR returned employee ${employee} with ${field} "${given}", not a date`,
      {
        where: `employee ${employee}`,
      },
    );
  }
  return given;
}

/**
 * Every employee BambooHR lists (the custom report includes inactive ones), or those of `employeeIds`, read in one
 * request. The deprecated-but-served custom report is used because it takes an API key; the newer paged employee
 * list takes OAuth only.
 */
export async function readEmployees(
  client: BambooHrClient,
  timeZone: string,
  employeeIds?: readonly string[],
): Promise<Employee[]> {
  const body = {
    title: 'Crosswalk employees',
    fields: [...EMPLOYEE_FIELDS],
    ...(employeeIds ? { filters: { employeeIds: employeeIds.map(Number) } } : {}),
  };
  const report = await client.post<{ employees?: ReportRow[] }>(
    CUSTOM_REPORT_PATH,
    { format: 'json', onlyCurrent: 'true' },
    body,
    'employees (custom report)',
  );
  if (!Array.isArray(report?.employees)) {
    throw new CrosswalkError('CW_SOURCE_DATA', 'BambooHR returned a report without its employees list', {
      where: 'employees (custom report)',
    });
  }
  const employees = report.employees.map((row) => employeeOf(row, timeZone));
  return employees.sort(
    (a, b) => Number(a.employeeId) - Number(b.employeeId) || a.employeeId.localeCompare(b.employeeId),
  );
}

function employeeOf(row: ReportRow, timeZone: string): Employee {
  const id = text(row.id);
  if (id === null) {
    throw new CrosswalkError('CW_SOURCE_DATA', 'BambooHR returned an employee without an id', {
      where: 'employees (custom report)',
    });
  }
  const workEmail = text(row.workEmail);
  const name =
    text(row.displayName) ?? ([text(row.firstName), text(row.lastName)].filter(Boolean).join(' ') || null);
  const terminationDate = day(row.terminationDate, id, 'terminationDate');
  const managerId = text(row.supervisorEId);
  const managerEmail = text(row.supervisorEmail);
  return {
    person: personFrom({ id, login: workEmail, email: workEmail, name }) ?? { id },
    employeeId: id,
    employeeNumber: text(row.employeeNumber),
    status: text(row.status),
    employmentStatus: text(row.employmentHistoryStatus),
    workEmail,
    department: text(row.department),
    manager:
      managerId === null && managerEmail === null ? null : { employeeId: managerId, email: managerEmail },
    hireDate: day(row.hireDate, id, 'hireDate'),
    terminationDate,
    terminatedAt: terminationDate === null ? null : terminationInstant(terminationDate, timeZone),
  };
}
