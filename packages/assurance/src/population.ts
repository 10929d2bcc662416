import {
  CrosswalkError,
  canSupersede,
  type EvidenceKind,
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
  return (
    oneOf(where.connector, record.provenance.connector.id) &&
    oneOf(where.repository, payload.repository) &&
    oneOf(where.branch, payload.baseBranch ?? payload.targetBranch ?? payload.branch) &&
    oneOf(where.project, payload.project)
  );
}

function oneOf(values: string[] | undefined, actual: unknown): boolean {
  return values === undefined || (typeof actual === 'string' && values.includes(actual));
}

/** Population order: occurredAt, then id (the order of the locker's keys within a kind). */
export function populationOrder(a: { occurredAt: string; id: string }, b: typeof a): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Ids of the records of a kind that can be superseded which are not their subject's current answer: resolved
 * over the window's records and those that occurred after it (answers after the window can replace ones inside
 * it, as exports count them). Only the small supersession entries are held; such kinds are derived and small.
 */
async function supersededIds(locker: Locker, kind: EvidenceKind, window: { from: string; to: string }) {
  const inside: SupersessionEntry[] = [];
  for await (const record of locker.records.list(kind, window)) inside.push(supersessionEntry(record));
  const later: SupersessionEntry[] = [];
  for await (const record of locker.records.list(kind, { from: window.to, to: MAX_INSTANT })) {
    later.push(supersessionEntry(record));
  }
  return supersededAmong(inside, later);
}

/** Ids of the window's records (`inside`) that are not their subject's current answer, given those after it. */
export function supersededAmong(
  inside: readonly SupersessionEntry[],
  later: readonly SupersessionEntry[],
): Set<string> {
  const currency = resolveCurrent([...inside, ...later]);
  return new Set(inside.filter((e) => !currency.get(e.id)!.current).map((e) => e.id));
}

/**
 * A kind's records as a caller already read them, instead of reading the locker again: an export feeds the control
 * tests from its own verified read. `records` must be exactly what `locker.records.list(kind, window)` yields
 * (every listed record of the window, verified, in key order), and `superseded` the ids among them that are not
 * their subject's current answer (resolved with the records after the window, as supersededIds does), or null for
 * a kind that cannot supersede. Undefined: the caller has not read this kind; it is read from the locker.
 */
export type RecordFeed = (kind: EvidenceKind) => Promise<FedRecords | undefined>;

export interface FedRecords {
  records: AsyncIterable<EvidenceRecord>;
  superseded: ReadonlySet<string> | null;
  /**
   * The ids among `records` that no chained run manifest vouches for, as the caller's own check of the chain found
   * them (an export's), or undefined: then each record's connector's run manifests are read to tell.
   */
  unvouched?: ReadonlySet<string>;
}

/**
 * The current answers of every record of `kinds` that occurred in [from, to), each read once and verified, merged
 * across kinds into population order, so each control resting on them can hash and sample its population as it
 * streams past. Records that are not their subject's current answer are counted per kind in `superseded`, not
 * yielded. Memory: the read-ahead of each kind's listing, and the superseded ids of kinds that can supersede.
 */
export async function* currentRecords(
  locker: Locker,
  kinds: readonly EvidenceKind[],
  window: { from: string; to: string },
  superseded: Map<EvidenceKind, number>,
  feed?: RecordFeed,
): AsyncIterable<EvidenceRecord> {
  const streams: {
    kind: EvidenceKind;
    iterator: AsyncIterator<EvidenceRecord>;
    skip: ReadonlySet<string> | null;
  }[] = [];
  for (const kind of kinds) {
    superseded.set(kind, 0);
    const fed = await feed?.(kind);
    if (fed) {
      streams.push({ kind, iterator: fed.records[Symbol.asyncIterator](), skip: fed.superseded });
      continue;
    }
    const skip = canSupersede(kind) ? await supersededIds(locker, kind, window) : null;
    streams.push({ kind, iterator: locker.records.list(kind, window)[Symbol.asyncIterator](), skip });
  }
  const heads: (EvidenceRecord | undefined)[] = [];
  const advance = async (i: number): Promise<void> => {
    const stream = streams[i]!;
    for (;;) {
      const next = await stream.iterator.next();
      if (next.done) {
        heads[i] = undefined;
        return;
      }
      const record = next.value;
      if (stream.skip?.has(record.id)) {
        superseded.set(stream.kind, superseded.get(stream.kind)! + 1);
        continue;
      }
      const previous = heads[i];
      if (previous && populationOrder(previous, record) >= 0) {
        throw new CrosswalkError(
          'CW_LOCKER_CORRUPT',
          `the listing of ${stream.kind} is out of order at ${record.id}`,
          { where: record.id },
        );
      }
      heads[i] = record;
      return;
    }
  };
  try {
    await Promise.all(streams.map((_, i) => advance(i)));
    for (;;) {
      let first = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head && (first < 0 || populationOrder(head, heads[first]!) < 0)) first = i;
      }
      if (first < 0) return;
      yield heads[first]!;
      await advance(first);
    }
  } finally {
    await Promise.all(streams.map((s) => s.iterator.return?.()));
  }
}
