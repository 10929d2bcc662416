import {
  canonicalSha256,
  type EvidenceKind,
  type EvidenceReader,
  type EvidenceRecord,
  type ProvenanceRequest,
} from '@crosswalk/core';

/**
 * Derived answers are recomputed as what is known changes. Each answer's ref carries a hash of its outcome, so a
 * rerun that knows nothing new stores nothing (same ref, same id), and a changed answer is a new record naming the
 * one it replaces (docs: README, "When it is recorded").
 */

/** Earlier answers of `kind` by this connector, by the subject they are about. */
export async function readPrevious(
  evidence: EvidenceReader,
  kind: EvidenceKind,
  connectorId: string,
  range: { from: string; to: string },
  subjectOf: (record: EvidenceRecord) => string,
): Promise<Map<string, EvidenceRecord[]>> {
  const bySubject = new Map<string, EvidenceRecord[]>();
  for await (const record of evidence.list(kind, range)) {
    if (record.source.instance !== connectorId) continue;
    const subject = subjectOf(record);
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), record]);
  }
  return bySubject;
}

/** The ref of an answer: its subject and a hash of its outcome. */
export const answerRef = (subject: string, outcome: unknown) =>
  `${subject}/${canonicalSha256(outcome).slice(0, 16)}`;

/**
 * Which earlier answer a new one with `ref` replaces: for a rerun of the same answer, what that one replaced (its
 * record is a duplicate); otherwise the latest earlier answer with another outcome.
 */
export function replacedBy(
  earlier: readonly EvidenceRecord[],
  ref: string,
  supersedesOf: (record: EvidenceRecord) => string | null,
): { id: string | null; record: EvidenceRecord | undefined } {
  const sorted = [...earlier].sort((a, b) =>
    a.collectedAt === b.collectedAt ? a.id.localeCompare(b.id) : a.collectedAt < b.collectedAt ? -1 : 1,
  );
  const same = sorted.find((r) => r.source.ref === ref);
  const id = same ? supersedesOf(same) : (sorted.filter((r) => r.source.ref !== ref).at(-1)?.id ?? null);
  return { id, record: sorted.find((r) => r.id === id) };
}

/** A record the join read, by locker key: what an auditor re-reads to check the answer. */
export const read = (key: string): ProvenanceRequest => ({
  method: 'GET',
  path: key,
  status: 200,
  requestId: null,
});

/** Counts an answer under its outcome (`okta:on_time github:late final`), for the run's summary; returns it. */
export function tally(
  counts: Record<string, number>,
  systems: readonly { system: string; status: string }[],
  final: boolean,
): string {
  const label = `${systems.map((s) => `${s.system}:${s.status}`).join(' ')}${final ? ' final' : ''}`;
  counts[label] = (counts[label] ?? 0) + 1;
  return label;
}
