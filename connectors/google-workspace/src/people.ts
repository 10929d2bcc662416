import { CrosswalkError, type Person, toTimestamp } from '@crosswalk/core';

/** Google's "never": a user who never signed in has lastLoginTime 1970-01-01T00:00:00.000Z. */
const EPOCH = '1970-01-01T00:00:00.000Z';

/** A source timestamp in the record format; missing or unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new CrosswalkError('CW_SOURCE_DATA', `Google Workspace returned ${item} without ${field}`, {
      where: item,
    });
  }
  try {
    return toTimestamp(value);
  } catch {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Google Workspace returned ${item} with an unreadable ${field} (${value.slice(0, 40)})`,
      { where: item },
    );
  }
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
  const person: Person = {};
  if (user.id) person.id = user.id;
  if (user.primaryEmail) {
    person.login = user.primaryEmail;
    person.email = user.primaryEmail;
  }
  const name = user.name?.fullName ?? [user.name?.givenName, user.name?.familyName].filter(Boolean).join(' ');
  if (name) person.name = name;
  return person;
}

/** A Reports API actor (`{ email, profileId, callerType, key }`) as a person; null when it names no one. */
export function actorPerson(
  actor: { email?: string; profileId?: string; key?: string } | undefined,
): Person | null {
  if (!actor) return null;
  const person: Person = {};
  if (actor.profileId) person.id = actor.profileId;
  if (actor.email) {
    person.login = actor.email;
    person.email = actor.email;
  } else if (actor.key) person.login = actor.key;
  return person.id || person.login ? person : null;
}

/** The start (00:00:00.000Z) of the UTC day of a time: the occurredAt of a daily record. */
export function dayStart(time: Date | string): Date {
  const day = new Date(time);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

export const DAY_MS = 86_400_000;

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
