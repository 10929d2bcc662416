import { defineConnector } from '@crosswalk/core';
import { accessReviewTickets, deprovisioningTickets, provisioningTickets } from './collectors/tickets.js';
import { jiraConfigSchema } from './config.js';
import { jiraKinds } from './kinds.js';
import { jiraSender } from './sender.js';
import { VERSION } from './version.js';
import { handleWebhook } from './webhooks.js';

/**
 * The Jira Cloud connector: resolved deprovisioning, provisioning and access review tickets, each kind selected by
 * a configured JQL, with approver, status history and the user concerned, over an API token or OAuth 2.0.
 * @example
 * await runConnector({ connector: jiraConnector, connectorId: 'jira-acme', locker, trigger, config: {
 *   type: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', email, apiToken },
 *   kinds: { deprovisioning: { jql: 'project = IT AND issuetype = Offboarding', subjectField: 'customfield_10042' } },
 * } });
 */
export const jiraConnector = defineConnector({
  type: 'jira',
  version: VERSION,
  title: 'Jira Cloud',
  kinds: jiraKinds,
  configSchema: jiraConfigSchema,
  collectors: [deprovisioningTickets, provisioningTickets, accessReviewTickets],
  webhook: jiraSender,
  handleWebhook,
});

export default jiraConnector;

export { JiraClient } from './client.js';
export { ISSUE_KEY, keyedJql, windowedJql } from './collectors/tickets.js';
export {
  compileSubjectPattern,
  type JiraConfig,
  type JiraConfigInput,
  jiraConfigSchema,
  parseJiraConfig,
  ticketKinds,
} from './config.js';
export { redact } from './errors.js';
export { jiraKinds } from './kinds.js';
export { ISSUE_EVENTS } from './sender.js';
export { VERSION } from './version.js';
export { handleWebhook } from './webhooks.js';
