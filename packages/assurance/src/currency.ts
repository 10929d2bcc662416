import {
  type Currency,
  canSupersede,
  type EvidenceKind,
  resolveCurrent,
  type SupersessionEntry,
  supersessionEntry,
} from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import type { Window } from './scope.js';

/**
 * The current answer per subject, for populations and coverage (the rule itself: resolveCurrent in
 * @crosswalk/core). A window's population is the records that occurred in it; each row says whether it is the
 * current answer as known when the export was made. A record in the window can be replaced by one that occurred
 * after the window's end: it stays in the bundle and in populations.csv, marked superseded and naming the record
 * that replaced it, and its subject is counted in the window where its current answer occurred. So adjacent
 * windows never count one subject twice, and a later export may mark more rows superseded than an earlier one.
 */

/**
 * Later than any timestamp: records that occurred after the window, up to whatever the locker holds when the
 * export reads it, can supersede answers inside it.
 */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/** Records of `kind` that occurred at or after the window's end, as entries that can supersede ones inside it. */
export async function laterEntries(
  locker: Locker,
  kind: EvidenceKind,
  window: Window,
): Promise<SupersessionEntry[]> {
  const entries: SupersessionEntry[] = [];
  for await (const record of locker.records.list(kind, { from: window.to, to: END_OF_TIME })) {
    entries.push(supersessionEntry(record));
  }
  return entries;
}

/**
 * Currency of every record of `kind` that occurred in the window, as known now, in occurredAt order: what
 * coverage counts, and what a control test samples from (the current ones). For a kind whose records are never
 * replaced every record is current, and records stream past without their bodies being read.
 */
export async function* currencyInWindow(
  locker: Locker,
  kind: EvidenceKind,
  window: Window,
): AsyncIterable<Currency & { id: string; occurredAt: string }> {
  if (!canSupersede(kind)) {
    for await (const ref of locker.records.refs(kind, window)) {
      yield {
        id: ref.id,
        occurredAt: ref.occurredAt,
        current: true,
        supersedes: null,
        supersededBy: null,
        currentId: ref.id,
      };
    }
    return;
  }
  const inside: { entry: SupersessionEntry; occurredAt: string }[] = [];
  for await (const record of locker.records.list(kind, window)) {
    inside.push({ entry: supersessionEntry(record), occurredAt: record.occurredAt });
  }
  const resolved = resolveCurrent([
    ...inside.map((i) => i.entry),
    ...(await laterEntries(locker, kind, window)),
  ]);
  for (const { entry, occurredAt } of inside) yield { id: entry.id, occurredAt, ...resolved.get(entry.id)! };
}
