/**
 * A BambooHR company as the loopback fake serves it: employees with the fields the custom report returns, and each
 * employee's employmentStatus table rows with the record's last-changed time. Builders give realistic defaults;
 * tests override what they state.
 */

export interface FakeEmployee {
  id: string;
  /** Field id -> value as BambooHR reports it (strings; "" when empty). */
  fields: Record<string, string>;
  /** The employmentStatus table's rows, oldest first. */
  statusRows: Record<string, string>[];
  /** When anything about the employee last changed (ISO 8601, seconds, Z). */
  lastChanged: string;
}

export interface FakeCompany {
  domain: string;
  employees: FakeEmployee[];
}

let rowCounter = 100;

/** An employee, hired on `hireDate`, active, full time; `fields` override the report's values. */
export function employee(
  id: number,
  email: string,
  options: {
    fields?: Record<string, string>;
    hireDate?: string;
    lastChanged?: string;
    department?: string;
  } = {},
): FakeEmployee {
  const [local = 'someone'] = email.split('@');
  const [first = local, last = 'Example'] = local.split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const hireDate = options.hireDate ?? '2024-02-05';
  rowCounter += 1;
  return {
    id: String(id),
    fields: {
      employeeNumber: String(1000 + id),
      firstName: cap(first),
      lastName: cap(last),
      displayName: `${cap(first)} ${cap(last)}`,
      status: 'Active',
      employmentHistoryStatus: 'Full-Time',
      workEmail: email,
      department: options.department ?? 'Engineering',
      supervisorEId: '',
      supervisorEmail: '',
      hireDate,
      terminationDate: '0000-00-00',
      ...options.fields,
    },
    statusRows: [
      {
        id: String(rowCounter),
        employeeId: String(id),
        date: hireDate,
        employmentStatus: 'Full-Time',
        comment: '',
        terminationReasonId: '',
        terminationTypeId: '',
        terminationRehireId: '',
        terminationRegrettableId: '',
      },
    ],
    lastChanged: options.lastChanged ?? '2024-02-05T16:00:00Z',
  };
}

/** Someone's manager: the supervisor fields point at them. */
export function reportsTo(person: FakeEmployee, manager: FakeEmployee): FakeEmployee {
  person.fields.supervisorEId = manager.id;
  person.fields.supervisorEmail = manager.fields.workEmail ?? '';
  return person;
}

/**
 * HR terminates someone: a `Terminated` employmentStatus row dated `date`, the employee inactive with that
 * termination date, and the record changed at `enteredAt` (when HR saved it).
 */
export function terminate(
  person: FakeEmployee,
  date: string,
  enteredAt: string,
  reason: { reasonId?: string; typeId?: string; comment?: string } = {},
): FakeEmployee {
  rowCounter += 1;
  person.statusRows.push({
    id: String(rowCounter),
    employeeId: person.id,
    date,
    employmentStatus: 'Terminated',
    comment: reason.comment ?? '',
    terminationReasonId: reason.reasonId ?? '21',
    terminationTypeId: reason.typeId ?? '1',
    terminationRehireId: '6',
    terminationRegrettableId: '',
  });
  person.fields.status = 'Inactive';
  person.fields.employmentHistoryStatus = 'Terminated';
  person.fields.terminationDate = date;
  person.lastChanged = enteredAt;
  return person;
}
