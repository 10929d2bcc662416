export {
  parseTimelinessConfig,
  type TimelinessConfig,
  type TimelinessConfigInput,
  timelinessConfigSchema,
} from './config.js';
export { type Identity, resolveIdentity } from './identity.js';
export { derivedKinds } from './kinds.js';
export { deprovisioningTimelinessSchema } from './payload.js';
export { DEPROVISIONING, type RemovalSource, removalSources, sourceKey } from './removals.js';
export { deprovisioningTimelinessCollector, derivedConnector, systemResult } from './timeliness.js';
export { VERSION } from './version.js';
