import { sourceCodeOf, sourceStatusOf } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type PayloadOf, type Person } from '@crosswalk/core';
import { z } from 'zod';
import { OktaClient } from '../client.js';
import { COLLECTOR_SCOPES, type OktaConfig } from '../config.js';
import {
  booleanOrNull,
  optionalTime,
  profilePerson,
  samePerson,
  sourceTime,
  stringOrNull,
} from '../people.js';

type Payload = PayloadOf<'okta.access_review'>;
type Review = Payload['reviews'][number];

const GOVERNANCE_SCOPE = COLLECTOR_SCOPES.access_reviews;

/** GET /governance/api/v1/campaigns items (`campaign-sparse`) and GET .../campaigns/{id} (`campaign-full`). */
interface Campaign {
  id?: string;
  name?: string;
  description?: string | null;
  status?: string;
  scheduleType?: string | null;
  reviewerType?: string | null;
  startDate?: string | null;
  endDate?: string | null;
  recurringCampaignId?: string | null;
  createdBy?: string | null;
  scheduleSettings?: { type?: string; startDate?: string; endDate?: string } | null;
  reviewerSettings?: { type?: string } | null;
  remediationSettings?: { accessApproved?: string; accessRevoked?: string; noResponse?: string } | null;
}

interface ProfileLike {
  id?: string | null;
  login?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** GET /governance/api/v1/reviews items (`review-sparse`), the fields we read. */
interface OktaReview {
  id?: string;
  campaignId?: string;
  resourceId?: string;
  decision?: string;
  decided?: string | null;
  remediationStatus?: string | null;
  principalProfile?: ProfileLike | null;
  reviewerProfile?: ProfileLike | null;
  reviewerType?: string | null;
  currentReviewerLevel?: string | null;
  delegated?: boolean | null;
}

/** What the collector remembers: whether the org has governance, so the state says why there are no records. */
const cursorSchema = z.object({
  governance: z.enum(['available', 'not_available']),
  checkedAt: z.string().min(1),
  reason: z.string().optional(),
});
export type AccessReviewCursor = z.infer<typeof cursorSchema>;

const REMEDIATED = new Set(['SUCCESS', 'MANUAL']);

/**
 * An org without Okta Identity Governance answers the governance API with 404, or with 401/403 and error E0000015
 * ("You do not have permission to access the feature you are requesting"). Anything else, a rejected token
 * (E0000011) or a missing scope (E0000006), is a real failure.
 */
export function governanceMissing(error: unknown): boolean {
  const status = sourceStatusOf(error);
  return status === 404 || ((status === 401 || status === 403) && sourceCodeOf(error) === 'E0000015');
}

function reviewOf(review: OktaReview, campaignId: string): Review {
  const item = `review ${review.id ?? '(no id)'} of campaign ${campaignId}`;
  if (!review.id || !review.decision) {
    throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned ${item} without an id or a decision`, {
      where: item,
    });
  }
  const principal = profilePerson(review.principalProfile);
  if (!principal) {
    throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned ${item} without the reviewed principal`, {
      where: item,
    });
  }
  return {
    id: review.id,
    reviewer: profilePerson(review.reviewerProfile),
    reviewerType: stringOrNull(review.reviewerType),
    reviewerLevel: stringOrNull(review.currentReviewerLevel),
    principal,
    resourceId: review.resourceId ?? '',
    decision: review.decision,
    decidedAt: optionalTime(review.decided, item, 'decided'),
    remediationStatus: stringOrNull(review.remediationStatus),
    delegated: booleanOrNull(review.delegated),
  };
}

export function reviewFacts(reviews: Review[]): Payload['facts'] {
  const revoked = reviews.filter((r) => r.decision === 'REVOKE');
  const unreviewed = reviews.filter((r) => r.decision === 'UNREVIEWED').length;
  const remediated = revoked.filter(
    (r) => r.remediationStatus !== null && REMEDIATED.has(r.remediationStatus),
  ).length;
  return {
    reviews: reviews.length,
    approved: reviews.filter((r) => r.decision === 'APPROVE').length,
    revoked: revoked.length,
    unreviewed,
    allDecided: unreviewed === 0,
    revokedAndRemediated: remediated,
    revokedNotRemediated: revoked.length - remediated,
  };
}

/**
 * `okta.access_review`: one record per Okta Identity Governance campaign, once it is COMPLETED, with every review
 * (reviewer, decision, decided at, remediation) and the facts an auditor tests. Running campaigns are not recorded:
 * their decisions are still moving. occurredAt is the campaign's `endDate`, its scheduled end, which Okta fixes when
 * the campaign is created: the record id stays the same however often the campaign is read. A campaign is picked up
 * when its end falls in the window (or up to `completionGraceDays` before it, since Okta completes a campaign some
 * time after its end date); one ended early is recorded once its scheduled end has passed.
 *
 * An org without governance is not a failure: the collector logs it, records nothing, and its cursor says
 * `governance: not_available`, so the run manifest shows a successful collector with zero records and the state
 * explains why.
 */
export const accessReviews: CollectorDefinition<OktaConfig, AccessReviewCursor> = {
  id: 'access_reviews',
  kind: 'okta.access_review',
  cursorSchema,
  description: 'Okta Identity Governance access certification campaigns and their reviews',
  async collect(ctx) {
    const settings = ctx.config.collectors?.access_reviews;
    if (settings?.governance === false) {
      ctx.log.info({}, 'access reviews disabled in the config (collectors.access_reviews.governance: false)');
      return;
    }
    const client = await OktaClient.create(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: GOVERNANCE_SCOPE,
    });
    const graceMs = (settings?.completionGraceDays ?? 7) * 86_400_000;
    const from = Date.parse(ctx.window.since) - graceMs;
    const until = Date.parse(ctx.window.until);
    const checkedAt = ctx.clock.now().toISOString();

    const campaigns: Campaign[] = [];
    const listMark = client.recorder.mark();
    try {
      for await (const page of client.pages<Campaign>(
        '/governance/api/v1/campaigns',
        { filter: 'status eq "COMPLETED"', limit: client.settings.pageSize },
        'access certification campaigns',
        { items: 'data', scopes: GOVERNANCE_SCOPE },
      )) {
        campaigns.push(...page);
      }
    } catch (error) {
      if (governanceMissing(error)) {
        const reason = (error as Error).message;
        ctx.log.warn(
          { org: client.host, status: sourceStatusOf(error) },
          `Okta Identity Governance is not available in this org, so there are no access review campaigns to ` +
            `record; access reviews need other evidence (e.g. Jira access review tickets). Okta said: ${reason}`,
        );
        ctx.saveCursor({ governance: 'not_available', checkedAt, reason } satisfies AccessReviewCursor);
        return;
      }
      throw error;
    }

    const listRequests = client.recorder.since(listMark);
    let recorded = 0;
    for (const summary of campaigns) {
      const item = `campaign ${summary.id ?? '(no id)'}`;
      if (!summary.id)
        throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned a campaign without an id`, { where: item });
      if (summary.status !== 'COMPLETED') continue;
      const endDate = sourceTime(summary.endDate ?? summary.scheduleSettings?.endDate, item, 'an endDate');
      const end = Date.parse(endDate);
      if (end < from || end >= until) continue;

      const mark = client.recorder.mark();
      const full = await client.get<Campaign>(
        `/governance/api/v1/campaigns/${encodeURIComponent(summary.id)}`,
        {},
        item,
        GOVERNANCE_SCOPE,
      );
      const reviews: Review[] = [];
      const foreign: string[] = [];
      for await (const page of client.pages<OktaReview>(
        '/governance/api/v1/reviews',
        { filter: `campaignId eq "${summary.id}"`, limit: client.settings.pageSize },
        `reviews of ${item}`,
        { items: 'data', scopes: GOVERNANCE_SCOPE },
      )) {
        for (const review of page) {
          // Asked for this campaign's reviews, Okta answered with another's: it is that campaign's evidence (its
          // own record lists it), not this one's, and counting it here would skew this campaign's facts. Failing
          // instead would leave this campaign unrecorded on every run for an item that is not part of it.
          if (review.campaignId !== undefined && review.campaignId !== summary.id) {
            foreign.push(`review ${review.id ?? '(no id)'} of campaign ${review.campaignId}`);
            continue;
          }
          reviews.push(reviewOf(review, summary.id));
        }
      }
      if (foreign.length > 0) {
        ctx.log.warn(
          { org: client.host, campaign: summary.id, foreign: foreign.length },
          `Okta listed ${foreign.length} review(s) of other campaigns among the reviews of ${item}; left out of ` +
            `its record: ${foreign.join(', ')}`,
        );
      }
      reviews.sort(
        (a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? '') || a.id.localeCompare(b.id),
      );

      const reviewers: Person[] = [];
      for (const review of reviews) {
        if (
          review.decision !== 'UNREVIEWED' &&
          review.reviewer &&
          !reviewers.some((p) => samePerson(p, review.reviewer))
        ) {
          reviewers.push(review.reviewer);
        }
      }
      const remediation = full.remediationSettings ?? null;
      const createdBy = stringOrNull(full.createdBy ?? summary.createdBy);
      await ctx.emit({
        kind: 'okta.access_review',
        occurredAt: endDate,
        owner: { people: reviewers, controlOwner: ctx.config.controlOwner ?? null },
        actors: createdBy ? [{ role: 'campaign_creator', person: { id: createdBy } }] : [],
        source: {
          system: 'okta',
          instance: client.host,
          ref: `campaign:${summary.id}`,
          url: client.url(`/governance/api/v1/campaigns/${encodeURIComponent(summary.id)}`).href,
        },
        payload: {
          org: client.host,
          campaign: {
            id: summary.id,
            name: full.name ?? summary.name ?? '',
            description: stringOrNull(full.description ?? summary.description),
            status: summary.status,
            scheduleType: stringOrNull(summary.scheduleType ?? full.scheduleSettings?.type),
            reviewerType: stringOrNull(summary.reviewerType ?? full.reviewerSettings?.type),
            startDate: optionalTime(summary.startDate ?? full.scheduleSettings?.startDate, item, 'startDate'),
            endDate,
            recurringCampaignId: stringOrNull(summary.recurringCampaignId ?? full.recurringCampaignId),
            createdBy,
            remediation: remediation
              ? {
                  accessApproved: stringOrNull(remediation.accessApproved),
                  accessRevoked: stringOrNull(remediation.accessRevoked),
                  noResponse: stringOrNull(remediation.noResponse),
                }
              : null,
          },
          reviews,
          facts: reviewFacts(reviews),
        },
        requests: [...listRequests, ...client.recorder.since(mark)],
      });
      recorded += 1;
    }
    ctx.log.info({ org: client.host, campaigns: campaigns.length, recorded }, 'access review campaigns read');
    ctx.saveCursor({ governance: 'available', checkedAt } satisfies AccessReviewCursor);
  },
};
