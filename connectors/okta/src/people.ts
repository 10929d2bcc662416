import {
  looksLikeEmail,
  optionalSourceTime,
  personFrom,
  sourceTime as timeOf,
} from '@crosswalk/connector-kit';
import type { Person } from '@crosswalk/core';

export {
  booleanOrNull,
  numberOrNull,
  samePerson,
  snapshotDay,
  stringOrNull,
} from '@crosswalk/connector-kit';

/** A System Log actor or target: `{ id, type, alternateId, displayName }`. */
export interface LogActorLike {
  id?: string | null;
  type?: string | null;
  alternateId?: string | null;
  displayName?: string | null;
}

/** Okta's placeholder for a field it does not know: dropped. */
const known = (value: string | null | undefined) => (value === 'unknown' ? undefined : value);

/**
 * A System Log actor or target as a record's person. Okta's `alternateId` of a user is their login (usually an
 * email address); `unknown` is Okta's placeholder and is dropped.
 */
export function logPerson(entity: LogActorLike | null | undefined): Person | null {
  if (!entity) return null;
  const alternate = known(entity.alternateId);
  const person = personFrom({
    id: entity.id,
    login: alternate,
    email: looksLikeEmail(alternate) ? alternate : undefined,
    name: known(entity.displayName),
  });
  return person?.id || person?.login || person?.name ? person : null;
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
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ');
  return personFrom({ id: profile.id, login: profile.login, email: profile.email, name });
}

/** An Okta user (`/api/v1/users`) as a person. */
export function userPerson(user: {
  id?: string | null;
  profile?: Parameters<typeof profilePerson>[0];
}): Person {
  return profilePerson({ ...user.profile, id: user.id }) ?? {};
}

/** A source timestamp in the record format; missing or unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  return timeOf('Okta', value, item, field);
}

/** An optional source timestamp: null when absent; still a data error when present but unreadable. */
export function optionalTime(value: unknown, item: string, field: string): string | null {
  return optionalSourceTime('Okta', value, item, field);
}
