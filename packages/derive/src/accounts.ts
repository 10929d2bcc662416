import {
  type AccountFacts,
  type AccountsDeclaration,
  type EvidenceKind,
  type EvidenceReader,
  type EvidenceRecord,
  evidenceKindIds,
  kindDeclaration,
  kindsOfCategory,
  type TerminationDeclaration,
} from '@crosswalk/core';
import { DEPROVISIONING } from './removals.js';

/** One system's account-listing kinds, as the registered kinds declare them (`accounts` in a kind's declaration). */
export interface AccountSource {
  /** The connector type, as records name it in `source.system`. */
  system: string;
  holds: AccountsDeclaration['holds'];
  matchBy: AccountsDeclaration['matchBy'];
  kinds: { kind: EvidenceKind; accounts: AccountsDeclaration }[];
}

/**
 * Every system with a kind that declares how to read its accounts, by what they hold: `access` (identity providers,
 * code hosts, cloud accounts) or `employment` (the HR roster). Read from the catalog when asked, never at load.
 */
export function accountSources(holds: AccountsDeclaration['holds']): Map<string, AccountSource> {
  const sources = new Map<string, AccountSource>();
  for (const kind of evidenceKindIds()) {
    const declaration = kindDeclaration(kind);
    const accounts = declaration.accounts as AccountsDeclaration | undefined;
    if (!accounts || accounts.holds !== holds) continue;
    const source = sources.get(declaration.system) ?? {
      system: declaration.system,
      holds,
      matchBy: accounts.matchBy,
      kinds: [],
    };
    source.kinds.push({ kind, accounts });
    sources.set(declaration.system, source);
  }
  return sources;
}

/** The kinds of the deprovisioning category that record an HR termination (they declare `termination`). */
export function terminationKinds(): {
  kind: EvidenceKind;
  system: string;
  termination: TerminationDeclaration;
}[] {
  return kindsOfCategory(DEPROVISIONING).flatMap((kind) => {
    const declaration = kindDeclaration(kind);
    return declaration.termination
      ? [{ kind, system: declaration.system, termination: declaration.termination as TerminationDeclaration }]
      : [];
  });
}

/** One snapshot of a system's accounts: when it was read (the record's collectedAt) and what it listed. */
export interface Observation {
  system: string;
  connectorId: string;
  evidenceId: string;
  sha256: string;
  key: string;
  /** Snapshots are filed under their day; the state was read at collectedAt. */
  at: string;
  day: string;
  accounts: AccountFacts[];
}

/**
 * The snapshots of one system filed under the days of [from, to), read through its kinds' accounts declarations,
 * in the order they were read. `connectorId` narrows them to one connector's records.
 */
export async function readObservations(
  evidence: EvidenceReader,
  source: AccountSource,
  range: { from: string; to: string },
  connectorId: string | undefined,
): Promise<Observation[]> {
  const observations: Observation[] = [];
  for (const { kind, accounts } of source.kinds) {
    for await (const record of evidence.list(kind, range)) {
      if (connectorId !== undefined && record.provenance.connector.id !== connectorId) continue;
      observations.push(observationOf(evidence, source.system, record, accounts));
    }
  }
  return observations.sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.evidenceId.localeCompare(b.evidenceId),
  );
}

function observationOf(
  evidence: EvidenceReader,
  system: string,
  record: EvidenceRecord,
  accounts: AccountsDeclaration,
): Observation {
  return {
    system,
    connectorId: record.provenance.connector.id,
    evidenceId: record.id,
    sha256: record.sha256,
    key: evidence.keyOf(record.id),
    at: record.collectedAt,
    day: record.occurredAt,
    accounts: accounts.read(record.payload),
  };
}
