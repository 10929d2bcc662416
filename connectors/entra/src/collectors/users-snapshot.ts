import { sourceStatusOf } from '@crosswalk/connector-kit';
import type { CollectorDefinition, PayloadOf, Person } from '@crosswalk/core';
import { GraphClient } from '../client.js';
import { COLLECTOR_PERMISSIONS, type EntraConfig } from '../config.js';
import { readOrLimit } from '../licence.js';
import {
  booleanOrNull,
  graphPerson,
  optionalGraphTime,
  requireId,
  snapshotDay,
  stringOrNull,
} from '../people.js';

type Payload = PayloadOf<'entra.users_snapshot'>;
type User = Payload['users'][number];
type HeldRole = NonNullable<User['directoryRoles']>[number];
type Mfa = NonNullable<User['mfa']>;

/** GET /users items, the fields asked for with $select. */
interface GraphUser {
  id?: string;
  userPrincipalName?: string | null;
  mail?: string | null;
  displayName?: string | null;
  accountEnabled?: boolean | null;
  userType?: string | null;
  externalUserState?: string | null;
  createdDateTime?: string | null;
  onPremisesSyncEnabled?: boolean | null;
}

const USER_FIELDS = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'accountEnabled',
  'userType',
  'externalUserState',
  'createdDateTime',
  'onPremisesSyncEnabled',
];

interface RegistrationDetails {
  id?: string;
  isMfaRegistered?: boolean;
  isMfaCapable?: boolean;
  methodsRegistered?: string[] | null;
}

interface DirectoryRole {
  id?: string;
  roleTemplateId?: string | null;
  displayName?: string | null;
}

interface DirectoryObject {
  '@odata.type'?: string;
  id?: string;
  displayName?: string | null;
}

/**
 * Registration details per user id (authentication methods registration report). null when the report cannot be read:
 * the tenant has no P1/P2 licence, or the app lacks AuditLog.Read.All; the snapshot says which.
 */
function registrations(client: GraphClient, limitations: string[]): Promise<Map<string, Mfa> | null> {
  return readOrLimit(
    async () => {
      const found = new Map<string, Mfa>();
      for await (const page of client.pages<RegistrationDetails>(
        '/reports/authenticationMethods/userRegistrationDetails',
        { $top: client.pageSize },
        'authentication methods registration details',
      )) {
        for (const details of page) {
          const id = requireId(details.id, 'a registration details entry');
          found.set(id, {
            registered: details.isMfaRegistered === true,
            capable: details.isMfaCapable === true,
            methods: Array.isArray(details.methodsRegistered) ? [...details.methodsRegistered].sort() : [],
          });
        }
      }
      return found;
    },
    'mfa',
    limitations,
    'the tenant has no Microsoft Entra ID P1/P2 licence for the registration report',
  );
}

interface Roles {
  byUser: Map<string, HeldRole[]>;
  roles: Payload['directoryRoles'];
}

/** Activated directory roles and their direct members; null when these credentials cannot read them. */
async function directoryRoles(client: GraphClient, limitations: string[]): Promise<Roles | null> {
  const byUser = new Map<string, HeldRole[]>();
  const roles: Payload['directoryRoles'] = [];
  try {
    const listed: DirectoryRole[] = [];
    for await (const page of client.pages<DirectoryRole>('/directoryRoles', {}, 'directory roles'))
      listed.push(...page);
    for (const raw of listed) {
      const id = requireId(raw.id, 'a directory role');
      const role: HeldRole = {
        id,
        roleTemplateId: stringOrNull(raw.roleTemplateId),
        displayName: stringOrNull(raw.displayName),
      };
      let users = 0;
      const otherMembers: Payload['directoryRoles'][number]['otherMembers'] = [];
      for await (const page of client.pages<DirectoryObject>(
        `/directoryRoles/${encodeURIComponent(id)}/members`,
        {},
        `members of directory role ${role.displayName ?? id}`,
      )) {
        for (const member of page) {
          const memberId = requireId(member.id, `a member of directory role ${id}`);
          if (member['@odata.type'] === '#microsoft.graph.user') {
            users += 1;
            byUser.set(memberId, [...(byUser.get(memberId) ?? []), role]);
          } else {
            otherMembers.push({
              id: memberId,
              type: stringOrNull(member['@odata.type'])?.replace(/^#microsoft\.graph\./, '') ?? null,
              displayName: stringOrNull(member.displayName),
            });
          }
        }
      }
      otherMembers.sort((a, b) => a.id.localeCompare(b.id));
      roles.push({ ...role, users, otherMembers });
    }
  } catch (error) {
    if (sourceStatusOf(error) === 403) {
      limitations.push(`directoryRoles: not readable with these credentials (${(error as Error).message})`);
      return null;
    }
    throw error;
  }
  for (const held of byUser.values())
    held.sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? '') || a.id.localeCompare(b.id));
  roles.sort((a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? '') || a.id.localeCompare(b.id));
  return { byUser, roles };
}

/**
 * `entra.users_snapshot`: a daily snapshot of the population an access review samples from: every user with whether
 * sign-in is enabled, member or guest, when created, whether a multifactor method is registered (the authentication
 * methods registration report), and the directory roles each holds directly.
 */
export const usersSnapshot: CollectorDefinition<EntraConfig> = {
  id: 'users_snapshot',
  kind: 'entra.users_snapshot',
  description: 'Daily snapshot of users (enabled, guests), MFA registration and directory role holders',
  async collect(ctx) {
    const client = new GraphClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      permissions: COLLECTOR_PERMISSIONS.users_snapshot,
    });
    const occurredAt = snapshotDay(ctx.clock.now());
    const limitations: string[] = [];

    const raw = new Map<string, GraphUser>();
    for await (const page of client.pages<GraphUser>(
      '/users',
      { $select: USER_FIELDS.join(','), $top: client.pageSize },
      'users',
    )) {
      for (const user of page) raw.set(requireId(user.id, `a user (${user.userPrincipalName ?? '?'})`), user);
    }
    const mfa = await registrations(client, limitations);
    const roles = await directoryRoles(client, limitations);

    const users: User[] = [...raw.values()].map((user) => {
      const id = user.id!;
      const person: Person = graphPerson(user) ?? { id };
      return {
        person,
        accountEnabled: booleanOrNull(user.accountEnabled),
        userType: stringOrNull(user.userType),
        externalUserState: stringOrNull(user.externalUserState),
        createdDateTime: optionalGraphTime(user.createdDateTime, `user ${id}`, 'createdDateTime'),
        onPremisesSyncEnabled: booleanOrNull(user.onPremisesSyncEnabled),
        mfa: mfa?.get(id) ?? null,
        directoryRoles: roles === null ? null : (roles.byUser.get(id) ?? []),
      };
    });
    users.sort(
      (a, b) =>
        (a.person.login ?? '').localeCompare(b.person.login ?? '') ||
        (a.person.id ?? '').localeCompare(b.person.id ?? ''),
    );
    // A role holder the users list left out is still an admin: recorded by id, counted, and said, never dropped.
    const roleHoldersNotInUsers = [...(roles?.byUser ?? new Map<string, HeldRole[]>()).entries()]
      .filter(([id]) => !raw.has(id))
      .map(([id, held]) => ({ person: { id }, directoryRoles: held }))
      .sort((a, b) => a.person.id.localeCompare(b.person.id));
    if (roleHoldersNotInUsers.length > 0) {
      limitations.push(
        `directoryRoles: ${roleHoldersNotInUsers.length} role holder(s) not in the users list, recorded by id in ` +
          `roleHoldersNotInUsers: ${roleHoldersNotInUsers.map((holder) => holder.person.id).join(', ')}`,
      );
    }
    for (const limitation of limitations) ctx.log.warn({ tenant: client.tenant }, limitation);
    const enabled = users.filter((user) => user.accountEnabled === true);

    await ctx.emit({
      kind: 'entra.users_snapshot',
      occurredAt,
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'entra',
        instance: client.tenant,
        ref: `${client.tenant}:users`,
        url: client.link('/users'),
      },
      payload: {
        tenant: client.tenant,
        users,
        directoryRoles: roles?.roles ?? [],
        roleHoldersNotInUsers,
        counts: {
          users: users.length,
          enabled: enabled.length,
          disabled: users.filter((user) => user.accountEnabled === false).length,
          guests: users.filter((user) => user.userType === 'Guest').length,
          mfaRegistered: mfa === null ? null : users.filter((user) => user.mfa?.registered === true).length,
          enabledWithoutMfa:
            mfa === null ? null : enabled.filter((user) => user.mfa?.registered !== true).length,
          roleHolders:
            roles === null
              ? null
              : users.filter((user) => (user.directoryRoles?.length ?? 0) > 0).length +
                roleHoldersNotInUsers.length,
        },
        limitations,
      },
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info({ tenant: client.tenant, users: users.length }, 'Entra users snapshot taken');
  },
};
