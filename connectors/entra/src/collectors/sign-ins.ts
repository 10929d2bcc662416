import type { CollectorDefinition, PayloadOf, Person } from '@crosswalk/core';
import { z } from 'zod';
import { GraphClient } from '../client.js';
import { COLLECTOR_PERMISSIONS, type EntraConfig } from '../config.js';
import { isUnlicensed, licenceCursorShape } from '../licence.js';
import { graphPerson } from '../people.js';

type Payload = PayloadOf<'entra.sign_in_summary'>;

/** GET /auditLogs/signIns items, the fields read. */
interface GraphSignIn {
  userId?: string;
  userPrincipalName?: string | null;
  userDisplayName?: string | null;
  createdDateTime?: string;
  conditionalAccessStatus?: string | null;
  status?: { errorCode?: number | null } | null;
  appliedConditionalAccessPolicies?:
    | { result?: string | null; enforcedGrantControls?: (string | null)[] | null }[]
    | null;
}

const SELECT = [
  'id',
  'createdDateTime',
  'userId',
  'userPrincipalName',
  'userDisplayName',
  'status',
  'conditionalAccessStatus',
  'appliedConditionalAccessPolicies',
].join(',');

const DAY_MS = 86_400_000;

const cursorSchema = z.object({
  ...licenceCursorShape,
  /** The last day summarised. */
  lastDay: z.string().optional(),
});
export type SignInCursor = z.infer<typeof cursorSchema>;

/** A sign-in that a Conditional Access policy requiring MFA (or an authentication strength) was applied to, with success. */
export function coveredByMfaPolicy(signIn: GraphSignIn): boolean {
  return (signIn.appliedConditionalAccessPolicies ?? []).some(
    (policy) =>
      policy.result === 'success' &&
      (policy.enforcedGrantControls ?? []).some(
        (control) => control === 'Mfa' || control === 'RequireAuthenticationStrength',
      ),
  );
}

/** The UTC days that ended within the window: each is summarised whole, once, whichever run first sees it complete. */
export function completedDays(since: string, until: string): string[] {
  const days: string[] = [];
  for (
    let end = Math.floor(Date.parse(since) / DAY_MS) * DAY_MS + DAY_MS;
    end <= Date.parse(until);
    end += DAY_MS
  )
    days.push(new Date(end - DAY_MS).toISOString().slice(0, 10));
  return days;
}

/**
 * `entra.sign_in_summary` (daily): one record per UTC day that ended in the window, aggregating the day's sign-in log
 * (sign-ins, successful and failed, successful ones no MFA-requiring Conditional Access policy covered, and the users
 * concerned), not one record per sign-in. Without the licence: nothing is stored, the log and the state say why, and
 * the run does not fail.
 */
export const signIns: CollectorDefinition<EntraConfig, SignInCursor> = {
  id: 'sign_ins',
  kind: 'entra.sign_in_summary',
  cursorSchema,
  description:
    'Daily aggregate of the sign-in log: sign-ins, those no MFA policy covered, and the users concerned',
  async collect(ctx) {
    const client = new GraphClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      permissions: COLLECTOR_PERMISSIONS.sign_ins,
    });
    const checkedAt = ctx.clock.now().toISOString();
    let lastDay = ctx.cursor?.lastDay;
    for (const day of completedDays(ctx.window.since, ctx.window.until)) {
      const start = `${day}T00:00:00.000Z`;
      const end = new Date(Date.parse(start) + DAY_MS).toISOString();
      const mark = client.recorder.mark();
      const totals = { signIns: 0, successful: 0, failed: 0, withoutMfa: 0 };
      const byStatus: Record<string, number> = {};
      const signedIn = new Set<string>();
      const uncovered = new Map<string, { person: Person; signIns: number }>();
      try {
        for await (const page of client.pages<GraphSignIn>(
          '/auditLogs/signIns',
          {
            $filter: `createdDateTime ge ${start} and createdDateTime lt ${end}`,
            $select: SELECT,
            $top: client.pageSize,
          },
          `the sign-in log of ${day}`,
        )) {
          for (const signIn of page) {
            // Graph's answer is checked against the question: a sign-in of another day is not this day's.
            const at = Date.parse(String(signIn.createdDateTime));
            if (!(at >= Date.parse(start) && at < Date.parse(end))) continue;
            totals.signIns += 1;
            const status = signIn.conditionalAccessStatus ?? 'unknown';
            byStatus[status] = (byStatus[status] ?? 0) + 1;
            if ((signIn.status?.errorCode ?? 0) !== 0) {
              totals.failed += 1;
              continue;
            }
            totals.successful += 1;
            const key = signIn.userId ?? signIn.userPrincipalName ?? '(unknown user)';
            signedIn.add(key);
            if (coveredByMfaPolicy(signIn)) continue;
            totals.withoutMfa += 1;
            const person = graphPerson({
              id: signIn.userId,
              userPrincipalName: signIn.userPrincipalName,
              displayName: signIn.userDisplayName,
            }) ?? {
              name: key,
            };
            const entry = uncovered.get(key) ?? { person, signIns: 0 };
            entry.signIns += 1;
            uncovered.set(key, entry);
          }
        }
      } catch (error) {
        if (isUnlicensed(error)) {
          const reason = `the tenant has no licence for sign-in logs (Microsoft Entra ID P1 or P2): ${(error as Error).message}`;
          ctx.log.info({ tenant: client.tenant }, `sign-ins not collected: ${reason}`);
          ctx.saveCursor({
            licence: 'not_available',
            checkedAt,
            reason,
            ...(lastDay ? { lastDay } : {}),
          } satisfies SignInCursor);
          return;
        }
        throw error;
      }
      const payload: Payload = {
        tenant: client.tenant,
        day,
        signIns: totals.signIns,
        successful: totals.successful,
        failed: totals.failed,
        successfulWithoutMfaPolicy: totals.withoutMfa,
        usersWithoutMfaPolicy: [...uncovered.values()].sort(
          (a, b) =>
            b.signIns - a.signIns ||
            (a.person.login ?? a.person.id ?? '').localeCompare(b.person.login ?? b.person.id ?? ''),
        ),
        usersSignedIn: signedIn.size,
        byConditionalAccessStatus: byStatus,
      };
      await ctx.emit({
        kind: 'entra.sign_in_summary',
        occurredAt: start,
        owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
        actors: [],
        source: {
          system: 'entra',
          instance: client.tenant,
          ref: `${client.tenant}:sign-ins:${day}`,
          url: client.link('/auditLogs/signIns'),
        },
        payload,
        requests: client.recorder.since(mark),
      });
      if (!lastDay || day > lastDay) lastDay = day;
    }
    ctx.saveCursor({
      licence: 'available',
      checkedAt,
      ...(lastDay ? { lastDay } : {}),
    } satisfies SignInCursor);
  },
};
