/**
 * Northwind's BambooHR: the roster as HR keeps it (hire dates, the security lead managing everyone), and each
 * leaver's termination entered on their last day, 09:00 UTC, when the offboarding ticket is opened: HR was on time,
 * which is what makes the late leaver's six days in Okta, Entra, Google and GitHub an IT finding.
 */
import { employee, type FakeCompany, reportsTo, terminate } from '@crosswalk/connector-bamboohr/sandbox';
import { emailOf, people } from './people.js';
import { plusHours, type Timeline } from './timeline.js';

export const BAMBOOHR_DOMAIN = 'northwind';

const date = (at: Date) => at.toISOString().slice(0, 10);

export function bamboohrCompany(time: Timeline): FakeCompany {
  const security = people.find((p) => p.role === 'security')!;
  const lead = employee(1, emailOf(security), {
    fields: {
      firstName: security.first,
      lastName: security.last,
      displayName: `${security.first} ${security.last}`,
    },
    department: 'Security',
    hireDate: date(time.at(-800)),
  });
  const others = people
    .filter((p) => p !== security)
    .map((p, n) => {
      const hired = time.at(p.joins ?? -400 - n * 20);
      const person = reportsTo(
        employee(n + 2, emailOf(p), {
          fields: { firstName: p.first, lastName: p.last, displayName: `${p.first} ${p.last}` },
          department: p.role === 'it' ? 'IT' : 'Engineering',
          hireDate: date(hired),
          lastChanged: plusHours(hired, 16)
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        }),
        lead,
      );
      if (p.leaves === undefined) return person;
      const left = time.at(p.leaves);
      return terminate(
        person,
        date(left),
        plusHours(left, 9)
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        {
          comment: 'Resigned',
        },
      );
    });
  return { domain: BAMBOOHR_DOMAIN, employees: [lead, ...others] };
}
