import {
  canSupersede,
  type EvidenceRecord,
  MAX_INSTANT,
  resolveCurrent,
  type SupersessionEntry,
  supersessionEntry,
} from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import type { ControlEntry } from './register/schema.js';

type Evidence = ControlEntry['evidence'][number];

/** Whether a record falls under an evidence entry's filters (each filter: the field is one of the values). */
export function matches(record: EvidenceRecord, where: Evidence['where']): boolean {
  if (!where) return true;
  const payload = record.payload as Record<string, unknown>;
  const check = (values: string[] | undefined, actual: unknown) =>
    values === undefined || (typeof actual === 'string' && values.includes(actual));
  return (
    check(where.connector, record.provenance.connector.id) &&
    check(where.repository, payload.repository) &&
    check(where.branch, payload.baseBranch ?? payload.branch) &&
    check(where.project, payload.project)
  );
}

/**
 * The records a control applies to in [from, to): per evidence entry, the records of its kind that occurred in the
 * window and pass its filters, as their subject's current answer (resolveCurrent, with answers that occurred after
 * the window able to replace ones inside it, as exports count them). Each record once, in occurredAt then id order.
 * Also says how many superseded answers were left out. Streams: only records that belong are kept.
 */
export async function readPopulation(
  locker: Locker,
  control: ControlEntry,
  window: { from: string; to: string },
  onRecord: (record: EvidenceRecord) => void,
): Promise<{ superseded: number }> {
  const seen = new Set<string>();
  let superseded = 0;
  const kinds = [...new Set(control.evidence.map((e) => e.kind))];
  for (const kind of kinds) {
    const entries = control.evidence.filter((e) => e.kind === kind);
    const belongs = (record: EvidenceRecord) => entries.some((e) => matches(record, e.where));
    if (!canSupersede(kind)) {
      for await (const record of locker.records.list(kind, window)) {
        if (!seen.has(record.id) && belongs(record)) {
          seen.add(record.id);
          onRecord(record);
        }
      }
      continue;
    }
    const inside: EvidenceRecord[] = [];
    for await (const record of locker.records.list(kind, window)) inside.push(record);
    const later: SupersessionEntry[] = [];
    for await (const record of locker.records.list(kind, { from: window.to, to: MAX_INSTANT })) {
      later.push(supersessionEntry(record));
    }
    const currency = resolveCurrent([...inside.map(supersessionEntry), ...later]);
    for (const record of inside) {
      if (!currency.get(record.id)!.current) {
        superseded++;
        continue;
      }
      if (!seen.has(record.id) && belongs(record)) {
        seen.add(record.id);
        onRecord(record);
      }
    }
  }
  return { superseded };
}
