import { defineConnector } from '@crosswalk/core';
import { timelinessConfigSchema } from './config.js';
import { derivedKinds } from './kinds.js';
import { leaverTimelinessCollector } from './leavers.js';
import { orphanedAccountsCollector } from './orphans.js';
import { deprovisioningTimelinessCollector } from './timeliness.js';
import { VERSION } from './version.js';

/**
 * Crosswalk's derived evidence as a connector, so it runs through `runConnector` like any other: config validated
 * before anything is read, a run manifest in the chain, cursors, controls and provenance stamped by the runner,
 * and the evidence it joins read through the runner's evidence reader.
 * @example
 * await runConnector({ connector: derivedConnector, connectorId: 'timeliness', locker, trigger,
 *   config: { type: 'crosswalk', slaMinutes: 1440, sources: { jiraConnectorId: 'jira-acme' } } });
 */
export const derivedConnector = defineConnector({
  type: 'crosswalk',
  version: VERSION,
  title: 'Crosswalk derived evidence',
  kinds: derivedKinds,
  configSchema: timelinessConfigSchema,
  collectors: [deprovisioningTimelinessCollector, leaverTimelinessCollector, orphanedAccountsCollector],
});
