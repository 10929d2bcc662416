import { awsConnector } from '@crosswalk/connector-aws';
import { bamboohrConnector } from '@crosswalk/connector-bamboohr';
import { entraConnector } from '@crosswalk/connector-entra';
import { githubConnector } from '@crosswalk/connector-github';
import { gitlabConnector } from '@crosswalk/connector-gitlab';
import { googleWorkspaceConnector } from '@crosswalk/connector-google-workspace';
import { jiraConnector } from '@crosswalk/connector-jira';
import { oktaConnector } from '@crosswalk/connector-okta';
import { type ConnectorDefinition, CrosswalkError, isEvidenceKind, registerKinds } from '@crosswalk/core';
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
 * Composes the process's connectors: a registry of them, and their kinds registered into core's kind catalog,
 * which every reader of a record asks (payload schemas, cadence, categories). Runs once, when this module loads:
 * every process (CLI, API, worker) imports it before it reads a record. Then every collector's kind must be known.
 */
export function composeConnectors(definitions: readonly ConnectorDefinition[]): ConnectorRegistry {
  const composed = createRegistry(definitions);
  for (const definition of definitions)
    if (definition.kinds) registerKinds(definition.type, definition.kinds);
  for (const definition of definitions) {
    for (const collector of definition.collectors) {
      if (!isEvidenceKind(collector.kind)) {
        throw new CrosswalkError(
          'CW_KIND_UNKNOWN',
          `collector ${definition.type}/${collector.id} emits kind "${collector.kind}", which no connector declares`,
        );
      }
    }
  }
  return composed;
}

/**
 * The connectors this build knows. Adding a system = its folder under connectors/ (its connector declares its
 * kinds) and one line here. The order is the kinds' order wherever they are listed (coverage, exports, `kindsFor`).
 * `crosswalk` is evidence derived from other evidence (deprovisioning timeliness); it reads the locker through the
 * runner.
 */
export const registry = composeConnectors([
  githubConnector,
  oktaConnector,
  entraConnector,
  googleWorkspaceConnector,
  jiraConnector,
  bamboohrConnector,
  awsConnector,
  gitlabConnector,
  derivedConnector,
] as unknown as ConnectorDefinition[]);

export const connectorTypes = (): string[] => registry.types();

export function connectorFor(type: string, where = 'type'): ConnectorDefinition {
  return registry.get(type, where);
}
