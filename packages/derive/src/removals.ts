import {
  type EvidenceKind,
  type EvidenceReader,
  type EvidenceRecord,
  kindDeclaration,
  kindsOfCategory,
  type Person,
  type RemovalDeclaration,
} from '@crosswalk/core';

/** The evidence category whose kinds the timeliness join reads: tickets asking for removals, and removals. */
export const DEPROVISIONING = 'deprovisioning_offboarding';

/** One system's removals as the registered kinds declare them. */
export interface RemovalSource {
  /** The connector type, as records name it in `source.system` and derived records in `systems[].system`. */
  system: string;
  kinds: { kind: EvidenceKind; removal: RemovalDeclaration }[];
}

/**
 * Every system with a kind of the deprovisioning category that declares how to read a removal, in the catalog's
 * order. Read from the kind catalog when asked (at config parse or a run), never when the module loads.
 */
export function removalSources(): Map<string, RemovalSource> {
  const sources = new Map<string, RemovalSource>();
  for (const kind of kindsOfCategory(DEPROVISIONING)) {
    const declaration = kindDeclaration(kind);
    if (!declaration.removal) continue;
    const source = sources.get(declaration.system) ?? { system: declaration.system, kinds: [] };
    source.kinds.push({ kind, removal: declaration.removal as RemovalDeclaration });
    sources.set(declaration.system, source);
  }
  return sources;
}

/** `google-workspace` -> `googleWorkspaceConnectorId`: the key of `sources` naming the system's connector. */
export function sourceKey(system: string): string {
  return `${system.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}ConnectorId`;
}

/** What of the join's config decides which removals count (config.ts: removalActions, oktaEventTypes). */
interface RemovalConfig {
  removalActions: Readonly<Record<string, readonly string[]>>;
  oktaEventTypes?: readonly string[] | undefined;
}

/** A removal read from the locker, reduced to what the join needs. */
export interface Removal {
  evidenceId: string;
  sha256: string;
  key: string;
  at: string;
  /** Lower-cased handles the removed person goes by, each as `login:x` or `email:x`. */
  handles: string[];
  removedBy: Person | null;
}

export function handlesOf(person: Person): string[] {
  const handles: string[] = [];
  if (person.login) handles.push(`login:${person.login.toLowerCase()}`);
  if (person.email) handles.push(`email:${person.email.toLowerCase()}`);
  return handles;
}

/** The actions that count as a removal in a system: configured, or as its kind declares (undefined: all). */
function removalActions(
  config: RemovalConfig,
  system: string,
  declared: readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  const configured = config.removalActions[system] ?? (system === 'okta' ? config.oktaEventTypes : undefined);
  const actions = configured ?? declared;
  return actions ? new Set(actions) : undefined;
}

export function fromConnector(record: EvidenceRecord, connectorId: string | undefined): boolean {
  return connectorId === undefined || record.provenance.connector.id === connectorId;
}

/**
 * The removals of one system in `range`, read through each of its kinds' removal declarations (the kinds of the
 * deprovisioning category that declare one), in occurredAt order per kind.
 */
export async function readRemovals(
  evidence: EvidenceReader,
  config: RemovalConfig & { sources: Readonly<Record<string, string>> },
  source: RemovalSource,
  range: { from: string; to: string },
): Promise<Removal[]> {
  const removals: Removal[] = [];
  for (const { kind, removal } of source.kinds) {
    const actions = removalActions(config, source.system, removal.actions);
    for await (const record of evidence.list(kind, range)) {
      if (!fromConnector(record, config.sources[sourceKey(source.system)])) continue;
      const facts = removal.read(record.payload);
      if (!facts || (actions && !actions.has(facts.action))) continue;
      removals.push({
        evidenceId: record.id,
        sha256: record.sha256,
        key: evidence.keyOf(record.id),
        at: record.occurredAt,
        handles: handlesOf(facts.removed),
        removedBy: facts.removedBy,
      });
    }
  }
  // Several kinds of one system: the earliest removal first, as one kind's records come.
  if (source.kinds.length > 1) removals.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return removals;
}
