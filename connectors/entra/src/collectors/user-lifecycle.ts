import { emitEventPages, progressCursorSchema, saveProgress } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type EmittedDraft, type PayloadOf } from '@crosswalk/core';
import type { z } from 'zod';
import { GraphClient } from '../client.js';
import { COLLECTOR_PERMISSIONS, type EntraConfig, LIFECYCLE_ACTIVITIES } from '../config.js';
import { type GraphUserLike, graphPerson, graphTime, stringOrNull } from '../people.js';

/** A directory audit entry (`microsoft.graph.directoryAudit`), the fields we read. */
export interface DirectoryAudit {
  id?: string;
  activityDateTime?: string;
  activityDisplayName?: string;
  category?: string | null;
  correlationId?: string | null;
  loggedByService?: string | null;
  result?: string | null;
  resultReason?: string | null;
  initiatedBy?: {
    user?: (GraphUserLike & { ipAddress?: string | null }) | null;
    app?: { appId?: string | null; displayName?: string | null; servicePrincipalId?: string | null } | null;
  } | null;
  targetResources?: TargetResource[] | null;
}

interface TargetResource extends GraphUserLike {
  type?: string | null;
  modifiedProperties?:
    | { displayName?: string | null; oldValue?: string | null; newValue?: string | null }[]
    | null;
}

type Payload = PayloadOf<'entra.user_lifecycle'>;

const CHANGES: Record<string, Payload['change']> = {
  'Add user': 'created',
  'Disable account': 'disabled',
  'Enable account': 'enabled',
  'Delete user': 'deleted',
  'Hard delete user': 'deleted',
  'Restore user': 'restored',
  'Add member to role': 'role_assigned',
  'Remove member from role': 'role_removed',
};

export function changeOf(activity: string): Payload['change'] {
  return CHANGES[activity] ?? 'other';
}

export function directionOf(change: Payload['change']): Payload['direction'] {
  if (change === 'disabled' || change === 'deleted' || change === 'role_removed') return 'deprovisioning';
  if (change === 'created' || change === 'enabled' || change === 'restored' || change === 'role_assigned')
    return 'provisioning';
  return 'other';
}

/** The audit log's filter for the window and the activities: only the wanted entries are paged. */
export function auditFilter(since: string, until: string, activities: readonly string[]): string {
  const names = activities
    .map((name) => `activityDisplayName eq '${name.replaceAll("'", "''")}'`)
    .join(' or ');
  return `activityDateTime ge ${since} and activityDateTime le ${until} and (${names})`;
}

/** A modified property's value as the audit log writes it: JSON text, often a quoted string (`"\"Global Administrator\""`). */
function propertyValue(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return typeof first === 'string' ? first : value;
  } catch {
    return value;
  }
}

/** The role of a role assignment entry: from the user target's `Role.*` properties, or a target of type Role. */
function roleOf(entry: DirectoryAudit, user: TargetResource, change: Payload['change']): Payload['role'] {
  if (change !== 'role_assigned' && change !== 'role_removed') return null;
  const property = (name: string) => {
    const found = user.modifiedProperties?.find((p) => p.displayName === name);
    return propertyValue(change === 'role_assigned' ? found?.newValue : (found?.oldValue ?? found?.newValue));
  };
  const target = entry.targetResources?.find((t) => t?.type === 'Role');
  return {
    id: property('Role.ObjectID') ?? stringOrNull(target?.id),
    displayName: property('Role.DisplayName') ?? stringOrNull(target?.displayName),
  };
}

/**
 * The draft of one directory audit entry, or undefined for an entry about something other than a user (a role given
 * to a service principal). An entry without an id, time or activity is malformed: a failure naming it.
 */
export function lifecycleDraft(
  entry: DirectoryAudit,
  input: {
    tenant: string;
    link: (path: string) => string;
    controlOwner: string | null;
    requests: EmittedDraft['requests'];
  },
): EmittedDraft<'entra.user_lifecycle'> | undefined {
  if (!entry.id) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      'Microsoft Graph returned a directory audit entry without an id',
      {
        where: `directory audit entry at ${entry.activityDateTime ?? '(no time)'}`,
      },
    );
  }
  const item = `directory audit entry ${entry.id}`;
  if (!entry.activityDisplayName) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Microsoft Graph returned ${item} without an activityDisplayName`,
      {
        where: item,
      },
    );
  }
  const occurredAt = graphTime(entry.activityDateTime, item, 'an activityDateTime');
  const user = entry.targetResources?.find((t) => t?.type === 'User');
  const target = graphPerson(user);
  const change = changeOf(entry.activityDisplayName);
  if (!user || !target) {
    if (change === 'role_assigned' || change === 'role_removed') return undefined;
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Microsoft Graph returned ${item} (${entry.activityDisplayName}) without a user target`,
      { where: item },
    );
  }
  const direction = directionOf(change);
  const actor = graphPerson(entry.initiatedBy?.user);
  const app = entry.initiatedBy?.app;
  const payload: Payload = {
    tenant: input.tenant,
    eventId: entry.id,
    activity: entry.activityDisplayName,
    change,
    direction,
    category: stringOrNull(entry.category),
    result: stringOrNull(entry.result),
    resultReason: stringOrNull(entry.resultReason) || null,
    actor,
    actorApp:
      !actor && app && (app.appId || app.displayName)
        ? { id: stringOrNull(app.appId), displayName: stringOrNull(app.displayName) }
        : null,
    target,
    role: roleOf(entry, user, change),
    correlationId: stringOrNull(entry.correlationId),
    loggedByService: stringOrNull(entry.loggedByService),
  };
  return {
    kind: 'entra.user_lifecycle',
    occurredAt,
    owner: { people: actor ? [actor] : [], controlOwner: input.controlOwner },
    actors: [{ role: direction === 'other' ? 'subject' : direction, person: target }],
    source: {
      system: 'entra',
      instance: input.tenant,
      ref: entry.id,
      url: input.link(`/auditLogs/directoryAudits/${encodeURIComponent(entry.id)}`),
    },
    payload,
    requests: input.requests,
  };
}

/** A directory object id: the only form a filter's user may take, so nothing else reaches a comparison or a log. */
export const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** At most this many users one filtered collection is narrowed to (Graph batches at most 1,000 notifications). */
const MAX_FILTERED_USERS = 1000;

/**
 * The users a webhook's read-back is narrowed to: `{ userIds: "id,id" }`. Throws CW_INPUT_INVALID naming the filter
 * field, before any request, for anything else.
 */
export function userIdsOf(filter: Readonly<Record<string, string>>): Set<string> | undefined {
  const unknown = Object.keys(filter).filter((key) => key !== 'userIds');
  if (unknown.length > 0) {
    throw new CrosswalkError('CW_INPUT_INVALID', 'user_lifecycle takes a filter of { userIds: "id,id" }', {
      where: `filter.${unknown[0]}`,
    });
  }
  if (filter.userIds === undefined) return undefined;
  const ids = filter.userIds.split(',').map((id) => id.trim().toLowerCase());
  if (ids.length > MAX_FILTERED_USERS || !ids.every((id) => OBJECT_ID.test(id))) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `filter.userIds must be 1 to ${MAX_FILTERED_USERS} user object ids, comma-separated`,
      { where: 'filter.userIds' },
    );
  }
  return new Set(ids);
}

/** The latest activity time collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastActivity');
type Cursor = z.infer<typeof cursorSchema>;

/**
 * `entra.user_lifecycle`: one record per directory audit entry of the configured activities (user created,
 * disabled, enabled, deleted, restored; directory role member added or removed) in the window, with who did it. The
 * audit log is asked for the window and the activities in its own $filter, `pageSize` entries a page, following
 * `@odata.nextLink`; each record cites the page request that carried its entry. A webhook's read-back narrows it
 * to the notified users (`filter.userIds`): the same query, only their entries kept, so its records are the
 * scheduled run's (same ids) and whichever comes second stores nothing.
 */
export const userLifecycle: CollectorDefinition<EntraConfig, Cursor> = {
  id: 'user_lifecycle',
  kind: 'entra.user_lifecycle',
  cursorSchema,
  description: 'User lifecycle and directory role changes from the directory audit log',
  async collect(ctx) {
    const users = userIdsOf(ctx.filter);
    const client = new GraphClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      permissions: COLLECTOR_PERMISSIONS.user_lifecycle,
    });
    const activities: readonly string[] =
      ctx.config.collectors?.user_lifecycle?.activities ?? LIFECYCLE_ACTIVITIES;
    const controlOwner = ctx.config.controlOwner ?? null;
    // Graph's answer is checked against the question: another activity, or a time outside the half-open window
    // (the filter's `le` includes its end), is not this collector's to record.
    const progress = await emitEventPages({
      pages: client.pages<DirectoryAudit>(
        '/auditLogs/directoryAudits',
        { $filter: auditFilter(ctx.window.since, ctx.window.until, activities), $top: client.pageSize },
        'the directory audit log (user lifecycle)',
      ),
      recorder: client.recorder,
      since: Date.parse(ctx.window.since),
      until: Date.parse(ctx.window.until),
      *drafts(entry, requests) {
        if (typeof entry?.activityDisplayName === 'string' && !activities.includes(entry.activityDisplayName))
          return;
        const draft = lifecycleDraft(entry, {
          tenant: client.tenant,
          link: (p) => client.link(p),
          controlOwner,
          requests,
        });
        if (draft && (!users || users.has(draft.payload.target.id?.toLowerCase() ?? ''))) yield draft;
      },
      emit: (draft) => ctx.emit(draft),
    });
    ctx.log.info(
      { tenant: client.tenant, entries: progress.count, requests: client.recorder.count },
      'directory audit log read',
    );
    // A read-back sees only some users' entries: the scheduled run alone moves the cursor.
    if (!users) saveProgress(ctx, 'lastActivity', progress.last);
  },
};
