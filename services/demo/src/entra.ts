/**
 * Northwind's Entra ID tenant: the same roster as Okta (leavers' accounts disabled on the day Okta deactivated them,
 * so the late leaver is late here too), a Global Administrator, MFA registered by everyone, a Conditional Access
 * policy that asks everyone for MFA, and the directory audit log of joiners and leavers.
 */
import {
  audit,
  caPolicy,
  type FakeTenant,
  guid,
  methodsPolicy,
  registration,
  role,
  signIn,
  user,
} from '@crosswalk/connector-entra/sandbox';
import { emailOf, type Person, people } from './people.js';
import { plusHours, type Timeline, yesterdayAt } from './timeline.js';

export const ENTRA_TENANT_ID = guid('tenant:northwind');

const iso = (at: Date) => at.toISOString();

export function entraTenant(time: Timeline): FakeTenant {
  const joinedAt = (p: Person) =>
    p.joins === undefined ? plusHours(time.at(-400), 9) : plusHours(time.at(p.joins), 8);
  const leftAt = (p: Person) =>
    p.leaves === undefined ? undefined : plusHours(time.at(p.leaves), 9 + (p.removedAfterHours ?? 0));
  const users = people.map((p) =>
    user(emailOf(p), {
      displayName: `${p.first} ${p.last}`,
      givenName: p.first,
      surname: p.last,
      accountEnabled: p.leaves === undefined,
      createdDateTime: iso(joinedAt(p)),
    }),
  );
  const userOf = (p: Person) => users[people.indexOf(p)]!;
  const it = people.find((p) => p.role === 'it')!;
  const security = people.find((p) => p.role === 'security')!;
  const mfaForEveryone = caPolicy('Require MFA for everyone');
  const audits = people.flatMap((p) => {
    const out = [];
    if (p.joins !== undefined) out.push(audit('Add user', iso(joinedAt(p)), userOf(p), { user: userOf(it) }));
    const left = leftAt(p);
    if (left) out.push(audit('Disable account', iso(left), userOf(p), { user: userOf(it) }));
    return out;
  });
  const active = people.filter((p) => p.leaves === undefined);
  return {
    tenantId: ENTRA_TENANT_ID,
    users,
    registrations: users.map((u) => registration(u)),
    roles: [role('globalAdministrator', [userOf(security).id]), role('userAdministrator', [userOf(it).id])],
    conditionalAccess: [mfaForEveryone],
    authenticationMethodsPolicy: methodsPolicy({
      MicrosoftAuthenticator: 'enabled',
      Fido2: 'enabled',
      Sms: 'disabled',
    }),
    audits: audits.sort((a, b) => (String(a.activityDateTime) < String(b.activityDateTime) ? -1 : 1)),
    // Yesterday's sign-ins, every one under the MFA policy.
    signIns: active.map((p, n) => signIn(userOf(p), iso(yesterdayAt(time, 8 + n / 2)), { mfaPolicy: true })),
  };
}
