import { type CollectorDefinition, CrosswalkError, type Person } from '@crosswalk/core';
import { encodeId, GitLabClient } from '../client.js';
import { type GitLabConfig, hasPremium } from '../config.js';
import { type GitLabUser, personOf, sourceTime } from '../people.js';

/** The fields of GitLab's audit event the collector reads; `details` is an object, whatever the description says. */
interface AuditEventItem {
  id: number | string;
  author_id?: number | null;
  entity_id?: number | null;
  entity_type?: string | null;
  event_name?: string | null;
  created_at: string;
  details?: {
    remove?: string;
    author_name?: string;
    target_id?: number | string;
    target_type?: string;
    target_details?: string;
    entity_path?: string;
  } | null;
}

/** A member removal: GitLab's `member_destroyed`, or (before event names, GitLab < 15.x) `remove: user_access`. */
export function isMemberRemoval(event: AuditEventItem): boolean {
  return (
    event.event_name === 'member_destroyed' ||
    (event.details?.remove === 'user_access' && (event.details.target_type ?? 'User') === 'User')
  );
}

/**
 * `gitlab.member_removed`: each removal of a member from the group or one of its projects in the window, from the
 * group's audit events (Premium). The removed user is named by id and, where GitLab still has the account, username.
 */
export const memberRemoved: CollectorDefinition<GitLabConfig> = {
  id: 'member_removed',
  kind: 'gitlab.member_removed',
  description: 'Members removed from the group or its projects (audit events, Premium)',
  notConfigured: (config) =>
    hasPremium(config) ? undefined : 'audit events need GitLab Premium or Ultimate (tier is free)',
  async collect(ctx) {
    const client = new GitLabClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const group = ctx.config.group;
    const path = `/groups/${encodeId(group)}/audit_events`;
    const users = new Map<string, GitLabUser | null>();
    const userOf = async (id: string) => {
      if (!users.has(id))
        users.set(id, await client.getIfAvailable<GitLabUser>(`/users/${id}`, {}, `user ${id}`));
      return users.get(id) ?? null;
    };
    let removals = 0;
    let pageMark = client.recorder.mark();
    for await (const page of client.pages<AuditEventItem>(
      path,
      { created_after: ctx.window.since, created_before: ctx.window.until },
      `audit events of group ${group}`,
    )) {
      const pageRequests = client.recorder.since(pageMark);
      for (const event of page.filter(isMemberRemoval)) {
        const own = client.recorder.mark();
        const item = `audit event ${event.id} of group ${group}`;
        const occurredAt = sourceTime(event.created_at, item, 'created_at');
        if (occurredAt < ctx.window.since || occurredAt >= ctx.window.until) continue;
        const targetId = event.details?.target_id;
        if (targetId === undefined || targetId === null || targetId === '') {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `GitLab returned ${item} without the removed user (target_id)`,
            {
              where: item,
            },
          );
        }
        const account = await userOf(String(targetId));
        const member: Person = personOf({
          id: Number(targetId),
          username: account?.username,
          name: account?.name ?? event.details?.target_details,
        })!;
        const removedBy =
          typeof event.author_id === 'number' && event.author_id > 0
            ? personOf({ id: event.author_id, name: event.details?.author_name })
            : null;
        await ctx.emit({
          kind: 'gitlab.member_removed',
          occurredAt,
          owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
          actors: removedBy ? [{ role: 'remover', person: removedBy }] : [],
          source: {
            system: 'gitlab',
            instance: group,
            ref: `${group}:audit:${event.id}`,
            url: client.url(`${path}/${encodeId(event.id)}`),
          },
          payload: {
            group,
            entityType: event.entity_type ?? 'Group',
            entity: event.details?.entity_path ?? String(event.entity_id ?? group),
            member,
            removedBy,
            auditEventId: String(event.id),
          },
          requests: [...pageRequests, ...client.recorder.since(own)],
        });
        removals += 1;
      }
      pageMark = client.recorder.mark();
    }
    ctx.log.info({ group, removals }, 'member removals collected');
  },
};
