import { CrosswalkError, type Person, toTimestamp } from '@crosswalk/core';

/**
 * Reading a source's items into records: the same rules for every connector, so that a missing or unreadable field
 * fails the same way (CW_SOURCE_DATA naming the item) whichever vendor sent it.
 */

/** A source timestamp in the record format; missing or unreadable is a data error naming the item and field. */
export function sourceTime(source: string, value: unknown, item: string, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new CrosswalkError('CW_SOURCE_DATA', `${source} returned ${item} without ${field}`, {
      where: item,
    });
  }
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError('not a time');
    return toTimestamp(value);
  } catch {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `${source} returned ${item} with an unreadable ${field} (${String(value).slice(0, 40)})`,
      { where: item },
    );
  }
}

/** An optional source timestamp: null when absent; still a data error when present but unreadable. */
export function optionalSourceTime(
  source: string,
  value: unknown,
  item: string,
  field: string,
): string | null {
  if (value === undefined || value === null || value === '') return null;
  return sourceTime(source, value, item, field);
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

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Whether a handle is an email address (a login that is one is also recorded as the person's email). */
export function looksLikeEmail(value: string | null | undefined): value is string {
  return typeof value === 'string' && EMAIL.test(value);
}

/**
 * A record's person from what a source said of someone: empty values are left out (an email shorter than the
 * record allows too). Null when nothing is left to name them by.
 */
export function personFrom(fields: {
  id?: string | null | undefined;
  login?: string | null | undefined;
  email?: string | null | undefined;
  name?: string | null | undefined;
}): Person | null {
  const person: Person = {};
  if (fields.id) person.id = fields.id;
  if (fields.login) person.login = fields.login;
  if (fields.email && fields.email.length >= 3) person.email = fields.email;
  if (fields.name) person.name = fields.name;
  return person.id || person.login || person.email || person.name ? person : null;
}

/** Whether two people are the same account: by id where both have one, else by login, ignoring case. */
export function samePerson(a: Person | null, b: Person | null): boolean {
  if (!a || !b) return false;
  if (a.id && b.id) return a.id === b.id;
  return a.login !== undefined && a.login.toLowerCase() === b.login?.toLowerCase();
}
