import { defineConnector } from '@crosswalk/core';
import { branchProtection } from './collectors/branch-protection.js';
import { groupMembers } from './collectors/group-members.js';
import { memberRemoved } from './collectors/member-removed.js';
import { mergeRequestApprovals } from './collectors/merge-request-approvals.js';
import { gitlabConfigSchema } from './config.js';
import { gitlabKinds } from './kinds.js';
import { VERSION } from './version.js';

/**
 * The GitLab connector: merged merge requests with their approval state at merge, protected branches and approval
 * rules, group members with 2FA, and member removals from audit events, over GitLab's REST API v4 with an access
 * token (README: which tier each kind needs).
 * @example
 * const config = { type: 'gitlab', group: 'acme', token, tier: 'premium' };
 * await runConnector({ connector: gitlabConnector, connectorId: 'gitlab', config, locker, trigger });
 */
export const gitlabConnector = defineConnector({
  type: 'gitlab',
  version: VERSION,
  title: 'GitLab',
  kinds: gitlabKinds,
  configSchema: gitlabConfigSchema,
  collectors: [mergeRequestApprovals, branchProtection, groupMembers, memberRemoved],
});

export default gitlabConnector;

export { approvalFacts } from './approvals.js';
export {
  type GitLabConfig,
  type GitLabConfigInput,
  gitlabConfigSchema,
  parseGitLabConfig,
} from './config.js';
export { gitlabKinds } from './kinds.js';
export { VERSION } from './version.js';
