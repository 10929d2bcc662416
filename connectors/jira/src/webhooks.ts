import type { WebhookDelivery, WebhookOutcome } from '@crosswalk/core';
import {
  accessReviewTickets,
  deprovisioningTickets,
  ISSUE_KEY,
  provisioningTickets,
} from './collectors/tickets.js';
import type { JiraConfig, TicketKindKey } from './config.js';
import { ISSUE_EVENTS } from './sender.js';

/** Each ticket kind's collector, by config key. */
const COLLECTORS: Record<TicketKindKey, string> = {
  deprovisioning: deprovisioningTickets.id,
  provisioning: provisioningTickets.id,
  accessReview: accessReviewTickets.id,
};

/**
 * Maps an authenticated Jira webhook delivery (the service checked its `X-Hub-Signature`) to collections: an issue
 * created or updated is collected again, through the API, by each configured ticket kind's collector narrowed to
 * that key (`{ issueKey }`). The payload itself is not stored: its shape depends on the webhook's field settings,
 * while the API answer is the one every record is built from. A kind whose JQL does not select the ticket, or a
 * ticket not yet resolved, stores nothing. Other events, or a delivery without a usable issue key: nothing.
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/
 */
export function handleWebhook(delivery: WebhookDelivery, config: Readonly<JiraConfig>): WebhookOutcome {
  const payload = (delivery.payload ?? {}) as { webhookEvent?: unknown; issue?: { key?: unknown } };
  const event = typeof payload.webhookEvent === 'string' ? payload.webhookEvent : delivery.event;
  const issueKey = payload.issue?.key;
  if (!ISSUE_EVENTS.includes(event) || typeof issueKey !== 'string' || !ISSUE_KEY.test(issueKey)) {
    return { emit: [], collect: [] };
  }
  const collect = (Object.keys(COLLECTORS) as TicketKindKey[])
    .filter((key) => config.kinds[key] !== undefined)
    .map((key) => ({ collector: COLLECTORS[key], filter: { issueKey } }));
  return { emit: [], collect };
}
