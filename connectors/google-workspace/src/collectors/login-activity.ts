import type { CollectorDefinition, PayloadOf, ProvenanceRequest } from '@crosswalk/core';
import { z } from 'zod';
import {
  type Activity,
  activityPages,
  parameterText,
  parameterValue,
  retentionStart,
} from '../activities.js';
import { GoogleClient } from '../client.js';
import { COLLECTOR_SCOPES, type GoogleWorkspaceConfig } from '../config.js';
import { DAY_MS, dayStart } from '../people.js';

type Payload = PayloadOf<'google_workspace.login_activity'>;

/** `login_challenge_method` values that are not a second factor; any other challenge passed is one. */
const FIRST_FACTOR_ONLY = new Set(['password', 'none', 'unknown', 'login_challenge_method_unspecified']);

/**
 * Counts one day's login activities into the record's payload as they stream past: only the counts and the users
 * concerned are kept, never the day's activities, so a busy day costs no more memory than a quiet one.
 */
export async function tallyLogins(
  customer: string,
  day: string,
  activities: AsyncIterable<Activity> | Iterable<Activity>,
): Promise<Payload> {
  const payload: Payload = {
    customer,
    day,
    logins: 0,
    loginsWithSecondFactor: 0,
    loginsWithoutSecondFactor: 0,
    loginsViaSso: 0,
    failedLogins: 0,
    suspiciousLogins: 0,
    users: 0,
    usersWithoutSecondFactor: [],
    byLoginType: {},
  };
  const users = new Set<string>();
  const without = new Map<string, number>();
  for await (const activity of activities) {
    const email = activity.actor?.email ?? activity.actor?.profileId ?? '(unknown)';
    for (const event of activity.events ?? []) {
      if (event.name === 'login_failure') payload.failedLogins += 1;
      if (event.name !== 'login_success') continue;
      payload.logins += 1;
      users.add(email);
      const type = parameterText(event.parameters, 'login_type') ?? 'unknown';
      payload.byLoginType[type] = (payload.byLoginType[type] ?? 0) + 1;
      if (event.parameters?.some((p) => p.name === 'is_suspicious' && p.boolValue === true)) {
        payload.suspiciousLogins += 1;
      }
      if (type === 'saml') {
        payload.loginsViaSso += 1;
        continue;
      }
      const challenge = event.parameters?.find((p) => p.name === 'login_challenge_method');
      const methods = challenge ? parameterValue(challenge) : null;
      const list = (Array.isArray(methods) ? methods : methods === null ? [] : [methods]).map(String);
      if (list.some((method) => !FIRST_FACTOR_ONLY.has(method))) {
        payload.loginsWithSecondFactor += 1;
      } else {
        payload.loginsWithoutSecondFactor += 1;
        without.set(email, (without.get(email) ?? 0) + 1);
      }
    }
  }
  payload.users = users.size;
  payload.usersWithoutSecondFactor = [...without.entries()]
    .map(([who, logins]) => ({ email: who, logins }))
    .sort((a, b) => a.email.localeCompare(b.email));
  payload.byLoginType = Object.fromEntries(
    Object.entries(payload.byLoginType).sort(([a], [b]) => a.localeCompare(b)),
  );
  return payload;
}

/** The activities of the pages that happened on the day starting at `day` (Google's bounds are checked again). */
async function* ofDay(pages: AsyncIterable<Activity[]>, day: number): AsyncGenerator<Activity> {
  for await (const page of pages) {
    for (const activity of page) {
      const at = Date.parse(activity.id?.time ?? '');
      if (!Number.isNaN(at) && at >= day && at < day + DAY_MS) yield activity;
    }
  }
}

/** The last day counted (yyyy-mm-dd): the next run starts the day after, whatever its window. */
const cursorSchema = z.object({ lastDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
type Cursor = z.infer<typeof cursorSchema>;

/**
 * `google_workspace.login_activity`: one record per UTC day with the day's logins from the Reports API's `login`
 * application: successes, those with and without a second factor (SAML logins apart: the identity provider
 * decides those), failures, suspicious ones, and the users concerned. Not one record per login. A day is counted
 * once it ended `settleHours` ago (Google serves login events late); the cursor remembers the last day counted,
 * so a day not yet settled in one run is counted by the next, whose window starts after it. Days past the Reports API's 180 days are skipped
 * and said.
 */
export const loginActivity: CollectorDefinition<GoogleWorkspaceConfig, Cursor> = {
  id: 'login_activity',
  kind: 'google_workspace.login_activity',
  cursorSchema,
  sourceRetentionDays: 180,
  description:
    'Daily login aggregate: logins, those without a second factor, failures and the users concerned',
  async collect(ctx) {
    const client = new GoogleClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: COLLECTOR_SCOPES.login_activity,
    });
    const settleMs = (ctx.config.collectors?.login_activity?.settleHours ?? 12) * 3_600_000;
    const now = ctx.clock.now();
    const kept = retentionStart(now).getTime();
    // From the window's first whole day, or earlier: the day after the last one counted, when an earlier run left
    // days unsettled. To the last settled day in the window.
    const windowFirst = dayStart(new Date(Date.parse(ctx.window.since) + DAY_MS - 1)).getTime();
    const resume = ctx.cursor ? Date.parse(`${ctx.cursor.lastDay}T00:00:00.000Z`) + DAY_MS : windowFirst;
    let first = Math.min(resume, windowFirst);
    const until = Math.min(Date.parse(ctx.window.until), now.getTime() - settleMs);
    if (first < kept) {
      const skipped = Math.ceil((kept - first) / DAY_MS);
      first = dayStart(new Date(kept + DAY_MS - 1)).getTime();
      ctx.log.warn(
        { customer: client.customer, skippedDays: skipped },
        'the Reports API keeps 180 days: earlier days cannot be counted',
      );
    }
    let lastDay: string | undefined;
    for (let day = first; day + DAY_MS <= until; day += DAY_MS) {
      const start = new Date(day).toISOString();
      const end = new Date(day + DAY_MS).toISOString();
      const mark = client.recorder.mark();
      const payload = await tallyLogins(
        client.customer,
        start.slice(0, 10),
        ofDay(activityPages(client, 'login', { start, end }), day),
      );
      const requests: ProvenanceRequest[] = client.recorder.since(mark);
      await ctx.emit({
        kind: 'google_workspace.login_activity',
        occurredAt: start,
        owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
        actors: [],
        source: {
          system: 'google-workspace',
          instance: client.customer,
          ref: `${client.customer}:logins:${payload.day}`,
          url: client.url('/admin/reports/v1/activity/users/all/applications/login', {
            startTime: start,
            endTime: end,
          }),
        },
        payload,
        requests,
      });
      lastDay = payload.day;
    }
    if (lastDay && (!ctx.cursor || lastDay > ctx.cursor.lastDay)) ctx.saveCursor({ lastDay });
    ctx.log.info({ customer: client.customer, lastDay: lastDay ?? null }, 'login activity counted');
  },
};
