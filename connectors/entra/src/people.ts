import { CrosswalkError, type Person, toTimestamp } from '@crosswalk/core';

/** A Graph user or the audit log's `userIdentity`, the fields that name a person. */
export interface GraphUserLike {
  id?: string | null;
  userPrincipalName?: string | null;
  mail?: string | null;
  displayName?: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;
/** Graph's "no one": the empty GUID it writes as the reviewer of an unreviewed decision, or for Entra itself. */
const NO_ONE = '00000000-0000-0000-0000-000000000000';

/** A Graph user as a record's person: the user principal name is the login, `mail` the address. */
export function graphPerson(user: GraphUserLike | null | undefined): Person | null {
  if (!user) return null;
  const person: Person = {};
  if (user.id && user.id !== NO_ONE) person.id = user.id;
  if (user.userPrincipalName) person.login = user.userPrincipalName;
  if (user.mail && EMAIL.test(user.mail)) person.email = user.mail;
  if (user.displayName) person.name = user.displayName;
  return person.id || person.login || person.name ? person : null;
}

/** A Graph timestamp in the record format; missing or unreadable is a data error naming the item. */
export function graphTime(value: unknown, item: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new CrosswalkError('CW_SOURCE_DATA', `Microsoft Graph returned ${item} without ${field}`, {
      where: item,
    });
  }
  try {
    return toTimestamp(value);
  } catch {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Microsoft Graph returned ${item} with an unreadable ${field}`,
      {
        where: item,
      },
    );
  }
}

export function optionalGraphTime(value: unknown, item: string, field: string): string | null {
  return value === undefined || value === null || value === '' ? null : graphTime(value, item, field);
}

/** The start (00:00:00.000Z) of the UTC day: a daily snapshot's occurredAt, so a same-day rerun stores nothing. */
export function snapshotDay(now: Date): string {
  const day = new Date(now);
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function requireId(id: unknown, item: string): string {
  if (typeof id === 'string' && id !== '') return id;
  throw new CrosswalkError('CW_SOURCE_DATA', `Microsoft Graph returned ${item} without an id`, {
    where: item,
  });
}
