import { CrosswalkError, type Person, toTimestamp } from '@crosswalk/core';

/** A System Log actor or target: `{ id, type, alternateId, displayName }`. */
export interface LogActorLike {
  id?: string | null;
  type?: string | null;
  alternateId?: string | null;
  displayName?: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * A System Log actor or target as a record's person. Okta's `alternateId` of a user is their login (usually an
 * email address); `unknown` is Okta's placeholder and is dropped.
 */
export function logPerson(entity: LogActorLike | null | undefined): Person | null {
  if (!entity) return null;
  const person: Person = {};
  if (entity.id) person.id = entity.id;
  const alternate = entity.alternateId && entity.alternateId !== 'unknown' ? entity.alternateId : undefined;
  if (alternate) {
    person.login = alternate;
    if (EMAIL.test(alternate)) person.email = alternate;
  }
  if (entity.displayName && entity.displayName !== 'unknown') person.name = entity.displayName;
  return person.id || person.login || person.name ? person : null;
}

/** An Okta user (`/api/v1/users`) as a person. */
export function userPerson(user: {
  id?: string | null;
  profile?: {
    login?: string | null;
    email?: string | null;
    firstName?: string | null;
    lastName?: string | null;
  } | null;
}): Person {
  const person: Person = {};
  if (user.id) person.id = user.id;
  if (user.profile?.login) person.login = user.profile.login;
  if (user.profile?.email && user.profile.email.length >= 3) person.email = user.profile.email;
  const name = [user.profile?.firstName, user.profile?.lastName].filter(Boolean).join(' ');
  if (name) person.name = name;
  return person;
}

/** A governance principal or reviewer profile (`principalProfile`, `reviewerProfile`). */
export function profilePerson(
  profile:
    | {
        id?: string | null;
        login?: string | null;
        email?: string | null;
        firstName?: string | null;
        lastName?: string | null;
      }
    | null
    | undefined,
): Person | null {
  if (!profile) return null;
  const person: Person = {};
  if (profile.id) person.id = profile.id;
  if (profile.login) person.login = profile.login;
  if (profile.email && profile.email.length >= 3) person.email = profile.email;
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ');
  if (name) person.name = name;
  return person.id || person.login || person.email || person.name ? person : null;
}

export function samePerson(a: Person | null, b: Person | null): boolean {
  if (!a || !b) return false;
  if (a.id && b.id) return a.id === b.id;
  return a.login !== undefined && a.login.toLowerCase() === b.login?.toLowerCase();
}

/** A source timestamp in the record format; missing or unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned ${item} without ${field}`, { where: item });
  }
  try {
    return toTimestamp(value);
  } catch {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Okta returned ${item} with an unreadable ${field} (${value})`,
      {
        where: item,
      },
    );
  }
}

/** An optional source timestamp: null when absent; still a data error when present but unreadable. */
export function optionalTime(value: unknown, item: string, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  return sourceTime(value, item, field);
}

/**
 * The time a daily snapshot is filed under: the start (00:00:00.000Z) of the UTC day it was observed. Two runs on
 * the same day produce the same occurredAt, so the same record id, and the second stores nothing new.
 */
export function snapshotDay(now: Date): string {
  const day = new Date(now);
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
