/**
 * Northwind's Okta: everyone on the roster (leavers deprovisioned), two SAML apps, sign-on and access policies
 * that always ask for a second factor, the System Log of joiners and leavers, and Okta Identity Governance
 * campaigns for three of the year's four quarters: the missing one is the review an auditor finds skipped.
 */
import {
  app,
  authenticator,
  campaign,
  event,
  type FakeOrg,
  type FakeUser,
  policy,
  rule,
  user,
  userEntity,
} from '@crosswalk/connector-okta/sandbox';
import { emailOf, employedOn, MISSED_REVIEW_QUARTER, type Person, people } from './people.js';
import { plusHours, type Timeline } from './timeline.js';

const iso = (at: Date) => at.toISOString();

function oktaUser(person: Person, time: Timeline): FakeUser {
  const joined =
    person.joins === undefined ? plusHours(time.at(-400), 9) : plusHours(time.at(person.joins), 8);
  const left =
    person.leaves === undefined
      ? null
      : plusHours(time.at(person.leaves), 9 + (person.removedAfterHours ?? 0));
  return user(emailOf(person), {
    firstName: person.first,
    lastName: person.last,
    status: left ? 'DEPROVISIONED' : 'ACTIVE',
    created: iso(joined),
    activated: iso(plusHours(joined, 0.5)),
    statusChanged: iso(left ?? plusHours(joined, 0.5)),
    passwordChanged: iso(plusHours(joined, 0.5)),
    lastLogin: iso(left ? plusHours(left, -30) : plusHours(time.now, -20)),
  });
}

function policies() {
  const mfa = {
    access: 'ALLOW',
    requireFactor: true,
    factorPromptMode: 'ALWAYS',
    primaryFactor: 'PASSWORD_IDP_ANY_FACTOR',
  };
  const twoFactors = {
    access: 'ALLOW',
    verificationMethod: { factorMode: '2FA', type: 'ASSURANCE', reauthenticateIn: 'PT12H', constraints: [] },
  };
  return [
    policy('OKTA_SIGN_ON', 'Default Policy', [rule('MFA everywhere', 'SIGN_ON', { signon: mfa })], {
      system: true,
    }),
    policy(
      'ACCESS_POLICY',
      'Two factors for every app',
      [rule('Require 2FA', 'ACCESS_POLICY', { appSignOn: twoFactors })],
      {
        conditions: null,
      },
    ),
    policy(
      'MFA_ENROLL',
      'Default MFA enrollment',
      [rule('Default Rule', 'MFA_ENROLL', { enroll: { self: 'CHALLENGE' } }, { system: true })],
      {
        system: true,
        settings: {
          type: 'AUTHENTICATORS',
          authenticators: [
            { key: 'okta_verify', enroll: { self: 'REQUIRED' } },
            { key: 'webauthn', enroll: { self: 'OPTIONAL' } },
          ],
        },
      },
    ),
  ];
}

export function oktaOrg(time: Timeline): FakeOrg {
  const users = new Map(people.map((p) => [p.handle, oktaUser(p, time)]));
  const userOf = (person: Person) => users.get(person.handle)!;
  const security = people.find((p) => p.role === 'security')!;
  const it = people.find((p) => p.role === 'it')!;
  const admin = userEntity(userOf(it));

  const events = people.flatMap((person) => {
    const u = userOf(person);
    const out = [];
    if (person.joins !== undefined) {
      const at = plusHours(time.at(person.joins), 8);
      out.push(event('user.lifecycle.create', iso(at), admin, [userEntity(u)]));
      out.push(event('user.lifecycle.activate', iso(plusHours(at, 0.5)), admin, [userEntity(u)]));
    }
    if (person.leaves !== undefined) {
      const at = plusHours(time.at(person.leaves), 9 + (person.removedAfterHours ?? 0));
      out.push(event('user.lifecycle.deactivate', iso(at), admin, [userEntity(u)]));
    }
    return out;
  });

  const salesforce = app(
    'salesforce',
    'Salesforce',
    people
      .filter((p) => p.leaves === undefined)
      .map((p) => ({ userId: userOf(p).id, scope: 'USER' as const })),
  );
  const githubApp = app(
    'github_enterprise',
    'GitHub Enterprise',
    people
      .filter((p) => p.role === 'engineering' && p.leaves === undefined)
      .map((p) => ({ userId: userOf(p).id, scope: 'GROUP' as const })),
  );

  // One campaign a quarter, launched 60 days in and closed two weeks later; none in the missed quarter.
  const campaigns = time.quarters.flatMap((quarter, index) => {
    if (index === MISSED_REVIEW_QUARTER) return [];
    const startDay = (quarter.start.getTime() - time.from.getTime()) / 86_400_000 + 60;
    const reviewed = people.filter((p) => employedOn(p, startDay) && p.role === 'engineering');
    return [
      campaign(
        `${quarter.label} Salesforce access review`,
        'COMPLETED',
        iso(time.at(startDay)),
        iso(plusHours(time.at(startDay + 14), 17)),
        userOf(security),
        reviewed.map((p, n) => ({
          principal: userOf(p),
          reviewer: userOf(security),
          // One engineer a quarter no longer needs Salesforce: revoked, and Okta removed it.
          decision: n === index ? ('REVOKE' as const) : ('APPROVE' as const),
          decided: iso(plusHours(time.at(startDay + 3 + n * 0.5), 10)),
          remediationStatus: n === index ? ('SUCCESS' as const) : ('NONE' as const),
        })),
        salesforce.id,
      ),
    ];
  });

  return {
    users: [...users.values()],
    adminRoles: {
      [userOf(security).id]: [{ type: 'SUPER_ADMIN', label: 'Super Administrator', assignmentType: 'USER' }],
      [userOf(it).id]: [{ type: 'ORG_ADMIN', label: 'Organization Administrator', assignmentType: 'USER' }],
    },
    apps: [salesforce, githubApp],
    policies: policies(),
    authenticators: [
      authenticator('okta_email', 'Email', 'email'),
      authenticator('okta_password', 'Password', 'password'),
      authenticator('okta_verify', 'Okta Verify', 'app'),
      authenticator('webauthn', 'Security Key or Biometric', 'security_key'),
    ],
    events: events.sort((a, b) => (a.published < b.published ? -1 : 1)),
    governance: { campaigns },
  };
}
