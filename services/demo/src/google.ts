/**
 * Northwind's Google Workspace: the same roster (leavers suspended on the day Okta deactivated them, so the late
 * leaver is late here too), the security lead as super admin, 2-Step Verification enforced for everyone, and the
 * Admin console's log of accounts created and suspended.
 */
import {
  adminUserEvent,
  type FakeTenant,
  loginEvent,
  role,
  roleAssignment,
  user,
} from '@crosswalk/connector-google-workspace/sandbox';
import { DOMAIN, emailOf, type Person, people } from './people.js';
import { plusHours, type Timeline, yesterdayAt } from './timeline.js';

export const GOOGLE_CUSTOMER_ID = 'C04nw7nd1';

const iso = (at: Date) => at.toISOString();

export function googleTenant(time: Timeline): FakeTenant {
  const security = people.find((p) => p.role === 'security')!;
  const it = people.find((p) => p.role === 'it')!;
  const joinedAt = (p: Person) =>
    p.joins === undefined ? plusHours(time.at(-400), 9) : plusHours(time.at(p.joins), 8);
  const leftAt = (p: Person) =>
    p.leaves === undefined ? undefined : plusHours(time.at(p.leaves), 9 + (p.removedAfterHours ?? 0));
  const users = people.map((p) => {
    const left = leftAt(p);
    return user(emailOf(p), {
      name: { givenName: p.first, familyName: p.last, fullName: `${p.first} ${p.last}` },
      isAdmin: p === security,
      creationTime: iso(joinedAt(p)),
      lastLoginTime: iso(left ? plusHours(left, -30) : plusHours(time.now, -20)),
      customerId: GOOGLE_CUSTOMER_ID,
      ...(left ? { suspended: true, suspensionReason: 'ADMIN' } : {}),
    });
  });
  const superAdmin = role('_SEED_ADMIN_ROLE');
  const admin = emailOf(it);
  const events = people.flatMap((p) => {
    const out = [];
    if (p.joins !== undefined) out.push(adminUserEvent(iso(joinedAt(p)), admin, 'CREATE_USER', emailOf(p)));
    const left = leftAt(p);
    if (left) out.push(adminUserEvent(iso(left), admin, 'SUSPEND_USER', emailOf(p)));
    return out;
  });
  const active = people.filter((p) => p.leaves === undefined);
  return {
    customerId: GOOGLE_CUSTOMER_ID,
    domain: DOMAIN,
    users,
    roles: [superAdmin],
    roleAssignments: [roleAssignment(superAdmin, String(users[people.indexOf(security)]!.id))],
    activities: {
      admin: events.sort((a, b) =>
        String((a.id as { time: string }).time) < String((b.id as { time: string }).time) ? -1 : 1,
      ),
      // Yesterday's sign-ins, each with a security key after the password.
      login: active.map((p, n) =>
        loginEvent(iso(yesterdayAt(time, 8 + n / 2)), emailOf(p), 'login_success', {
          challenge: ['password', 'security_key'],
        }),
      ),
    },
  };
}
