import { CrosswalkError, type Person, toTimestamp } from '@crosswalk/core';

/** A GitHub account as a record's person: login, node id and display name where GitHub gave them. */
interface AccountLike {
  login?: string | null;
  /** GraphQL's node id is a string; REST's `id` is the numeric database id, and `node_id` the node id. */
  id?: string | number | null;
  node_id?: string | null;
  name?: string | null;
}

export function person(account: AccountLike): Person {
  const result: Person = {};
  if (account.login) result.login = account.login;
  const id = account.node_id ?? (typeof account.id === 'string' ? account.id : undefined);
  if (id) result.id = id;
  if (account.name) result.name = account.name;
  return result;
}

/** A person, or null for an account GitHub no longer has (a deleted user shows as `ghost`, GraphQL gives null). */
export function personOrNull(account: AccountLike | null | undefined): Person | null {
  if (!account?.login && !account?.id && !account?.node_id) return null;
  return person(account);
}

export function sameAccount(a: Person | null, b: Person | null): boolean {
  if (a === null || b === null) return false;
  if (a.id && b.id) return a.id === b.id;
  return a.login !== undefined && a.login.toLowerCase() === b.login?.toLowerCase();
}

/** A source timestamp in the record format; anything unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new CrosswalkError('CW_SOURCE_DATA', `GitHub returned ${item} without ${field}`, { where: item });
  }
  try {
    return toTimestamp(value);
  } catch {
    throw new CrosswalkError('CW_SOURCE_DATA', `GitHub returned ${item} with an unreadable ${field}`, {
      where: item,
    });
  }
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
