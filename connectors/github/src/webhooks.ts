import type { WebhookDelivery, WebhookOutcome } from '@crosswalk/core';
import { type RemovalNotice, webhookRemovalDraft } from './collectors/member-removed.js';
import { configuredRepositories, type GitHubConfig } from './config.js';
import { webhookEventTime } from './removal-time.js';

interface Account {
  login?: string;
  node_id?: string;
  name?: string | null;
}

interface PullRequestEvent {
  action?: string;
  number?: number;
  pull_request?: { number?: number; merged?: boolean; merged_at?: string | null };
  repository?: { full_name?: string; owner?: { login?: string } };
}

interface OrganizationEvent {
  action?: string;
  membership?: { user?: Account | null };
  organization?: { login?: string };
  sender?: Account;
}

const nothing = (): WebhookOutcome => ({ emit: [], collect: [] });

function sameName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

function watchesRepository(config: GitHubConfig, fullName: string | undefined): fullName is string {
  if (!fullName || !sameName(fullName.split('/')[0], config.org)) return false;
  const configured = configuredRepositories(config);
  return !configured || configured.some((name) => sameName(name, fullName));
}

/**
 * Maps an authenticated GitHub delivery to what it asks for:
 * - `pull_request` closed and merged, or `pull_request_review` submitted on a merged PR: collect that one PR
 *   (the payload lacks the full review list, so the collector fetches it);
 * - `organization` member_removed: read that member's removal back from the audit log (the record the schedule
 *   stores, dated by the audit log), over the hour before the event and ten minutes after; with the audit log
 *   turned off in the config, a removal record from the payload, dated by the delivery's GUID. Either way every
 *   delivery of one removal, and the schedule, make one record (see collectors/member-removed.ts);
 * - `ping`, anything else, or an event from another org or an unwatched repository: nothing.
 */
export function handleWebhook(delivery: WebhookDelivery, config: Readonly<GitHubConfig>): WebhookOutcome {
  const payload = (delivery.payload ?? {}) as Record<string, unknown>;
  switch (delivery.event) {
    case 'pull_request':
    case 'pull_request_review': {
      const event = payload as PullRequestEvent;
      const merged =
        delivery.event === 'pull_request'
          ? event.action === 'closed' &&
            (event.pull_request?.merged === true || !!event.pull_request?.merged_at)
          : event.action === 'submitted' && !!event.pull_request?.merged_at;
      const repository = event.repository?.full_name;
      const number = event.pull_request?.number ?? event.number;
      if (!merged || !watchesRepository(config, repository) || number === undefined) return nothing();
      return {
        emit: [],
        collect: [{ collector: 'pull_request_approvals', filter: { repository, number: String(number) } }],
      };
    }
    case 'organization': {
      const event = payload as OrganizationEvent;
      const user = event.membership?.user;
      if (
        event.action !== 'member_removed' ||
        !user?.login ||
        !sameName(event.organization?.login, config.org)
      ) {
        return nothing();
      }
      const notice: RemovalNotice = {
        member: user.login,
        ...(user.node_id ? { memberId: user.node_id } : {}),
        ...(user.name ? { memberName: user.name } : {}),
        ...(event.sender?.login ? { removedBy: event.sender.login } : {}),
        ...(event.sender?.node_id ? { removedById: event.sender.node_id } : {}),
        deliveryId: delivery.deliveryId,
        receivedAt: delivery.receivedAt,
      };
      if (config.collectors?.member_removed?.auditLog === false) {
        return { emit: [webhookRemovalDraft(notice, config)], collect: [] };
      }
      // GitHub's organization event carries no time; the audit log has the removal's own. The window is anchored on
      // the event (the GUID's time), so every delivery of it asks for the same collection.
      const { at } = webhookEventTime(delivery.deliveryId, delivery.receivedAt);
      const window = {
        since: new Date(at - 60 * 60_000).toISOString(),
        until: new Date(at + 10 * 60_000).toISOString(),
      };
      return {
        emit: [],
        collect: [{ collector: 'member_removed', window, filter: { ...notice } as Record<string, string> }],
      };
    }
    default:
      return nothing();
  }
}
