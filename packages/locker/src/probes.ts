import type { EvidenceRecord, PayloadOf } from '@crosswalk/core';

/**
 * Where the locker writes objects that test the storage rather than record anything: `crosswalk locker check`
 * and the write-once capability probe. No evidence reader lists it (records, runs, chain, audit and exports all
 * live under prefixes of their own), so nothing here can reach a population, a coverage count or an export.
 */
export const PROBE_PREFIX = 'probe/';

const UUID = /^probe-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Before the probe prefix existed, `crosswalk locker check` stored a real `github.org_members` record. This
 * recognises exactly those records so evidence reads can leave them out, and nothing else: every field the old
 * check fixed must match. A GitHub collection never produces one (its source system is `github`, its connector
 * type `github`), and the source fields are part of the record's id, so a real record's key can never hold a
 * record like this unless its bytes were replaced, which the caller checks first (hash, and id against key).
 */
export function isLegacyCheckProbe(record: EvidenceRecord): boolean {
  if (record.kind !== 'github.org_members') return false;
  const { source, provenance } = record;
  const payload = record.payload as PayloadOf<'github.org_members'>;
  return (
    source.system === 'crosswalk' &&
    source.instance === 'locker-check' &&
    source.url === null &&
    UUID.test(source.ref) &&
    provenance.connector.id === 'locker-check' &&
    provenance.connector.type === 'crosswalk' &&
    provenance.collector === 'locker_check' &&
    record.collectedAt === record.occurredAt &&
    record.owner.people.length === 0 &&
    record.actors.length === 0 &&
    payload.organization === 'locker-check' &&
    payload.members.length === 0 &&
    payload.outsideCollaborators?.length === 0
  );
}
