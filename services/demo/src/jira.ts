/**
 * Northwind's Jira: an offboarding ticket for every leaver (opened on their last day, closed once access was
 * removed), an approved access request for every joiner, and a ticket for each quarter's access review.
 */
import { type FakeSite, type FakeUser, site, ticket, user } from '@crosswalk/connector-jira/sandbox';
import { emailOf, MISSED_REVIEW_QUARTER, type Person, people } from './people.js';
import { plusHours, type Timeline } from './timeline.js';

export const JQL = {
  deprovisioning: 'project = IT AND issuetype = Offboarding',
  provisioning: 'project = IT AND issuetype = "Access request"',
  accessReview: 'project = SEC AND labels = access-review',
} as const;

const iso = (at: Date) => at.toISOString();

export function jiraSite(time: Timeline): FakeSite {
  const users = new Map(people.map((p) => [p.handle, user(p.handle, `${p.first} ${p.last}`, emailOf(p))]));
  const userOf = (role: Person['role'] | string): FakeUser =>
    users.get(people.find((p) => p.role === role || p.handle === role)!.handle)!;
  const it = userOf('it');
  const security = userOf('security');
  const manager = userOf('marco');

  let n = 0;
  const offboarding = people
    .filter((p) => p.leaves !== undefined)
    .map((person) => {
      const opened = plusHours(time.at(person.leaves!), 9);
      const removed = plusHours(opened, person.removedAfterHours ?? 0);
      return ticket(`IT-${++n}`, {
        issueType: 'Offboarding',
        summary: `Offboard ${emailOf(person)}`,
        created: iso(opened),
        reporter: manager,
        assignee: it,
        transitions: [
          { to: 'In Progress', at: iso(plusHours(opened, 0.5)), by: it },
          { to: 'Done', at: iso(plusHours(removed, 1)), by: it },
        ],
        resolution: 'Done',
      });
    });
  const requests = people
    .filter((p) => p.joins !== undefined)
    .map((person) => {
      const opened = plusHours(time.at(person.joins! - 3), 11);
      return ticket(`IT-${++n}`, {
        issueType: 'Access request',
        summary: `Access for ${emailOf(person)}`,
        created: iso(opened),
        reporter: it,
        assignee: it,
        transitions: [
          { to: 'Waiting for approval', at: iso(plusHours(opened, 1)), by: it },
          { to: 'Approved', at: iso(plusHours(opened, 20)), by: manager },
          { to: 'Done', at: iso(plusHours(opened, 26)), by: it },
        ],
        resolution: 'Done',
      });
    });
  let s = 0;
  const reviews = time.quarters.flatMap((quarter, index) => {
    if (index === MISSED_REVIEW_QUARTER) return [];
    const opened = plusHours(quarter.start, 60 * 24 + 9);
    return [
      ticket(`SEC-${++s}`, {
        issueType: 'Task',
        summary: `${quarter.label} quarterly access review`,
        created: iso(opened),
        reporter: it,
        assignee: security,
        transitions: [
          { to: 'In Progress', at: iso(plusHours(opened, 2)), by: security },
          { to: 'Done', at: iso(plusHours(opened, 14 * 24 + 8)), by: security },
        ],
        resolution: 'Done',
      }),
    ];
  });

  return site({
    users: [...users.values()],
    issues: [...offboarding, ...requests, ...reviews],
    queries: {
      [JQL.deprovisioning]: offboarding.map((t) => t.key),
      [JQL.provisioning]: requests.map((t) => t.key),
      [JQL.accessReview]: reviews.map((t) => t.key),
    },
  });
}
