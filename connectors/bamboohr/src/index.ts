import { defineConnector } from '@crosswalk/core';
import { employeesSnapshot } from './collectors/employees-snapshot.js';
import { terminations } from './collectors/terminations.js';
import { bamboohrConfigSchema } from './config.js';
import { bamboohrKinds } from './kinds.js';
import { VERSION } from './version.js';

/**
 * The BambooHR connector: the employee population daily and terminations as events, over an API key (HTTP Basic),
 * with BambooHR's date-only termination dates read in the company's time zone (README, "Time zone rule").
 * @example
 * const config = { type: 'bamboohr', companyDomain: 'acme', apiKey, timeZone: 'America/Denver' };
 * await runConnector({ connector: bamboohrConnector, connectorId: 'hr', config, locker, trigger });
 */
export const bamboohrConnector = defineConnector({
  type: 'bamboohr',
  version: VERSION,
  title: 'BambooHR',
  kinds: bamboohrKinds,
  configSchema: bamboohrConfigSchema,
  collectors: [employeesSnapshot, terminations],
});

export default bamboohrConnector;

export {
  type BambooHrConfig,
  type BambooHrConfigInput,
  bamboohrConfigSchema,
  parseBambooHrConfig,
} from './config.js';
export { bamboohrKinds } from './kinds.js';
export { terminationInstant } from './time-zone.js';
export { VERSION } from './version.js';
