import { type CollectorDefinition, CrosswalkError, type EmittedDraft, type Person } from '@crosswalk/core';
import { GitHubClient } from '../client.js';
import type { GitHubConfig } from '../config.js';
import { sourceStatusOf } from '../errors.js';
import { sourceTime } from '../people.js';

/** GET /orgs/{org}/audit-log entries, the fields we read. */
interface AuditEvent {
  '@timestamp'?: number;
  created_at?: number;
  action?: string;
  actor?: string;
  user?: string;
  _document_id?: string;
}

interface Cursor {
  lastRemovedAt: string;
}

/** The draft of one removal, from the audit log or the organization webhook; both name the member the same way. */
export function removalDraft(input: {
  org: string;
  member: Person;
  removedBy: Person | null;
  occurredAt: string;
  via: 'webhook' | 'audit_log';
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
    payload: { organization: input.org, member: input.member, removedBy: input.removedBy, via: input.via },
    requests: input.requests,
  };
}

function searchTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `github.member_removed` from the organization audit log (`org.remove_member`), which GitHub offers on
 * Enterprise Cloud only. Where the plan has none (404, or 403 for a plan or token without it) the collector says
 * so and records nothing, without failing the run: removals then come from the `organization` webhook.
 */
export const memberRemoved: CollectorDefinition<GitHubConfig> = {
  id: 'member_removed',
  kind: 'github.member_removed',
  description: 'Members removed from the organization, from the audit log (Enterprise Cloud) and webhooks',
  async collect(ctx) {
    const org = ctx.config.org;
    if (ctx.config.collectors?.member_removed?.auditLog === false) {
      ctx.log.info(
        { org },
        'audit log disabled in the config; removals come from organization webhooks only',
      );
      return;
    }
    const client = new GitHubClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    // Audit log search takes whole seconds; the window is exact, so the ends are checked again below.
    const phrase = `action:org.remove_member created:${searchTime(Math.floor(since / 1000) * 1000)}..${searchTime(until)}`;
    let last: string | undefined;
    let count = 0;
    try {
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
              controlOwner: ctx.config.controlOwner ?? null,
              url: `${client.webUrl}/organizations/${org}/settings/audit-log?q=${encodeURIComponent(`action:org.remove_member user:${event.user}`)}`,
              requests,
            }),
          );
          count += 1;
          if (last === undefined || occurredAt > last) last = occurredAt;
        }
      }
    } catch (error) {
      const status = sourceStatusOf(error);
      if (status === 404 || status === 403) {
        ctx.log.warn(
          { org, status },
          'the organization audit log is not available (it needs GitHub Enterprise Cloud and a token with ' +
            'read:audit_log or an App with Organization administration: read); no removals read from it, ' +
            `removals still arrive through the organization webhook. GitHub said: ${(error as Error).message}`,
        );
        return;
      }
      throw error;
    }
    ctx.log.info({ org, removals: count }, 'audit log read for member removals');
    const previous = (ctx.cursor as Cursor | undefined)?.lastRemovedAt;
    if (last && (!previous || last > previous)) ctx.saveCursor({ lastRemovedAt: last } satisfies Cursor);
  },
};
