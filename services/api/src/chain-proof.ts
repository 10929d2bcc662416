import type { EvidenceRecord } from '@crosswalk/core';
import { keys, type Locker } from '@crosswalk/locker';

export interface ChainProof {
  connectorId: string;
  /** The run that stored the record, as its manifest says; null when no manifest of that run was found. */
  run: { runId: string; sequence: number; startedAt: string; key: string; sha256: string } | null;
  /** The manifest's entry for this record: its hash must be the record's. */
  listed: { sha256: string; duplicate: boolean } | null;
  /** The chain link claiming the manifest: its hash must be the manifest's, and it names the link before it. */
  link: { sequence: number; sha256: string; claimedAt: string; previousLink: string | null } | null;
  verified: boolean;
  problems: string[];
}

/** How far before a record's collection its run's start is looked for first (runs are minutes, at most hours). */
const LOOK_BACK_MS = 31 * 86_400_000;

/**
 * Where a record sits in its connector's run chain: the manifest of the run that stored it lists its id with its
 * hash, and the chain link at the manifest's sequence holds the manifest's hash. Every read is checked (the manifest
 * against its own hash by the locker). What this does not show is the walk of the whole chain (links before this
 * one): `crosswalk locker verify-runs` and an export's offline verify do that.
 */
export async function chainProof(locker: Locker, record: EvidenceRecord): Promise<ChainProof> {
  const connectorId = record.provenance.connector.id;
  const { runId } = record.provenance;
  const problems: string[] = [];
  const proof: ChainProof = { connectorId, run: null, listed: null, link: null, verified: false, problems };

  const key = await findRunKey(locker, connectorId, runId, record.collectedAt);
  if (!key) {
    problems.push(
      `no manifest of run ${runId} in ${connectorId}'s runs: the run may have died before writing it (see crosswalk locker verify-runs)`,
    );
    return proof;
  }
  const manifest = await locker.runs.read(key);
  proof.run = {
    runId,
    sequence: manifest.sequence,
    startedAt: manifest.startedAt,
    key,
    sha256: manifest.sha256,
  };
  const entry = manifest.records.find((r) => r.id === record.id);
  if (!entry) problems.push(`run ${runId}'s manifest does not list ${record.id}`);
  else {
    proof.listed = { sha256: entry.sha256, duplicate: entry.duplicate === true };
    if (entry.sha256 !== record.sha256) problems.push('the manifest lists another hash for this record');
  }
  const stored = await locker.store.get(keys.chainLinkKey(connectorId, manifest.sequence));
  if (!stored) problems.push(`no chain link ${manifest.sequence} for ${connectorId}`);
  else {
    const link = JSON.parse(Buffer.from(stored).toString('utf8')) as {
      sequence: number;
      sha256: string;
      runId: string;
      claimedAt: string;
      previousLink?: string;
    };
    proof.link = {
      sequence: link.sequence,
      sha256: link.sha256,
      claimedAt: link.claimedAt,
      previousLink: link.previousLink ?? null,
    };
    if (link.sha256 !== manifest.sha256 || link.runId !== runId || link.sequence !== manifest.sequence) {
      problems.push(`chain link ${manifest.sequence} does not claim this manifest`);
    }
  }
  proof.verified = problems.length === 0;
  return proof;
}

/** The run's manifest key: listed by key (no manifest read), first near the collection, then the whole history. */
async function findRunKey(
  locker: Locker,
  connectorId: string,
  runId: string,
  collectedAt: string,
): Promise<string | undefined> {
  const near = new Date(Date.parse(collectedAt) - LOOK_BACK_MS).toISOString();
  for (const startAfter of [keys.runStartAfter(connectorId, near), undefined]) {
    for await (const object of locker.store.list(
      keys.runPrefix(connectorId),
      startAfter ? { startAfter } : {},
    )) {
      if (keys.parseRunKey(object.key)?.runId === runId) return object.key;
    }
  }
  return undefined;
}
