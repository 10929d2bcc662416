import { entraConnector } from '@crosswalk/connector-entra';
import { githubConnector } from '@crosswalk/connector-github';
import { googleWorkspaceConnector } from '@crosswalk/connector-google-workspace';
import { jiraConnector } from '@crosswalk/connector-jira';
import { oktaConnector } from '@crosswalk/connector-okta';
import { type ConnectorDefinition, CrosswalkError } from '@crosswalk/core';
import { derivedConnector } from '@crosswalk/derive';

/** The connectors a process knows, by type: what configs, schedules, webhooks and the logger are read against. */
export interface ConnectorRegistry {
  types(): string[];
  /** The connector of a type; unknown types are CW_CONFIG_INVALID naming `where` and the known types. */
  get(type: string, where?: string): ConnectorDefinition;
  find(type: string): ConnectorDefinition | undefined;
  all(): readonly ConnectorDefinition[];
}

/** Composes connectors into a registry; a type declared twice is refused when the process starts. */
export function createRegistry(definitions: readonly ConnectorDefinition[]): ConnectorRegistry {
  const byType = new Map<string, ConnectorDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `connector type "${definition.type}" is registered twice`,
      );
    }
    byType.set(definition.type, definition);
  }
  const types = () => [...byType.keys()];
  return {
    types,
    find: (type) => byType.get(type),
    all: () => [...byType.values()],
    get(type, where = 'type') {
      const connector = byType.get(type);
      if (!connector) {
        throw new CrosswalkError(
          'CW_CONFIG_INVALID',
          `unknown connector type "${type}" (known: ${types().join(', ')})`,
          { where, issues: [{ path: where, message: `must be one of ${types().join(', ')}` }] },
        );
      }
      return connector;
    },
  };
}

/**
 * The connectors this build knows. Adding a system = its folder under connectors/ and one line here.
 * `crosswalk` is evidence derived from other evidence (deprovisioning timeliness); it reads the locker through the
 * runner.
 */
export const registry = createRegistry([
  githubConnector,
  googleWorkspaceConnector,
  jiraConnector,
  oktaConnector,
  entraConnector,
  derivedConnector,
] as unknown as ConnectorDefinition[]);

export const connectorTypes = (): string[] => registry.types();

export function connectorFor(type: string, where = 'type'): ConnectorDefinition {
  return registry.get(type, where);
}
