import { emitEventPages, progressCursorSchema, saveProgress } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type EmittedDraft, type PayloadOf } from '@crosswalk/core';
import type { z } from 'zod';
import {
  type Activity,
  activityPages,
  parameterText,
  parameterValue,
  retentionStart,
} from '../activities.js';
import { GoogleClient } from '../client.js';
import { ADMIN_EVENT_TYPES, COLLECTOR_SCOPES, type GoogleWorkspaceConfig } from '../config.js';
import { actorPerson, sourceTime, stringOrNull } from '../people.js';

type Payload = PayloadOf<'google_workspace.admin_event'>;

/** What each admin event name means for access; a name not listed is `other` (kept when its type is). */
const ACTIONS: Record<string, [Payload['action'], Payload['direction']]> = {
  CREATE_USER: ['user_created', 'provisioning'],
  SUSPEND_USER: ['user_suspended', 'deprovisioning'],
  UNSUSPEND_USER: ['user_unsuspended', 'provisioning'],
  DELETE_USER: ['user_deleted', 'deprovisioning'],
  UNDELETE_USER: ['user_restored', 'provisioning'],
  ARCHIVE_USER: ['user_archived', 'deprovisioning'],
  UNARCHIVE_USER: ['user_unarchived', 'provisioning'],
  GRANT_ADMIN_PRIVILEGE: ['admin_privilege_granted', 'privilege'],
  REVOKE_ADMIN_PRIVILEGE: ['admin_privilege_revoked', 'privilege'],
  ASSIGN_ROLE: ['role_assigned', 'privilege'],
  UNASSIGN_ROLE: ['role_unassigned', 'privilege'],
  ENFORCE_STRONG_AUTHENTICATION: ['two_step_verification_enforcement_changed', 'security'],
  ALLOW_STRONG_AUTHENTICATION: ['two_step_verification_enforcement_changed', 'security'],
};

/** The event's meaning: by name, then any 2-Step Verification or other security setting by its type. */
export function classify(name: string, type: string | null): [Payload['action'], Payload['direction']] {
  const known = ACTIONS[name];
  if (known) return known;
  if (/TWO_STEP_VERIFICATION|STRONG_AUTHENTICATION/.test(name)) {
    return ['two_step_verification_enforcement_changed', 'security'];
  }
  if (type === 'SECURITY_SETTINGS') return ['security_setting_changed', 'security'];
  return ['other', 'other'];
}

/**
 * The draft of one event of an admin activity (an activity may hold several). Its id is the activity's time and
 * unique qualifier with the event's place in it: the same event read twice is the same record.
 */
export function adminEventDraft(
  activity: Activity,
  index: number,
  input: { customer: string; controlOwner: string | null; url: string; requests: EmittedDraft['requests'] },
): EmittedDraft<'google_workspace.admin_event'> {
  const event = activity.events?.[index];
  const qualifier = activity.id?.uniqueQualifier;
  const item = `admin activity ${qualifier ?? '(no id)'} at ${activity.id?.time ?? '(no time)'}`;
  if (!event?.name || !qualifier) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Google Workspace returned ${item} without an event name or id`,
      {
        where: item,
      },
    );
  }
  const occurredAt = sourceTime(activity.id?.time, item, 'a time');
  const type = stringOrNull(event.type);
  const [action, direction] = classify(event.name, type);
  const parameters = event.parameters ?? [];
  const email = parameterText(parameters, 'USER_EMAIL');
  const target = email ? { login: email, email } : null;
  const actor = actorPerson(activity.actor);
  const settingName = parameterText(parameters, 'SETTING_NAME');
  const oldValue = parameterText(parameters, 'OLD_VALUE');
  const newValue = parameterText(parameters, 'NEW_VALUE');
  const orgUnit = parameterText(parameters, 'ORG_UNIT_NAME');
  const eventId = `${occurredAt}/${qualifier}/${index}`;
  const payload: Payload = {
    customer: input.customer,
    eventId,
    eventName: event.name,
    eventType: type,
    action,
    direction,
    actor,
    actorCallerType: stringOrNull(activity.actor?.callerType),
    target,
    role: parameterText(parameters, 'ROLE_NAME'),
    setting:
      settingName || oldValue || newValue || orgUnit
        ? { name: settingName, oldValue, newValue, orgUnit }
        : null,
    ipAddress: stringOrNull(activity.ipAddress),
    parameters: parameters
      .filter((p): p is typeof p & { name: string } => typeof p.name === 'string' && p.name !== '')
      .map((p) => ({ name: p.name, value: parameterValue(p) })),
  };
  return {
    kind: 'google_workspace.admin_event',
    occurredAt,
    owner: { people: actor ? [actor] : [], controlOwner: input.controlOwner },
    actors: target ? [{ role: direction === 'other' ? 'subject' : direction, person: target }] : [],
    source: { system: 'google-workspace', instance: input.customer, ref: eventId, url: input.url },
    payload,
    requests: input.requests,
  };
}

/** The latest event time collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastEventAt');
type Cursor = z.infer<typeof cursorSchema>;

/**
 * `google_workspace.admin_event`: one record per Admin console event of the configured types (user accounts, role
 * assignments, security settings) in the window, read from the Reports API's `admin` application, 1,000 a page.
 * The Reports API keeps 180 days (`sourceRetentionDays`): a window reaching further back is read from where the
 * source still has events, and the run's manifest says which part could not be read (`sourceUnavailableBefore`).
 */
export const adminEvents: CollectorDefinition<GoogleWorkspaceConfig, Cursor> = {
  id: 'admin_events',
  kind: 'google_workspace.admin_event',
  cursorSchema,
  sourceRetentionDays: 180,
  description: 'Admin audit events (user suspended, deleted, restored; roles; 2SV and security settings)',
  async collect(ctx) {
    const client = new GoogleClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: COLLECTOR_SCOPES.admin_events,
    });
    const types: readonly string[] = ctx.config.collectors?.admin_events?.eventTypes ?? ADMIN_EVENT_TYPES;
    const kept = retentionStart(ctx.clock.now());
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    const start = Math.max(since, kept.getTime());
    const unavailableBefore =
      since < kept.getTime() ? new Date(Math.min(kept.getTime(), until)).toISOString() : undefined;
    if (unavailableBefore) {
      ctx.log.warn(
        { customer: client.customer, since: ctx.window.since, unavailableBefore },
        'the Reports API keeps 180 days: the window before this was not read',
      );
    }
    if (start >= until) return;
    const controlOwner = ctx.config.controlOwner ?? null;
    const url = client.url('/admin/reports/v1/activity/users/all/applications/admin');
    // The window is half-open; Google's bounds are its own, so they are checked again (by emitEventPages).
    const progress = await emitEventPages({
      pages: activityPages(client, 'admin', { start: new Date(start).toISOString(), end: ctx.window.until }),
      recorder: client.recorder,
      since: start,
      until,
      *drafts(activity, requests) {
        for (const [index, event] of (activity.events ?? []).entries()) {
          // Another type's events are not this collector's to judge, whatever their shape.
          if (typeof event?.type === 'string' && !types.includes(event.type)) continue;
          yield adminEventDraft(activity, index, { customer: client.customer, controlOwner, url, requests });
        }
      },
      emit: (draft) => ctx.emit(draft),
    });
    ctx.log.info(
      { customer: client.customer, events: progress.count, requests: client.recorder.count },
      'admin events read',
    );
    saveProgress(ctx, 'lastEventAt', progress.last);
  },
};
