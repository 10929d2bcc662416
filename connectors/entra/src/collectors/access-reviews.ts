import type { CollectorDefinition, PayloadOf } from '@crosswalk/core';
import { z } from 'zod';
import { GraphClient } from '../client.js';
import { COLLECTOR_PERMISSIONS, type EntraConfig } from '../config.js';
import { isUnlicensed, licenceCursorShape } from '../licence.js';
import {
  booleanOrNull,
  type GraphUserLike,
  graphPerson,
  graphTime,
  optionalGraphTime,
  requireId,
  stringOrNull,
} from '../people.js';

type Payload = PayloadOf<'entra.access_review'>;
type Decision = Payload['decisions'][number];

interface GraphDefinition {
  id?: string;
  displayName?: string | null;
  status?: string | null;
  descriptionForAdmins?: string | null;
  createdBy?: GraphUserLike | null;
  scope?: unknown;
  reviewers?: unknown;
  settings?: {
    autoApplyDecisionsEnabled?: boolean | null;
    defaultDecision?: string | null;
    defaultDecisionEnabled?: boolean | null;
    recurrence?: unknown;
  } | null;
}

interface GraphInstance {
  id?: string;
  status?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
}

interface GraphDecision {
  id?: string;
  decision?: string | null;
  principal?: (GraphUserLike & { '@odata.type'?: string }) | null;
  resource?: { id?: string | null; displayName?: string | null; type?: string | null } | null;
  reviewedBy?: GraphUserLike | null;
  reviewedDateTime?: string | null;
  justification?: string | null;
  recommendation?: string | null;
  applyResult?: string | null;
  appliedBy?: GraphUserLike | null;
  appliedDateTime?: string | null;
}

/** Instances in these states are over: their decisions are final. */
const ENDED = new Set(['Completed', 'Applied']);
/** Apply results that mean the denied access was removed (or was already gone). */
const APPLIED = new Set(['AppliedSuccessfully', 'AppliedSuccessfullyButObjectNotFound']);
/** How far before the window an instance may have ended and still be picked up: Entra applies decisions after the end. */
const GRACE_DAYS = 14;

/** What the collector remembers: whether the tenant has access reviews, so the state says why there are no records. */
const cursorSchema = z.object(licenceCursorShape);
export type AccessReviewCursor = z.infer<typeof cursorSchema>;

/** Graph writes an unset time as the year 1 (`0001-01-01T00:00:00Z`) in some places: that is no time. */
function realTime(value: string | null | undefined, item: string, field: string): string | null {
  if (typeof value === 'string' && value.startsWith('0001-01-01')) return null;
  return optionalGraphTime(value, item, field);
}

export function decisionOf(raw: GraphDecision, instanceId: string): Decision {
  const item = `decision ${raw.id ?? '(no id)'} of access review instance ${instanceId}`;
  const decision = stringOrNull(raw.decision) ?? 'NotReviewed';
  const applyResult = stringOrNull(raw.applyResult);
  const appliedDateTime = realTime(raw.appliedDateTime, item, 'appliedDateTime');
  return {
    id: requireId(raw.id, item),
    principal: graphPerson(raw.principal),
    resource: raw.resource
      ? {
          id: stringOrNull(raw.resource.id),
          displayName: stringOrNull(raw.resource.displayName),
          type: stringOrNull(raw.resource.type),
        }
      : null,
    decision,
    reviewedBy: graphPerson(raw.reviewedBy),
    reviewedDateTime: realTime(raw.reviewedDateTime, item, 'reviewedDateTime'),
    justification: stringOrNull(raw.justification) || null,
    recommendation: stringOrNull(raw.recommendation),
    applyResult,
    appliedBy: graphPerson(raw.appliedBy),
    appliedDateTime,
    denyApplied: decision === 'Deny' ? applyResult !== null && APPLIED.has(applyResult) : null,
  };
}

export function factsOf(decisions: Decision[]): Payload['facts'] {
  const count = (value: string) => decisions.filter((d) => d.decision === value).length;
  return {
    decisions: decisions.length,
    approved: count('Approve'),
    denied: count('Deny'),
    notReviewed: count('NotReviewed'),
    dontKnow: count('DontKnow'),
    allReviewed: decisions.every((d) => d.decision !== 'NotReviewed'),
    deniedAndApplied: decisions.filter((d) => d.denyApplied === true).length,
    deniedNotApplied: decisions.filter((d) => d.denyApplied === false).length,
  };
}

/**
 * `entra.access_review` (quarterly): one record per access review instance that ended (Completed or Applied) in the
 * window or up to 14 days before it, with its definition, every decision with its reviewer, and whether each deny was
 * applied and when. A tenant without the licence is not a failure: nothing is stored, the log says why, and the
 * cursor records `licence: not_available` with the reason, so the run shows a successful collector with no records
 * and the state explains it.
 */
export const accessReviews: CollectorDefinition<EntraConfig, AccessReviewCursor> = {
  id: 'access_reviews',
  kind: 'entra.access_review',
  cursorSchema,
  description: 'Access review instances with their decisions, reviewers and whether each deny was applied',
  async collect(ctx) {
    const client = new GraphClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      permissions: COLLECTOR_PERMISSIONS.access_reviews,
    });
    const checkedAt = ctx.clock.now().toISOString();
    const from = Date.parse(ctx.window.since) - GRACE_DAYS * 86_400_000;
    const until = Date.parse(ctx.window.until);
    const base = '/identityGovernance/accessReviews/definitions';
    const definitions: GraphDefinition[] = [];
    let mark = client.recorder.mark();
    try {
      for await (const page of client.pages<GraphDefinition>(
        base,
        { $top: 100 },
        'access review definitions',
      ))
        definitions.push(...page);
    } catch (error) {
      if (isUnlicensed(error)) {
        const reason = `the tenant has no licence for access reviews (Microsoft Entra ID P2 or ID Governance): ${(error as Error).message}`;
        ctx.log.info({ tenant: client.tenant }, `access reviews not collected: ${reason}`);
        ctx.saveCursor({ licence: 'not_available', checkedAt, reason } satisfies AccessReviewCursor);
        return;
      }
      throw error;
    }
    const definitionRequests = client.recorder.since(mark);
    let recorded = 0;
    for (const raw of definitions) {
      const definitionId = requireId(raw.id, 'an access review definition');
      const instances: GraphInstance[] = [];
      mark = client.recorder.mark();
      for await (const page of client.pages<GraphInstance>(
        `${base}/${encodeURIComponent(definitionId)}/instances`,
        {},
        `instances of access review ${raw.displayName ?? definitionId}`,
      ))
        instances.push(...page);
      const instanceRequests = client.recorder.since(mark);
      for (const instance of instances) {
        const instanceId = requireId(instance.id, `an instance of access review ${definitionId}`);
        const item = `access review instance ${instanceId}`;
        if (!ENDED.has(String(instance.status))) continue;
        const endDateTime = graphTime(instance.endDateTime, item, 'an endDateTime');
        const ended = Date.parse(endDateTime);
        if (ended < from || ended >= until) continue;
        mark = client.recorder.mark();
        const decisions: Decision[] = [];
        for await (const page of client.pages<GraphDecision>(
          `${base}/${encodeURIComponent(definitionId)}/instances/${encodeURIComponent(instanceId)}/decisions`,
          { $top: 100 },
          `decisions of ${item}`,
        ))
          decisions.push(...page.map((decision) => decisionOf(decision, instanceId)));
        decisions.sort(
          (a, b) =>
            (a.principal?.login ?? a.principal?.id ?? '').localeCompare(
              b.principal?.login ?? b.principal?.id ?? '',
            ) || a.id.localeCompare(b.id),
        );
        const reviewers = decisions.flatMap((d) => (d.reviewedBy ? [d.reviewedBy] : []));
        const owners = reviewers.filter(
          (p, i) => reviewers.findIndex((q) => q.id === p.id && q.login === p.login) === i,
        );
        await ctx.emit({
          kind: 'entra.access_review',
          occurredAt: endDateTime,
          owner: { people: owners, controlOwner: ctx.config.controlOwner ?? null },
          actors: decisions.flatMap((d) => (d.principal ? [{ role: 'reviewed', person: d.principal }] : [])),
          source: {
            system: 'entra',
            instance: client.tenant,
            ref: instanceId,
            url: client.link(
              `${base}/${encodeURIComponent(definitionId)}/instances/${encodeURIComponent(instanceId)}`,
            ),
          },
          payload: {
            tenant: client.tenant,
            definition: {
              id: definitionId,
              displayName: stringOrNull(raw.displayName),
              status: stringOrNull(raw.status),
              descriptionForAdmins: stringOrNull(raw.descriptionForAdmins) || null,
              createdBy: graphPerson(raw.createdBy),
              scope: raw.scope ?? null,
              reviewers: raw.reviewers ?? null,
              autoApplyDecisionsEnabled: booleanOrNull(raw.settings?.autoApplyDecisionsEnabled),
              defaultDecision: stringOrNull(raw.settings?.defaultDecision),
              defaultDecisionEnabled: booleanOrNull(raw.settings?.defaultDecisionEnabled),
              recurrence: raw.settings?.recurrence ?? null,
            },
            instance: {
              id: instanceId,
              status: String(instance.status),
              startDateTime: realTime(instance.startDateTime, item, 'startDateTime'),
              endDateTime,
            },
            decisions,
            facts: factsOf(decisions),
          },
          requests: [...definitionRequests, ...instanceRequests, ...client.recorder.since(mark)],
        });
        recorded += 1;
      }
    }
    ctx.log.info(
      { tenant: client.tenant, definitions: definitions.length, instances: recorded },
      'access reviews read',
    );
    ctx.saveCursor({ licence: 'available', checkedAt } satisfies AccessReviewCursor);
  },
};
