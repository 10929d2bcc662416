export { type AccountSource, accountSources, terminationKinds } from './accounts.js';
export {
  parseTimelinessConfig,
  type TimelinessConfig,
  type TimelinessConfigInput,
  timelinessConfigSchema,
} from './config.js';
export { derivedConnector } from './connector.js';
export { type Identity, resolveIdentity } from './identity.js';
export { derivedKinds } from './kinds.js';
export { leaverSystemResult, leaverTimelinessCollector } from './leavers.js';
export { type LeaversConfig, leaversConfigSchema, type MatchRule } from './leavers-config.js';
export { type HrPerson, hrPeople, Matcher } from './matching.js';
export { orphanedAccountsCollector, orphansOf } from './orphans.js';
export { deprovisioningTimelinessSchema } from './payload.js';
export { DEPROVISIONING, type RemovalSource, removalSources, sourceKey } from './removals.js';
export { deprovisioningTimelinessCollector, systemResult } from './timeliness.js';
export { VERSION } from './version.js';
