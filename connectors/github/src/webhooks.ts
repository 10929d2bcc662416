import { toTimestamp, type WebhookDelivery, type WebhookOutcome } from '@crosswalk/core';
import { webUrlFor } from './client.js';
import { removalDraft } from './collectors/member-removed.js';
import { configuredRepositories, type GitHubConfig } from './config.js';
import { person } from './people.js';

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
 * - `organization` member_removed: a removal record straight from the payload;
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
      const removedBy = event.sender?.login ? person(event.sender) : null;
      return {
        emit: [
          removalDraft({
            org: config.org,
            member: person(user),
            removedBy,
            // GitHub's organization event carries no timestamp: the delivery's arrival is the closest source time
            // there is (seconds after the removal), and `via: 'webhook'` tells a reader so.
            occurredAt: toTimestamp(delivery.receivedAt),
            via: 'webhook',
            controlOwner: config.controlOwner ?? null,
            url: `${webUrlFor(config.baseUrl)}/orgs/${config.org}/people`,
            requests: [],
          }),
        ],
        collect: [],
      };
    }
    default:
      return nothing();
  }
}
