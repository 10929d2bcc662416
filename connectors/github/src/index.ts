import { defineConnector } from '@crosswalk/core';
import { branchProtection } from './collectors/branch-protection.js';
import { memberRemoved } from './collectors/member-removed.js';
import { orgMembers } from './collectors/org-members.js';
import { pullRequestApprovals } from './collectors/pull-request-approvals.js';
import { githubConfigSchema } from './config.js';
import { githubKinds } from './kinds.js';
import { githubSender } from './sender.js';
import { VERSION } from './version.js';
import { handleWebhook } from './webhooks.js';

/**
 * The GitHub connector: pull request approvals, default-branch protection, organization members and member
 * removals, over a personal token or a GitHub App installation, on github.com or GitHub Enterprise Server.
 * @example
 * const config = parseGitHubConfig({ type: 'github', org: 'acme', auth: { kind: 'token', token } });
 * await runConnector({ connector: githubConnector, connectorId: 'github-acme', config, locker, window, trigger });
 */
export const githubConnector = defineConnector({
  type: 'github',
  version: VERSION,
  title: 'GitHub',
  kinds: githubKinds,
  configSchema: githubConfigSchema,
  collectors: [pullRequestApprovals, branchProtection, orgMembers, memberRemoved],
  webhook: githubSender,
  handleWebhook,
});

export default githubConnector;

export { GitHubClient, graphqlUrlFor, webUrlFor } from './client.js';
export {
  type GitHubConfig,
  type GitHubConfigInput,
  githubConfigSchema,
  parseGitHubConfig,
} from './config.js';
export { redact } from './errors.js';
export { githubKinds } from './kinds.js';
export { VERSION } from './version.js';
export { handleWebhook } from './webhooks.js';
