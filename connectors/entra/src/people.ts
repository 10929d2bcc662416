import { looksLikeEmail, optionalSourceTime, personFrom, sourceTime } from '@crosswalk/connector-kit';
import { CrosswalkError, type Person } from '@crosswalk/core';

export { booleanOrNull, snapshotDay, stringOrNull } from '@crosswalk/connector-kit';

/** A Graph user or the audit log's `userIdentity`, the fields that name a person. */
export interface GraphUserLike {
  id?: string | null;
  userPrincipalName?: string | null;
  mail?: string | null;
  displayName?: string | null;
}

/** Graph's "no one": the empty GUID it writes as the reviewer of an unreviewed decision, or for Entra itself. */
const NO_ONE = '00000000-0000-0000-0000-000000000000';

/** A Graph user as a record's person: the user principal name is the login, `mail` the address. */
export function graphPerson(user: GraphUserLike | null | undefined): Person | null {
  if (!user) return null;
  const person = personFrom({
    id: user.id === NO_ONE ? undefined : user.id,
    login: user.userPrincipalName,
    email: looksLikeEmail(user.mail) ? user.mail : undefined,
    name: user.displayName,
  });
  return person?.id || person?.login || person?.name ? person : null;
}

/** A Graph timestamp in the record format; missing or unreadable is a data error naming the item. */
export function graphTime(value: unknown, item: string, field: string): string {
  return sourceTime('Microsoft Graph', value, item, field);
}

export function optionalGraphTime(value: unknown, item: string, field: string): string | null {
  return optionalSourceTime('Microsoft Graph', value, item, field);
}

export function requireId(id: unknown, item: string): string {
  if (typeof id === 'string' && id !== '') return id;
  throw new CrosswalkError('CW_SOURCE_DATA', `Microsoft Graph returned ${item} without an id`, {
    where: item,
  });
}
