import { booleanOrNull, stringOrNull } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError } from '@crosswalk/core';
import { encodeId, GitLabClient } from '../client.js';
import type { GitLabConfig } from '../config.js';
import { type GitLabUser, personOf, snapshotDay } from '../people.js';

interface MemberItem extends GitLabUser {
  access_level?: number;
  state?: string | null;
  expires_at?: string | null;
}

/** GitLab's access levels by their role names (docs: "Roles and permissions"). */
const ROLES: Record<number, string> = {
  0: 'No access',
  5: 'Minimal access',
  10: 'Guest',
  15: 'Planner',
  20: 'Reporter',
  30: 'Developer',
  40: 'Maintainer',
  50: 'Owner',
};
const OWNER = 50;

/**
 * The usernames of active users without 2FA, instance-wide: GitLab tells 2FA status only to administrators, and only
 * as a filter of the users list; one list covers every member however many there are.
 */
async function usersWithoutTwoFactor(client: GitLabClient): Promise<Set<string>> {
  const users = await client.all<GitLabUser>(
    '/users',
    { two_factor: 'disabled', active: true },
    'users without two-factor authentication',
  );
  return new Set(users.map((user) => user.username).filter((name): name is string => !!name));
}

/**
 * `gitlab.group_members`: the group's members (direct and inherited from parent groups) with their role, state,
 * expiry and, with an instance administrator's token, whether they use two-factor authentication; and whether the
 * group requires it. One record per day.
 */
export const groupMembers: CollectorDefinition<GitLabConfig> = {
  id: 'group_members',
  kind: 'gitlab.group_members',
  description: 'Daily snapshot of group members with their role and 2FA status',
  async collect(ctx) {
    const client = new GitLabClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const group = ctx.config.group;
    const path = `/groups/${encodeId(group)}`;
    const detail = await client.get<{ require_two_factor_authentication?: unknown }>(
      path,
      { with_projects: false },
      `group ${group}`,
    );
    const members = await client.all<MemberItem>(`${path}/members/all`, {}, `members of group ${group}`);
    const withoutTwoFactor = ctx.config.instanceAdmin ? await usersWithoutTwoFactor(client) : null;
    const rows = members.map((member) => {
      const person = personOf(member);
      if (!person || !member.username || typeof member.access_level !== 'number') {
        throw new CrosswalkError(
          'CW_SOURCE_DATA',
          `GitLab returned a member of ${group} without username or access level`,
          {
            where: `members of group ${group}`,
          },
        );
      }
      return {
        person,
        accessLevel: member.access_level,
        role: ROLES[member.access_level] ?? `access level ${member.access_level}`,
        state: stringOrNull(member.state),
        expiresAt: stringOrNull(member.expires_at),
        twoFactorEnabled: withoutTwoFactor ? !withoutTwoFactor.has(member.username) : null,
      };
    });
    await ctx.emit({
      kind: 'gitlab.group_members',
      occurredAt: snapshotDay(new Date(ctx.clock.now())),
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'gitlab',
        instance: group,
        ref: `${group}:members`,
        url: client.url(`${path}/members/all`),
      },
      payload: {
        group,
        requireTwoFactor: booleanOrNull(detail.require_two_factor_authentication),
        twoFactorKnown: withoutTwoFactor !== null,
        members: rows,
        counts: {
          members: rows.length,
          owners: rows.filter((row) => row.accessLevel >= OWNER).length,
          withoutTwoFactor: withoutTwoFactor
            ? rows.filter((row) => row.twoFactorEnabled === false).length
            : null,
        },
      },
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info({ group, members: rows.length }, 'group members snapshot taken');
  },
};
