import { describe, expect, it } from 'vitest';
import {
  bamboohrCompany,
  emailOf,
  entraTenant,
  googleTenant,
  oktaOrg,
  people,
  timeline,
} from '../src/index.js';

/** The same Northwind in every identity source: one roster, the same leavers, the late leaver late everywhere. */
describe("Northwind's people across Okta, Entra ID, Google Workspace and BambooHR", () => {
  const time = timeline(new Date('2027-02-10T12:00:00.000Z'));
  const emails = people.map(emailOf).sort();
  const leavers = people
    .filter((p) => p.leaves !== undefined)
    .map(emailOf)
    .sort();
  const late = people.find((p) => (p.removedAfterHours ?? 0) > 24)!;

  it('holds the same people, with the leavers disabled, suspended or terminated', () => {
    const entra = entraTenant(time);
    const google = googleTenant(time);
    const hr = bamboohrCompany(time);
    expect(entra.users.map((u) => u.mail).sort()).toEqual(emails);
    expect(google.users.map((u) => u.primaryEmail).sort()).toEqual(emails);
    expect(hr.employees.map((e) => e.fields.workEmail).sort()).toEqual(emails);
    expect(
      entra.users
        .filter((u) => u.accountEnabled === false)
        .map((u) => u.mail)
        .sort(),
    ).toEqual(leavers);
    expect(
      google.users
        .filter((u) => u.suspended === true)
        .map((u) => u.primaryEmail)
        .sort(),
    ).toEqual(leavers);
    expect(
      hr.employees
        .filter((e) => e.fields.status === 'Inactive')
        .map((e) => e.fields.workEmail)
        .sort(),
    ).toEqual(leavers);
  });

  it("removes the late leaver from Entra ID and Google when Okta does, days after HR's termination", () => {
    const email = emailOf(late);
    const okta = oktaOrg(time).events.find(
      (e) => e.eventType === 'user.lifecycle.deactivate' && e.target?.[0]?.alternateId === email,
    )!;
    const entra = entraTenant(time).audits.find(
      (a) =>
        a.activityDisplayName === 'Disable account' &&
        (a.targetResources as { userPrincipalName: string }[])[0]!.userPrincipalName === email,
    )!;
    const google = googleTenant(time).activities.admin.find(
      (a) => JSON.stringify(a.events).includes(`"SUSPEND_USER"`) && JSON.stringify(a.events).includes(email),
    )!;
    expect(entra.activityDateTime).toBe(okta.published);
    expect((google.id as { time: string }).time).toBe(okta.published);
    const hr = bamboohrCompany(time).employees.find((e) => e.fields.workEmail === email)!;
    const terminated = Date.parse(`${hr.fields.terminationDate}T00:00:00Z`);
    expect(Date.parse(okta.published) - terminated).toBeGreaterThan(5 * 86_400_000);
  });
});
