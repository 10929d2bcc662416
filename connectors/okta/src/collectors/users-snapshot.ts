import { sourceStatusOf } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type PayloadOf } from '@crosswalk/core';
import { OktaClient } from '../client.js';
import { COLLECTOR_SCOPES, type OktaConfig } from '../config.js';
import { optionalTime, snapshotDay, stringOrNull, userPerson } from '../people.js';

type Payload = PayloadOf<'okta.users_snapshot'>;
type User = Payload['users'][number];
type AdminRole = NonNullable<User['adminRoles']>[number];

/** GET /api/v1/users items, the fields we read. */
interface OktaUser {
  id?: string;
  status?: string;
  created?: string | null;
  activated?: string | null;
  lastLogin?: string | null;
  statusChanged?: string | null;
  passwordChanged?: string | null;
  profile?: {
    login?: string | null;
    email?: string | null;
    firstName?: string | null;
    lastName?: string | null;
  };
}

interface OktaRole {
  type?: string;
  label?: string | null;
  assignmentType?: string | null;
}

interface OktaApp {
  id?: string;
  name?: string | null;
  label?: string | null;
  status?: string | null;
  signOnMode?: string | null;
}

interface OktaAppUser {
  id?: string;
  scope?: string | null;
  status?: string | null;
}

/** Items per page of /api/v1/apps/{id}/users, Okta's maximum. */
const APP_USERS_PAGE = 500;
/** Items per page of /api/v1/iam/assignees/users (Okta's default; the description names no maximum). */
const ASSIGNEES_PAGE = 100;

/**
 * Admin roles of every user who holds one: the users with role assignments (one paged list), then each one's roles
 * (directly or through a group). null when these credentials cannot read role assignments, which the snapshot says.
 */
async function adminRoles(
  client: OktaClient,
  limitations: string[],
): Promise<Map<string, AdminRole[]> | null> {
  const roles = new Map<string, AdminRole[]>();
  try {
    const assignees: string[] = [];
    for await (const page of client.pages<{ id?: string }>(
      '/api/v1/iam/assignees/users',
      { limit: ASSIGNEES_PAGE },
      'users with admin role assignments',
      { items: 'value', scopes: ['okta.roles.read'] },
    )) {
      for (const assignee of page) if (assignee.id) assignees.push(assignee.id);
    }
    for (const userId of assignees) {
      const held: AdminRole[] = [];
      for await (const page of client.pages<OktaRole>(
        `/api/v1/users/${encodeURIComponent(userId)}/roles`,
        {},
        `admin roles of user ${userId}`,
        { scopes: ['okta.roles.read'] },
      )) {
        for (const role of page) {
          if (!role.type) {
            throw new CrosswalkError(
              'CW_SOURCE_DATA',
              `Okta returned a role of user ${userId} without a type`,
              {
                where: `admin roles of user ${userId}`,
              },
            );
          }
          held.push({
            type: role.type,
            label: stringOrNull(role.label),
            assignmentType: stringOrNull(role.assignmentType),
          });
        }
      }
      held.sort((a, b) => a.type.localeCompare(b.type) || (a.label ?? '').localeCompare(b.label ?? ''));
      roles.set(userId, held);
    }
  } catch (error) {
    if (sourceStatusOf(error) === 403) {
      limitations.push(`adminRoles: not readable with these credentials (${(error as Error).message})`);
      return null;
    }
    throw error;
  }
  return roles;
}

/**
 * `okta.users_snapshot`: a daily snapshot of the population an access review samples from: every user (the
 * deprovisioned ones too, which Okta leaves out of its default list) with status, created, last login and status
 * change, the admin roles each holds, and the applications each is assigned to.
 */
export const usersSnapshot: CollectorDefinition<OktaConfig> = {
  id: 'users_snapshot',
  kind: 'okta.users_snapshot',
  description: 'Daily snapshot of users, admin role assignments and application assignments',
  async collect(ctx) {
    const client = await OktaClient.create(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: COLLECTOR_SCOPES.users_snapshot,
    });
    const occurredAt = snapshotDay(ctx.clock.now());
    const limitations: string[] = [];
    const pageSize = client.settings.pageSize;

    const raw = new Map<string, OktaUser>();
    // The default list leaves out DEPROVISIONED users; a filtered list includes them.
    for (const query of [{ limit: pageSize }, { limit: pageSize, filter: 'status eq "DEPROVISIONED"' }]) {
      for await (const page of client.pages<OktaUser>('/api/v1/users', query, 'users', {
        scopes: ['okta.users.read'],
      })) {
        for (const user of page) {
          if (!user.id) {
            throw new CrosswalkError(
              'CW_SOURCE_DATA',
              `Okta returned a user without an id (${user.profile?.login ?? '?'})`,
              {
                where: 'users',
              },
            );
          }
          raw.set(user.id, user);
        }
      }
    }

    const roles = await adminRoles(client, limitations);

    const applications: Payload['applications'] = [];
    const assignments = new Map<string, Set<string>>();
    for await (const page of client.pages<OktaApp>('/api/v1/apps', { limit: pageSize }, 'applications', {
      scopes: ['okta.apps.read'],
    })) {
      for (const app of page) {
        if (!app.id) {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `Okta returned an application without an id (${app.label ?? '?'})`,
            {
              where: 'applications',
            },
          );
        }
        let assigned = 0;
        for await (const usersPage of client.pages<OktaAppUser>(
          `/api/v1/apps/${encodeURIComponent(app.id)}/users`,
          { limit: APP_USERS_PAGE },
          `users assigned to application ${app.id}`,
          { scopes: ['okta.apps.read'] },
        )) {
          for (const appUser of usersPage) {
            if (!appUser.id) continue;
            assigned += 1;
            const apps = assignments.get(appUser.id) ?? new Set<string>();
            apps.add(app.id);
            assignments.set(appUser.id, apps);
          }
        }
        applications.push({
          id: app.id,
          name: stringOrNull(app.name),
          label: stringOrNull(app.label),
          status: stringOrNull(app.status),
          signOnMode: stringOrNull(app.signOnMode),
          assignedUsers: assigned,
        });
      }
    }
    applications.sort((a, b) => (a.label ?? '').localeCompare(b.label ?? '') || a.id.localeCompare(b.id));

    const users: User[] = [...raw.values()].map((user) => {
      const item = `user ${user.id}`;
      return {
        person: userPerson(user),
        status: user.status ?? 'UNKNOWN',
        created: optionalTime(user.created, item, 'created'),
        activated: optionalTime(user.activated, item, 'activated'),
        lastLogin: optionalTime(user.lastLogin, item, 'lastLogin'),
        statusChanged: optionalTime(user.statusChanged, item, 'statusChanged'),
        passwordChanged: optionalTime(user.passwordChanged, item, 'passwordChanged'),
        adminRoles: roles === null ? null : (roles.get(user.id!) ?? []),
        applications: [...(assignments.get(user.id!) ?? [])].sort(),
      };
    });
    users.sort(
      (a, b) =>
        (a.person.login ?? '').localeCompare(b.person.login ?? '') ||
        (a.person.id ?? '').localeCompare(b.person.id ?? ''),
    );
    // A role holder the users list left out is still an admin: recorded by id, counted, and said, never dropped.
    const adminsNotInUsers = [...(roles ?? new Map<string, AdminRole[]>()).entries()]
      .filter(([id, held]) => held.length > 0 && !raw.has(id))
      .map(([id, held]) => ({ person: { id }, adminRoles: held }))
      .sort((a, b) => a.person.id.localeCompare(b.person.id));
    if (adminsNotInUsers.length > 0) {
      limitations.push(
        `adminRoles: ${adminsNotInUsers.length} admin role holder(s) not in the users list, recorded by id in ` +
          `adminsNotInUsers: ${adminsNotInUsers.map((a) => a.person.id).join(', ')}`,
      );
    }
    const byStatus: Record<string, number> = {};
    for (const user of users) byStatus[user.status] = (byStatus[user.status] ?? 0) + 1;
    for (const limitation of limitations) ctx.log.warn({ org: client.host }, limitation);

    await ctx.emit({
      kind: 'okta.users_snapshot',
      occurredAt,
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'okta',
        instance: client.host,
        ref: `${client.host}:users`,
        url: new URL('/api/v1/users', client.orgUrl).href,
      },
      payload: {
        org: client.host,
        users,
        applications,
        adminsNotInUsers,
        counts: {
          users: users.length,
          byStatus,
          admins:
            roles === null
              ? null
              : users.filter((u) => (u.adminRoles?.length ?? 0) > 0).length + adminsNotInUsers.length,
          applications: applications.length,
        },
        limitations,
      },
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info(
      { org: client.host, users: users.length, applications: applications.length },
      'users snapshot taken',
    );
  },
};
