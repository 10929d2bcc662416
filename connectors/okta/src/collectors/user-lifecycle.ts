import { emitEventPages, progressCursorSchema, saveProgress } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type EmittedDraft, type PayloadOf } from '@crosswalk/core';
import type { z } from 'zod';
import { OktaClient } from '../client.js';
import { COLLECTOR_SCOPES, LIFECYCLE_EVENT_TYPES, type OktaConfig } from '../config.js';
import { type LogActorLike, logPerson, sourceTime, stringOrNull } from '../people.js';

/** A System Log event (`LogEvent` in Okta's description), the fields we read. */
export interface LogEvent {
  uuid?: string;
  published?: string;
  eventType?: string;
  displayMessage?: string | null;
  actor?: LogActorLike | null;
  target?: LogActorLike[] | null;
  outcome?: { result?: string | null; reason?: string | null } | null;
  transaction?: { id?: string | null } | null;
}

type Payload = PayloadOf<'okta.user_lifecycle'>;

const DEPROVISIONING = /\.(deactivate|suspend|delete(\.\w+)?)$|^application\.user_membership\.remove$/;
const PROVISIONING = /\.(create|activate|reactivate|unsuspend)$|^application\.user_membership\.add$/;

export function direction(eventType: string): Payload['direction'] {
  if (DEPROVISIONING.test(eventType)) return 'deprovisioning';
  if (PROVISIONING.test(eventType)) return 'provisioning';
  return 'other';
}

/** `eventType eq "a" or eventType eq "b"`: the System Log's own filter, so only the wanted events are paged. */
export function eventTypeFilter(types: readonly string[]): string {
  return types.map((type) => `eventType eq "${type}"`).join(' or ');
}

/** A System Log event uuid as Okta writes them (UUID v1 text); anything else never reaches a filter. */
export const EVENT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** At most this many events one filtered collection asks for (one event hook delivery carries at most 50). */
const MAX_FILTERED_EVENTS = 100;

/**
 * The events a webhook's collection is narrowed to: `{ eventIds: "uuid,uuid" }`. Throws CW_INPUT_INVALID naming
 * the filter field, before any request, for anything else.
 */
export function eventIdsOf(filter: Readonly<Record<string, string>>): string[] | undefined {
  const unknown = Object.keys(filter).filter((key) => key !== 'eventIds');
  if (unknown.length > 0) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      'user_lifecycle takes a filter of { eventIds: "uuid,uuid" }',
      {
        where: `filter.${unknown[0]}`,
      },
    );
  }
  if (filter.eventIds === undefined) return undefined;
  const ids = filter.eventIds.split(',').map((id) => id.trim().toLowerCase());
  if (ids.length === 0 || ids.length > MAX_FILTERED_EVENTS || !ids.every((id) => EVENT_UUID.test(id))) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `filter.eventIds must be 1 to ${MAX_FILTERED_EVENTS} System Log event uuids, comma-separated`,
      { where: 'filter.eventIds' },
    );
  }
  return [...new Set(ids)];
}

/** The System Log query that finds one event by uuid: where an auditor (with a token) can read it again. */
export function eventUrl(orgUrl: string, uuid: string): string {
  const url = new URL('/api/v1/logs', orgUrl);
  url.searchParams.set('filter', `uuid eq "${uuid}"`);
  return url.href;
}

/**
 * The draft of one lifecycle event. Used by the collector and by Okta event hooks, which deliver the same LogEvent
 * objects. A user event without a user target is malformed data: a failure naming the event, not a silent skip.
 */
export function lifecycleDraft(
  event: LogEvent,
  input: { host: string; orgUrl: string; controlOwner: string | null; requests: EmittedDraft['requests'] },
): EmittedDraft<'okta.user_lifecycle'> {
  const uuid = event.uuid;
  if (!uuid) {
    throw new CrosswalkError('CW_SOURCE_DATA', 'Okta returned a System Log event without a uuid', {
      where: `event ${event.eventType ?? '(no type)'} at ${event.published ?? '(no time)'}`,
    });
  }
  const item = `System Log event ${uuid}`;
  if (!event.eventType) {
    throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned ${item} without an eventType`, { where: item });
  }
  const occurredAt = sourceTime(event.published, item, 'a published time');
  const targets = event.target ?? [];
  const user = targets.find((t) => t?.type === 'User') ?? targets.find((t) => t?.type === 'AppUser');
  const target = logPerson(user);
  if (!target) {
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Okta returned ${item} (${event.eventType}) without a user target`,
      {
        where: item,
      },
    );
  }
  const app = targets.find((t) => t?.type === 'AppInstance');
  const actor = logPerson(event.actor);
  const payload: Payload = {
    org: input.host,
    eventId: uuid,
    eventType: event.eventType,
    direction: direction(event.eventType),
    displayMessage: stringOrNull(event.displayMessage),
    actor,
    target,
    application: app?.id ? { id: app.id, name: stringOrNull(app.displayName) } : null,
    outcome:
      event.outcome && typeof event.outcome.result === 'string'
        ? { result: event.outcome.result, reason: stringOrNull(event.outcome.reason) }
        : null,
    transactionId: stringOrNull(event.transaction?.id),
  };
  return {
    kind: 'okta.user_lifecycle',
    occurredAt,
    owner: { people: actor ? [actor] : [], controlOwner: input.controlOwner },
    actors: [{ role: payload.direction === 'other' ? 'subject' : payload.direction, person: target }],
    source: { system: 'okta', instance: input.host, ref: uuid, url: eventUrl(input.orgUrl, uuid) },
    payload,
    requests: input.requests,
  };
}

/** The latest event publication time collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastPublished');
type Cursor = z.infer<typeof cursorSchema>;

/**
 * `okta.user_lifecycle`: one record per System Log event of the configured types (deactivate, suspend, app
 * membership removal, activate, create) published in the window, read with since/until, 1,000 a page, following the
 * Link header. Each record cites the page request that carried its event.
 */
export const userLifecycle: CollectorDefinition<OktaConfig, Cursor> = {
  id: 'user_lifecycle',
  kind: 'okta.user_lifecycle',
  cursorSchema,
  description:
    'User lifecycle events (deactivate, suspend, app unassign, activate, create) from the System Log',
  async collect(ctx) {
    // A webhook's collection names its events; the type check below still applies to them.
    const eventIds = eventIdsOf(ctx.filter);
    const client = await OktaClient.create(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: COLLECTOR_SCOPES.user_lifecycle,
    });
    const types: readonly string[] =
      ctx.config.collectors?.user_lifecycle?.eventTypes ?? LIFECYCLE_EVENT_TYPES;
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    const controlOwner = ctx.config.controlOwner ?? null;
    const progress = await emitEventPages({
      pages: client.pages<LogEvent>(
        '/api/v1/logs',
        {
          since: ctx.window.since,
          until: ctx.window.until,
          filter: eventIds ? eventIds.map((id) => `uuid eq "${id}"`).join(' or ') : eventTypeFilter(types),
          limit: client.settings.logPageSize,
          sortOrder: 'ASCENDING',
        },
        'the System Log (user lifecycle events)',
        { scopes: ['okta.logs.read'] },
      ),
      recorder: client.recorder,
      since,
      until,
      *drafts(event, requests) {
        // What the collector does not keep is skipped before it is read as evidence: an event of another type (or
        // outside the window) is not this collector's to judge, and a shape it may lawfully have (e.g. no user
        // target) must not fail the run. An event with no type or time at all is still malformed data.
        if (typeof event?.eventType === 'string' && !types.includes(event.eventType)) return;
        if (typeof event?.published === 'string') {
          const at = Date.parse(event.published);
          // The window is half-open; Okta's bounds are its own, so they are checked again here.
          if (!Number.isNaN(at) && (at < since || at >= until)) return;
        }
        yield lifecycleDraft(event, { host: client.host, orgUrl: client.orgUrl, controlOwner, requests });
      },
      emit: (draft) => ctx.emit(draft),
    });
    ctx.log.info(
      { org: client.host, events: progress.count, requests: client.recorder.count },
      'System Log read for lifecycle events',
    );
    saveProgress(ctx, 'lastPublished', progress.last);
  },
};
