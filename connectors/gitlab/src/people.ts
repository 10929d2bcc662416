import { personFrom, sourceTime as timeOf } from '@crosswalk/connector-kit';
import type { Person } from '@crosswalk/core';

export { samePerson, snapshotDay } from '@crosswalk/connector-kit';

/** A GitLab user as its APIs return it (UserBasic): a numeric id, the username and a display name. */
export interface GitLabUser {
  id?: number | null;
  username?: string | null;
  name?: string | null;
}

/** A user as a record's person, or null for one GitLab no longer has (a deleted user shows as `ghost`, or nothing). */
export function personOf(user: GitLabUser | null | undefined): Person | null {
  if (!user) return null;
  return personFrom({
    id: typeof user.id === 'number' ? String(user.id) : null,
    login: user.username,
    name: user.name,
  });
}

/** A source timestamp in the record format; anything unparseable is a data error naming the item. */
export function sourceTime(value: unknown, item: string, field: string): string {
  return timeOf('GitLab', value, item, field);
}
