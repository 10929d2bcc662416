import { progressCursorSchema, saveProgress } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError } from '@crosswalk/core';
import type { z } from 'zod';
import { JiraClient } from '../client.js';
import { type JiraConfig, type TicketKindKey, ticketKinds, webUrlOf } from '../config.js';
import { sourceStatusOf } from '../errors.js';
import { type JiraHistory, type JiraIssue, jiraTime, searchFields, ticketDraft } from '../tickets.js';

/** The latest resolution time collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastResolvedAt');
type Cursor = z.infer<typeof cursorSchema>;

const DAY_MS = 86_400_000;

/** `yyyy/MM/dd HH:mm`, the minute-precision date format JQL accepts. */
function jqlDate(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 16)}`;
}

/**
 * The configured JQL bounded by resolution time. JQL compares dates to the minute, in the time zone of the
 * account that searches (anything from UTC-12 to UTC+14), so the bounds are widened by a day on each side and the
 * exact half-open window is applied to each ticket's `resolutiondate` afterwards.
 */
export function windowedJql(jql: string, since: number, until: number): string {
  return (
    `(${jql}) AND resolved >= "${jqlDate(since - DAY_MS)}" AND resolved < "${jqlDate(until + DAY_MS)}" ` +
    'ORDER BY resolved ASC, key ASC'
  );
}

/**
 * A Jira issue key as Jira Cloud writes it: the project key (an uppercase letter, then uppercase letters, digits
 * or underscores), a dash, the issue number. Checked before a key goes into JQL, so a filter cannot carry JQL.
 */
export const ISSUE_KEY = /^[A-Z][A-Z0-9_]{0,99}-[1-9][0-9]{0,17}$/;

/** The configured JQL narrowed to one ticket, with no resolution-time bounds: an old ticket is found by key too. */
export function keyedJql(jql: string, issueKey: string): string {
  return `(${jql}) AND key = "${issueKey}" ORDER BY key ASC`;
}

/**
 * The one ticket a webhook asks for (`{ issueKey }`), or undefined for a run over the window. A filter with any
 * other field, or a key that is not an issue key, is refused naming the field: it would otherwise widen to the
 * whole window or put arbitrary text into JQL.
 */
export function issueKeyFilter(
  filter: Readonly<Record<string, string>>,
  collector: string,
): string | undefined {
  const fields = Object.keys(filter);
  if (fields.length === 0) return undefined;
  const unknown = fields.filter((field) => field !== 'issueKey');
  if (unknown.length > 0) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${collector} takes a filter of { issueKey: "PROJECT-123" } only, not ${unknown.map((f) => `filter.${f}`).join(', ')}`,
      {
        where: `filter.${unknown[0]}`,
        issues: unknown.map((field) => ({
          path: `filter.${field}`,
          message: 'not a filter of this collector',
        })),
      },
    );
  }
  const issueKey = filter.issueKey ?? '';
  if (!ISSUE_KEY.test(issueKey)) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${collector} takes a filter of { issueKey: "PROJECT-123" }: filter.issueKey is not a Jira issue key`,
      {
        where: 'filter.issueKey',
        issues: [{ path: 'filter.issueKey', message: 'must be a Jira issue key such as IT-42' }],
      },
    );
  }
  return issueKey;
}

/**
 * A collector for one ticket kind. Membership: the tickets the configured JQL selects that were **resolved** in
 * the window; occurredAt is the resolution time. Unresolved tickets are not recorded until they are resolved.
 * With a webhook's filter `{ issueKey }` it reads that one ticket through the same JQL (`AND key = "..."`),
 * whatever the window: a ticket resolved long ago is found by its key, and is recorded only if the JQL selects
 * it and it is resolved, dated by its resolution as always.
 */
function ticketCollector(
  key: TicketKindKey,
  id: string,
  description: string,
): CollectorDefinition<JiraConfig, Cursor> {
  const kind = ticketKinds[key];
  return {
    id,
    kind,
    cursorSchema,
    description,
    notConfigured: (config) => (config.kinds[key] ? undefined : `no JQL configured for kinds.${key}`),
    async collect(ctx) {
      const issueKey = issueKeyFilter(ctx.filter, id);
      const kindConfig = ctx.config.kinds[key];
      if (!kindConfig) {
        ctx.log.info({ collector: id }, `no JQL configured for kinds.${key}; nothing to collect`);
        return;
      }
      const client = new JiraClient(ctx.config, { log: ctx.log, signal: ctx.signal });
      const webUrl = webUrlOf(ctx.config);
      const instance = new URL(webUrl).host;
      const since = Date.parse(ctx.window.since);
      const until = Date.parse(ctx.window.until);
      const what = issueKey
        ? `search for ${issueKey} among ${key} tickets (kinds.${key}.jql)`
        : `search for ${key} tickets (kinds.${key}.jql)`;
      let last: string | undefined;
      let count = 0;
      let mark = client.recorder.mark();
      try {
        for await (const page of client.search<JiraIssue>(
          {
            jql: issueKey ? keyedJql(kindConfig.jql, issueKey) : windowedJql(kindConfig.jql, since, until),
            fields: searchFields(kindConfig),
            expand: 'changelog',
          },
          what,
        )) {
          const pageRequests = client.recorder.since(mark);
          for (const issue of page) {
            if (typeof issue?.key !== 'string' || issue.key === '') {
              throw new CrosswalkError('CW_SOURCE_DATA', `Jira returned an issue without a key in ${what}`, {
                where: what,
              });
            }
            const item = `ticket ${issue.key}`;
            const resolution = issue.fields?.resolutiondate;
            if (resolution === null || resolution === undefined) {
              // Reopened between the search and now, or a JQL that matched on something else: not evidence yet.
              ctx.log.debug(
                { key: issue.key },
                'ticket has no resolution time; skipped until it is resolved',
              );
              continue;
            }
            const resolvedAt = jiraTime(resolution, item, 'a resolution time');
            const at = Date.parse(resolvedAt);
            if (!issueKey && (at < since || at >= until)) continue;
            const issueMark = client.recorder.mark();
            const histories = await fullHistory(client, issue);
            const draft = ticketDraft({
              kind,
              kindConfig,
              issue,
              histories,
              resolvedAt,
              instance,
              webUrl,
              controlOwner: ctx.config.controlOwner ?? null,
              requests: [...pageRequests, ...client.recorder.since(issueMark)],
            });
            const payload = draft.payload as { subject: unknown };
            if (payload.subject === null && key !== 'accessReview') {
              ctx.log.warn({ key: issue.key }, `${item}: no subject could be read; recorded without one`);
            }
            await ctx.emit(draft);
            count += 1;
            if (last === undefined || resolvedAt > last) last = resolvedAt;
          }
          mark = client.recorder.mark();
        }
      } catch (error) {
        const status = sourceStatusOf(error);
        if (
          status === 400 &&
          issueKey &&
          (error as { sourceMessage?: string }).sourceMessage?.includes(issueKey)
        ) {
          // JQL names a key that does not exist (deleted, or not visible to this account) with a 400 that names it.
          ctx.log.info({ collector: id, issueKey }, `${issueKey} not found in Jira; nothing to collect`);
          return;
        }
        if (status === 400) {
          // Jira answers 400 for a JQL it cannot run (unknown field, project or syntax): a config error, named.
          throw new CrosswalkError(
            'CW_CONFIG_INVALID',
            `Jira could not run the JQL of kinds.${key}: ${(error as { sourceMessage: string }).sourceMessage}`,
            {
              where: `kinds.${key}.jql`,
              issues: [{ path: `kinds.${key}.jql`, message: 'Jira rejected the query' }],
            },
          );
        }
        throw error;
      }
      ctx.log.info(
        { collector: id, tickets: count, ...(issueKey ? { issueKey } : ctx.window) },
        `${key} tickets collected`,
      );
      // A one-ticket run is not progress through the window.
      if (issueKey) return;
      saveProgress(ctx, 'lastResolvedAt', last);
    },
  };
}

/** The search answer carries the changelog when it fits; a longer one is read page by page. */
async function fullHistory(client: JiraClient, issue: JiraIssue): Promise<JiraHistory[]> {
  const changelog = issue.changelog;
  const histories = changelog?.histories;
  if (
    Array.isArray(histories) &&
    typeof changelog?.total === 'number' &&
    histories.length >= changelog.total &&
    (changelog.startAt ?? 0) === 0
  ) {
    return histories;
  }
  return client.changelog<JiraHistory>(issue.key!);
}

export const deprovisioningTickets = ticketCollector(
  'deprovisioning',
  'deprovisioning_tickets',
  'Resolved deprovisioning (offboarding) tickets with approver, status history and the user concerned',
);

export const provisioningTickets = ticketCollector(
  'provisioning',
  'provisioning_tickets',
  'Resolved provisioning (access request) tickets with approver, status history and the user concerned',
);

export const accessReviewTickets = ticketCollector(
  'accessReview',
  'access_review_tickets',
  'Resolved access review tickets with reviewer (approver) and status history',
);
