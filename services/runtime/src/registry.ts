import { githubConnector } from '@crosswalk/connector-github';
import { jiraConnector } from '@crosswalk/connector-jira';
import { oktaConnector } from '@crosswalk/connector-okta';
import { type ConnectorDefinition, CrosswalkError } from '@crosswalk/core';
import { derivedConnector } from '@crosswalk/derive';

/** The connectors this build knows, by type. Adding a system = adding its package here. */
const connectors: Record<string, ConnectorDefinition> = {
  github: githubConnector as unknown as ConnectorDefinition,
  jira: jiraConnector as unknown as ConnectorDefinition,
  okta: oktaConnector as unknown as ConnectorDefinition,
  /** Evidence derived from other evidence (deprovisioning timeliness); reads the locker through the runner. */
  crosswalk: derivedConnector as unknown as ConnectorDefinition,
};

export const connectorTypes = (): string[] => Object.keys(connectors);

export function connectorFor(type: string, where = 'type'): ConnectorDefinition {
  // Own properties only: the type comes from requests, and `constructor` must not find Object's.
  const connector = Object.hasOwn(connectors, type) ? connectors[type] : undefined;
  if (!connector) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `unknown connector type "${type}" (known: ${connectorTypes().join(', ')})`,
      {
        where,
        issues: [{ path: where, message: `must be one of ${connectorTypes().join(', ')}` }],
      },
    );
  }
  return connector;
}
