import {
  CrosswalkError,
  type EvidenceKind,
  formatEvidenceId,
  isEvidenceKind,
  parseEvidenceId,
  TIMESTAMP_PATTERN,
} from '@crosswalk/core';

/**
 * The key layout is the index (docs/architecture.md, "The locker"). A listing by kind from
 * `evidence/<kind>/<day of from>/<from>` up to `<to>` is the population of every control that kind maps to.
 * Timestamps are fixed-width UTC, so string order is time order at every level.
 */

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `2026-03-10T14:22:05.123Z` -> `2026/03/10`. */
export function dayPath(timestamp: string): string {
  return `${timestamp.slice(0, 4)}/${timestamp.slice(5, 7)}/${timestamp.slice(8, 10)}`;
}

/** The key of a record, from its id alone: ids carry kind and occurredAt (see core's evidence-id.ts). */
export function evidenceKey(record: { id: string }): string {
  const parts = parseEvidenceId(record.id);
  if (!parts)
    throw new CrosswalkError('CW_INPUT_INVALID', `"${record.id}" is not an evidence id`, {
      where: record.id,
    });
  return `evidence/${parts.kind}/${dayPath(parts.occurredAt)}/${parts.occurredAt}-${parts.digest}.json`;
}

export function evidencePrefix(kind: EvidenceKind): string {
  return `evidence/${kind}/`;
}

/** The greatest key strictly before every record of `kind` that occurred at or after `from`. */
export function evidenceStartAfter(kind: EvidenceKind, from: string): string {
  return `evidence/${kind}/${dayPath(from)}/${from}`;
}

export interface EvidenceKeyParts {
  kind: EvidenceKind;
  occurredAt: string;
  id: string;
}

/** Parses an evidence key; undefined for anything that is not one (a stray object never passes as evidence). */
export function parseEvidenceKey(key: string): EvidenceKeyParts | undefined {
  const match = /^evidence\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)-([0-9a-f]{32})\.json$/.exec(key);
  if (!match) return undefined;
  const [, kind, yyyy, mm, dd, occurredAt, digest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!isEvidenceKind(kind) || !TIMESTAMP_PATTERN.test(occurredAt)) return undefined;
  if (dayPath(occurredAt) !== `${yyyy}/${mm}/${dd}`) return undefined;
  return { kind, occurredAt, id: formatEvidenceId(kind, occurredAt, digest) };
}

/** Connector ids, run ids and config ids become key segments: keep them to a safe alphabet. */
export function assertSegment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value)) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${what} "${value}" must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return value;
}

export function runKey(connectorId: string, startedAt: string, runId: string): string {
  return `runs/${assertSegment(connectorId, 'connector id')}/${dayPath(startedAt)}/${startedAt}-${assertSegment(runId, 'run id')}.json`;
}

export function runPrefix(connectorId: string): string {
  return `runs/${assertSegment(connectorId, 'connector id')}/`;
}

export function runStartAfter(connectorId: string, from: string): string {
  return `${runPrefix(connectorId)}${dayPath(from)}/${from}`;
}

export function parseRunKey(
  key: string,
): { connectorId: string; startedAt: string; runId: string } | undefined {
  const match =
    /^runs\/([^/]+)\/\d{4}\/\d{2}\/\d{2}\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-([^/]+)\.json$/.exec(
      key,
    );
  if (!match) return undefined;
  return { connectorId: match[1]!, startedAt: match[2]!, runId: match[3]! };
}

/** Chain links are claimed write-once, so two workers can never both append sequence N. */
export function chainLinkKey(connectorId: string, sequence: number): string {
  return `chain/${assertSegment(connectorId, 'connector id')}/${String(sequence).padStart(12, '0')}.json`;
}

export function chainPrefix(connectorId: string): string {
  return `chain/${assertSegment(connectorId, 'connector id')}/`;
}

export function chainHeadHintKey(connectorId: string): string {
  return `chain/${assertSegment(connectorId, 'connector id')}/head.json`;
}

/**
 * Where a run puts its manifest's exact bytes before it claims chain link `sequence` (see RunStore.append): if it
 * dies between the claim and the manifest write, recovery writes the manifest from here. Mutable: removed once
 * the manifest is written. Outside `chain/` and `runs/`, so neither a chain walk nor a run listing meets it.
 */
export function stagedManifestKey(connectorId: string, sequence: number, runId: string): string {
  return `${stagingPrefix(connectorId)}${String(sequence).padStart(12, '0')}-${assertSegment(runId, 'run id')}.json`;
}

export function stagingPrefix(connectorId: string): string {
  return `staging/${assertSegment(connectorId, 'connector id')}/`;
}

/** Sequence and run id of a staged manifest's key; undefined for anything else. */
export function parseStagedManifestKey(key: string): { sequence: number; runId: string } | undefined {
  const match = /^staging\/[^/]+\/(\d{12})-([^/]+)\.json$/.exec(key);
  if (!match) return undefined;
  return { sequence: Number(match[1]), runId: match[2]! };
}

export function stateKey(connectorId: string): string {
  return `state/${assertSegment(connectorId, 'connector id')}.json`;
}

export function configKey(id: string): string {
  return `config/connectors/${assertSegment(id, 'connector id')}.json`;
}

export const CONFIG_PREFIX = 'config/connectors/';

export function auditKey(at: string, id: string): string {
  return `audit/${dayPath(at)}/${at}-${assertSegment(id, 'audit entry id')}.json`;
}

export function auditStartAfter(from: string): string {
  return `audit/${dayPath(from)}/${from}`;
}

/** The occurredAt / startedAt / at embedded in a dated key's file name. */
export function timestampOfKey(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const candidate = name.slice(0, 24);
  return TIMESTAMP_PATTERN.test(candidate) ? candidate : undefined;
}

/**
 * Mutable keys whose objects are worth nothing once removed (a run's staged manifest, written again in full by
 * every run): on a versioned bucket `delete` removes all their versions, where retention allows.
 */
export function isTransientKey(key: string): boolean {
  return key.startsWith('staging/');
}

/**
 * Keys written with `put` and meant to be replaced: cursors, connector config, API keys, the chain head hint, an
 * export's failure note, a run's staged manifest. On a versioned bucket these read as their latest version and vanish when deleted; every
 * other key reads as its first write (see S3ObjectStore). Objects written by `put` also carry a marker saying so,
 * which covers mutable keys this list does not name; the list covers those written before the marker existed.
 */
export function isMutableKey(key: string): boolean {
  return (
    /^(state|config|keys|staging)\//.test(key) ||
    /^chain\/[^/]+\/head\.json$/.test(key) ||
    /^exports\/[^/]+\/failure\.json$/.test(key)
  );
}
