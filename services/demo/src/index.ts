export { bamboohrCompany } from './bamboohr.js';
export { entraTenant } from './entra.js';
export { githubOrganization } from './github.js';
export { googleTenant } from './google.js';
export { JQL, jiraSite } from './jira.js';
export { oktaOrg } from './okta.js';
export {
  DOMAIN,
  emailOf,
  employedOn,
  MISSED_REVIEW_QUARTER,
  type Person,
  people,
  SELF_APPROVED_DAY,
} from './people.js';
export { type Sandboxes, startSandboxes } from './sandboxes.js';
export { type Quarter, type Timeline, timeline } from './timeline.js';
