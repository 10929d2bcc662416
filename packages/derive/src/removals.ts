import {
  type EvidenceKind,
  kindDeclaration,
  kindsOfCategory,
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
