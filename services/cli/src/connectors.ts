import { type ConnectorDefinition, CrosswalkError } from '@crosswalk/core';

/**
 * The connectors this build knows, by type. Adding a system = adding its package here. Loaded lazily so that
 * `crosswalk controls` does not pay for octokit.
 */
const loaders: Record<string, () => Promise<ConnectorDefinition>> = {
  github: async () =>
    (await import('@crosswalk/connector-github')).githubConnector as unknown as ConnectorDefinition,
};

export const connectorTypes = Object.keys(loaders);

export async function loadConnector(type: string, where: string): Promise<ConnectorDefinition> {
  const load = loaders[type];
  if (!load) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `unknown connector type "${type}" (known: ${connectorTypes.join(', ')})`,
      {
        where,
      },
    );
  }
  return load();
}
