import { type EvidenceKind, kindDeclaration } from './kinds.js';
import type { EvidenceRecord } from './record.js';

/**
 * Which records are the current answer, and which were replaced by a later one.
 *
 * Events are never replaced (each is its own occurrence), and snapshots are dated by their observation day, so a
 * second observation of the same day is the same id and stores nothing. Only a kind whose declaration says how
 * (`supersession`: the answer's subject and the record it replaces) can hold several answers about one subject:
 * today the derived deprovisioning timeliness, which stores a new record each time what is known about a ticket
 * changes and names the record it replaces (`payload.supersedes`). Nothing is overwritten: the earlier answers stay
 * in the locker, and this module says which one stands.
 */

/** Whether records of `kind` can replace earlier ones; for any other kind every record is current. */
export function canSupersede(kind: EvidenceKind): boolean {
  return kindDeclaration(kind).supersession !== undefined;
}

/** What resolution needs of a record: small, so a whole kind's worth can be held while resolving. */
export interface SupersessionEntry {
  id: string;
  collectedAt: string;
  subject: string;
  supersedes: string | null;
}

export function supersessionEntry(record: EvidenceRecord): SupersessionEntry {
  const rule = kindDeclaration(record.kind).supersession;
  return {
    id: record.id,
    collectedAt: record.collectedAt,
    subject: rule ? rule.subjectOf(record.payload) : record.id,
    supersedes: rule ? rule.supersedesOf(record.payload) : null,
  };
}

export interface Currency {
  /** This record is the subject's current answer. */
  current: boolean;
  /** The record this one names as replaced (as written in it), or null. */
  supersedes: string | null;
  /** Who replaced this one: null when current. Following it from any record reaches `currentId`. */
  supersededBy: string | null;
  /** The subject's current answer (this record's own id when current). */
  currentId: string;
}

/** Later first: collectedAt (when it was known), then id, so the order never depends on how records were read. */
function later(a: SupersessionEntry, b: SupersessionEntry): boolean {
  return a.collectedAt === b.collectedAt ? a.id > b.id : a.collectedAt > b.collectedAt;
}

/**
 * Resolves the current answer of each subject among `entries`. The rule, per subject:
 *
 * - A link counts when it names another record of the same subject among the entries. A link to a record not
 *   among them (one outside the range read) or of another subject is kept as written but decides nothing.
 * - The candidates are the records that no counted link names. The current answer is the candidate collected
 *   last (then the greater id). So a chain A <- B <- C makes C current whatever order the records were collected
 *   or read in; two records that both name A (two runs that answered from the same state) leave the later-
 *   collected one current and the other superseded by it; two unlinked answers the same.
 * - When every record is named (a cycle, which a well-behaved writer never makes), the last collected is current.
 * - A superseded record's `supersededBy` is the last-collected record that names it, or, for a candidate that
 *   lost (or a record in a ring of records naming each other), the current answer; so following `supersededBy`
 *   from any record ends at the current one.
 *
 * Exactly one current record per subject, and the result does not depend on the order of `entries`.
 */
export function resolveCurrent(entries: Iterable<SupersessionEntry>): Map<string, Currency> {
  const byId = new Map<string, SupersessionEntry>();
  for (const entry of entries) byId.set(entry.id, entry);
  const subjects = new Map<string, SupersessionEntry[]>();
  for (const entry of byId.values()) {
    const list = subjects.get(entry.subject);
    if (list) list.push(entry);
    else subjects.set(entry.subject, [entry]);
  }
  const result = new Map<string, Currency>();
  for (const members of subjects.values()) {
    members.sort((a, b) => (later(a, b) ? 1 : -1));
    // The last-collected record naming each one, counting only links inside the subject.
    const namedBy = new Map<string, SupersessionEntry>();
    for (const entry of members) {
      const target = entry.supersedes;
      if (target === null || target === entry.id) continue;
      if (byId.get(target)?.subject !== entry.subject) continue;
      const have = namedBy.get(target);
      if (!have || later(entry, have)) namedBy.set(target, entry);
    }
    let current: SupersessionEntry | undefined;
    for (const entry of members) {
      if (namedBy.has(entry.id)) continue;
      if (!current || later(entry, current)) current = entry;
    }
    if (!current) for (const entry of members) if (!current || later(entry, current)) current = entry;
    const head = current!;
    const next = new Map<string, string>();
    for (const entry of members) {
      if (entry.id !== head.id) next.set(entry.id, namedBy.get(entry.id)?.id ?? head.id);
    }
    // A ring of records naming each other beside the current one would send a reader round in circles: cut it
    // where the walk first comes back (members are in a fixed order, so the cut is too).
    const reaches = new Set<string>([head.id]);
    for (const entry of members) {
      const path: string[] = [];
      const onPath = new Set<string>();
      let at = entry.id;
      while (!reaches.has(at) && !onPath.has(at)) {
        onPath.add(at);
        path.push(at);
        at = next.get(at)!;
      }
      if (onPath.has(at)) next.set(at, head.id);
      for (const id of path) reaches.add(id);
    }
    for (const entry of members) {
      result.set(entry.id, {
        current: entry.id === head.id,
        supersedes: entry.supersedes,
        supersededBy: next.get(entry.id) ?? null,
        currentId: head.id,
      });
    }
  }
  return result;
}
