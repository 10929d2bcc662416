import { createRequire } from 'node:module';
import { changeNotificationExample } from '@crosswalk/connector-entra/testing';
import { issueUpdatedExample } from '@crosswalk/connector-jira/testing';
import { eventHookExample } from '@crosswalk/connector-okta/testing';

/** Real deliveries from @octokit/webhooks-examples (GitHub's own published examples). */
const require = createRequire(import.meta.url);
type Example = { name: string; examples: Record<string, unknown>[] };
const dotcom: Example[] = require('@octokit/webhooks-examples/api.github.com/index.json');

// biome-ignore lint/suspicious/noExplicitAny: payloads are edited field by field in tests
export function example(name: string, action?: string): Record<string, any> {
  const found = dotcom
    .find((e) => e.name === name)
    ?.examples.find((p) => action === undefined || p.action === action);
  if (!found) throw new Error(`no ${name}${action ? `.${action}` : ''} example`);
  return structuredClone(found);
}

/** The real `pull_request` `closed` delivery, turned into a merge of `repository#number` (the collection has none). */
export function mergedPullRequest(repository: string, number: number, mergedAt = '2026-03-02T10:00:00Z') {
  const payload = example('pull_request', 'closed');
  const [owner, name] = repository.split('/') as [string, string];
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.merged = true;
  payload.pull_request.merged_at = mergedAt;
  payload.repository.name = name;
  payload.repository.full_name = repository;
  payload.repository.owner.login = owner;
  return payload;
}

/**
 * Okta's documented event hook delivery (its sample envelope with the guide's user.lifecycle.deactivate event) and
 * Atlassian's documented jira:issue_updated delivery, kept with the connectors that read them (see the SOURCE.md
 * next to each file).
 */
// biome-ignore lint/suspicious/noExplicitAny: payloads are edited field by field in tests
export function oktaEventHook(): Record<string, any> {
  return eventHookExample();
}

// biome-ignore lint/suspicious/noExplicitAny: payloads are edited field by field in tests
export function jiraIssueUpdated(): Record<string, any> {
  return issueUpdatedExample();
}

/**
 * Microsoft's documented change notification for a user (connectors/entra/src/sandbox/examples/SOURCE.md), every item
 * carrying `clientState`.
 */
// biome-ignore lint/suspicious/noExplicitAny: payloads are edited field by field in tests
export function graphUserNotification(clientState: string): Record<string, any> {
  const example = changeNotificationExample();
  for (const item of example.value) item.clientState = clientState;
  return example;
}
