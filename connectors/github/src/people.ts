import { personFrom, sourceTime as timeOf } from '@crosswalk/connector-kit';
import type { Person } from '@crosswalk/core';

export { samePerson as sameAccount, snapshotDay } from '@crosswalk/connector-kit';

/** A GitHub account as a record's person: login, node id and display name where GitHub gave them. */
interface AccountLike {
  login?: string | null;
  /** GraphQL's node id is a string; REST's `id` is the numeric database id, and `node_id` the node id. */
  id?: string | number | null;
  node_id?: string | null;
  name?: string | null;
}

export function person(account: AccountLike): Person {
  const id = account.node_id ?? (typeof account.id === 'string' ? account.id : undefined);
  return personFrom({ login: account.login, id, name: account.name }) ?? {};
}

/** A person, or null for an account GitHub no longer has (a deleted user shows as `ghost`, GraphQL gives null). */
export function personOrNull(account: AccountLike | null | undefined): Person | null {
  if (!account?.login && !account?.id && !account?.node_id) return null;
  return person(account);
}

/** A source timestamp in the record format; anything unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  return timeOf('GitHub', value, item, field);
}
