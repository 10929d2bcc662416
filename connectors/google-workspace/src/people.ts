import { personFrom, sourceTime as timeOf } from '@crosswalk/connector-kit';
import type { Person } from '@crosswalk/core';

export { stringOrNull } from '@crosswalk/connector-kit';

/** Google's "never": a user who never signed in has lastLoginTime 1970-01-01T00:00:00.000Z. */
const EPOCH = '1970-01-01T00:00:00.000Z';

/** A source timestamp in the record format; missing or unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  return timeOf('Google Workspace', value, item, field);
}

/** An optional timestamp: null when absent or Google's epoch placeholder; a data error when unreadable. */
export function optionalTime(value: unknown, item: string, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  const time = sourceTime(value, item, field);
  return time === EPOCH ? null : time;
}

/** A Directory API user as a person: primary email as login and email, Google's id, the full name. */
export function userPerson(user: {
  id?: string;
  primaryEmail?: string;
  name?: { fullName?: string; givenName?: string; familyName?: string };
}): Person {
  const name = user.name?.fullName ?? [user.name?.givenName, user.name?.familyName].filter(Boolean).join(' ');
  return personFrom({ id: user.id, login: user.primaryEmail, email: user.primaryEmail, name }) ?? {};
}

/** A Reports API actor (`{ email, profileId, callerType, key }`) as a person; null when it names no one. */
export function actorPerson(
  actor: { email?: string; profileId?: string; key?: string } | undefined,
): Person | null {
  if (!actor) return null;
  return personFrom({ id: actor.profileId, login: actor.email || actor.key, email: actor.email });
}

/** The start (00:00:00.000Z) of the UTC day of a time: the occurredAt of a daily record. */
export function dayStart(time: Date | string): Date {
  const day = new Date(time);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

export const DAY_MS = 86_400_000;
