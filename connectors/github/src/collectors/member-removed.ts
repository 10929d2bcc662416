import { progressCursorSchema, saveProgress, sourceStatusOf } from '@crosswalk/connector-kit';
import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type PayloadOf,
  type Person,
  toTimestamp,
} from '@crosswalk/core';
import type { z } from 'zod';
import { GitHubClient, webUrlFor } from '../client.js';
import type { GitHubConfig } from '../config.js';
import { sourceTime } from '../people.js';
import { webhookEventTime } from '../removal-time.js';

/** GET /orgs/{org}/audit-log entries, the fields we read. */
interface AuditEvent {
  '@timestamp'?: number;
  created_at?: number;
  action?: string;
  actor?: string;
  user?: string;
  _document_id?: string;
}

/** The latest removal collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastRemovedAt');
type Cursor = z.infer<typeof cursorSchema>;

type TimeFrom = NonNullable<PayloadOf<'github.member_removed'>['timeFrom']>;

/**
 * The draft of one removal, from the audit log or the organization webhook. The record's id follows from the
 * organization, the member and occurredAt, so the same removal read twice (the schedule and a webhook's read-back,
 * or two deliveries of one event) is one record.
 */
export function removalDraft(input: {
  org: string;
  member: Person;
  removedBy: Person | null;
  occurredAt: string;
  via: 'webhook' | 'audit_log';
  timeFrom: TimeFrom;
  controlOwner: string | null;
  url: string | null;
  requests: EmittedDraft['requests'];
}): EmittedDraft<'github.member_removed'> {
  const handle = input.member.login ?? input.member.id ?? input.member.name;
  return {
    kind: 'github.member_removed',
    occurredAt: input.occurredAt,
    owner: { people: input.removedBy ? [input.removedBy] : [], controlOwner: input.controlOwner },
    actors: [{ role: 'removed', person: input.member }],
    source: {
      system: 'github',
      instance: input.org,
      ref: `${input.org}:member_removed:${handle}:${input.occurredAt}`,
      url: input.url,
    },
    payload: {
      organization: input.org,
      member: input.member,
      removedBy: input.removedBy,
      via: input.via,
      timeFrom: input.timeFrom,
    },
    requests: input.requests,
  };
}

/** What an `organization` member_removed delivery tells the read-back (a collection filter holds strings only). */
export interface RemovalNotice {
  member: string;
  memberId?: string;
  memberName?: string;
  removedBy?: string;
  removedById?: string;
  deliveryId: string;
  receivedAt: string;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NOTICE_KEYS = new Set([
  'member',
  'memberId',
  'memberName',
  'removedBy',
  'removedById',
  'deliveryId',
  'receivedAt',
]);

/**
 * The removal a webhook's collection is narrowed to, or undefined for a scheduled one. Throws CW_INPUT_INVALID
 * naming the filter field, before any request, for anything else.
 */
export function removalNoticeOf(filter: Readonly<Record<string, string>>): RemovalNotice | undefined {
  if (Object.keys(filter).length === 0) return undefined;
  const invalid = (field: string, message: string) =>
    new CrosswalkError('CW_INPUT_INVALID', `member_removed filter.${field} ${message}`, {
      where: `filter.${field}`,
    });
  for (const key of Object.keys(filter)) {
    if (!NOTICE_KEYS.has(key)) throw invalid(key, 'is not a field of a removal notice');
  }
  if (!filter.member || !LOGIN.test(filter.member)) throw invalid('member', 'must be a GitHub login');
  if (!filter.deliveryId || filter.deliveryId.length > 100)
    throw invalid('deliveryId', 'must be a delivery id');
  if (!filter.receivedAt || Number.isNaN(Date.parse(filter.receivedAt))) {
    throw invalid('receivedAt', 'must be a timestamp');
  }
  if (filter.removedBy !== undefined && !LOGIN.test(filter.removedBy)) {
    throw invalid('removedBy', 'must be a GitHub login');
  }
  return filter as unknown as RemovalNotice;
}

/**
 * The record of a removal GitHub told us of only by webhook (the organization event carries no time): dated by the
 * delivery's GUID, GitHub's stamp of the event, shared by every delivery and redelivery of it (see removal-time.ts).
 */
export function webhookRemovalDraft(
  notice: RemovalNotice,
  config: Readonly<GitHubConfig>,
): EmittedDraft<'github.member_removed'> {
  const { at, from } = webhookEventTime(notice.deliveryId, notice.receivedAt);
  const member: Person = { login: notice.member };
  if (notice.memberId) member.id = notice.memberId;
  if (notice.memberName) member.name = notice.memberName;
  let removedBy: Person | null = null;
  if (notice.removedBy) {
    removedBy = { login: notice.removedBy };
    if (notice.removedById) removedBy.id = notice.removedById;
  }
  return removalDraft({
    org: config.org,
    member,
    removedBy,
    occurredAt: toTimestamp(at),
    via: 'webhook',
    timeFrom: from,
    controlOwner: config.controlOwner ?? null,
    url: `${webUrlFor(config.baseUrl)}/orgs/${config.org}/people`,
    requests: [],
  });
}

function searchTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads `org.remove_member` entries of the window (of one member, when given); resolves to those it emitted. */
async function readAuditLog(
  ctx: CollectorContext<GitHubConfig>,
  client: GitHubClient,
  member: string | undefined,
): Promise<string[]> {
  const org = ctx.config.org;
  const since = Date.parse(ctx.window.since);
  const until = Date.parse(ctx.window.until);
  // Audit log search takes whole seconds; the window is exact, so the ends are checked again below.
  const phrase =
    `action:org.remove_member${member ? ` user:${member}` : ''} ` +
    `created:${searchTime(Math.floor(since / 1000) * 1000)}..${searchTime(until)}`;
  const emitted: string[] = [];
  let mark = client.recorder.mark();
  for await (const page of client.pages<AuditEvent>(
    '/orgs/{org}/audit-log',
    { org, phrase, order: 'asc', include: 'web' },
    `audit log of ${org}`,
  )) {
    const requests = client.recorder.since(mark);
    mark = client.recorder.mark();
    for (const event of page) {
      if (event.action !== 'org.remove_member') continue;
      if (member && event.user?.toLowerCase() !== member.toLowerCase()) continue;
      const item = `audit log event ${event._document_id ?? '(no id)'}`;
      const occurredAt = sourceTime(event['@timestamp'] ?? event.created_at, item, 'a timestamp');
      const at = Date.parse(occurredAt);
      if (at < since || at >= until) continue;
      if (!event.user) {
        throw new CrosswalkError('CW_SOURCE_DATA', `GitHub returned ${item} without the removed user`, {
          where: item,
        });
      }
      await ctx.emit(
        removalDraft({
          org,
          member: { login: event.user },
          removedBy: event.actor ? { login: event.actor } : null,
          occurredAt,
          via: 'audit_log',
          timeFrom: 'audit_log',
          controlOwner: ctx.config.controlOwner ?? null,
          url: `${client.webUrl}/organizations/${org}/settings/audit-log?q=${encodeURIComponent(`action:org.remove_member user:${event.user}`)}`,
          requests,
        }),
      );
      emitted.push(occurredAt);
    }
  }
  return emitted;
}

/**
 * `github.member_removed`: one record per removal, whichever path saw it first. The organization audit log
 * (`org.remove_member`, GitHub Enterprise Cloud) is the source of truth: it has the removal's own time. An
 * `organization` member_removed webhook carries none, so it asks this collector to read that member's removal back
 * from the audit log (filter: a RemovalNotice), which yields the very record the schedule stores; only where the org
 * has no audit log (404, or 403 for a plan or token without it) or the config turns it off is the removal recorded
 * from the delivery, dated by its GUID. An entry the audit log does not show yet is stored by the next scheduled
 * collection, whose window overlaps the previous one by an hour.
 */
export const memberRemoved: CollectorDefinition<GitHubConfig, Cursor> = {
  id: 'member_removed',
  kind: 'github.member_removed',
  cursorSchema,
  description: 'Members removed from the organization, from the audit log (Enterprise Cloud) and webhooks',
  async collect(ctx) {
    const org = ctx.config.org;
    const notice = removalNoticeOf(ctx.filter);
    if (ctx.config.collectors?.member_removed?.auditLog === false) {
      if (notice) {
        await ctx.emit(webhookRemovalDraft(notice, ctx.config));
        return;
      }
      ctx.log.info(
        { org },
        'audit log disabled in the config; removals come from organization webhooks only',
      );
      return;
    }
    const client = new GitHubClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    let emitted: string[];
    try {
      emitted = await readAuditLog(ctx, client, notice?.member);
    } catch (error) {
      const status = sourceStatusOf(error);
      if (status === 404 || status === 403) {
        ctx.log.warn(
          { org, status },
          'the organization audit log is not available (it needs GitHub Enterprise Cloud and a token with ' +
            'read:audit_log or an App with Organization administration: read); no removals read from it, ' +
            `removals still arrive through the organization webhook. GitHub said: ${(error as Error).message}`,
        );
        // The delivery is then the only witness of this removal: recorded from it rather than lost.
        if (notice) await ctx.emit(webhookRemovalDraft(notice, ctx.config));
        return;
      }
      throw error;
    }
    if (notice) {
      if (emitted.length === 0) {
        ctx.log.info(
          { org, member: notice.member, deliveryId: notice.deliveryId },
          'the audit log does not show this removal yet; the next scheduled collection stores it',
        );
      }
      return;
    }
    ctx.log.info({ org, removals: emitted.length }, 'audit log read for member removals');
    const last = emitted.reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
    saveProgress(ctx, 'lastRemovedAt', last);
  },
};
