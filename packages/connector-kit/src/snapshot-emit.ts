import {
  type CollectorContext,
  type EvidenceKind,
  evidenceId,
  type PayloadOf,
  type ProvenanceRequest,
  type Source,
} from '@crosswalk/core';
import {
  changeOwners,
  diffDigests,
  type EntityDigest,
  nextSnapshotCursor,
  type PolicyChange,
  previousSnapshot,
  type SnapshotChange,
  type SnapshotCursor,
} from './snapshot-diff.js';

/** Where today's snapshot stands against the one before it, as the payload records it. */
export interface SincePrevious<Entity extends EntityDigest> {
  /** The snapshot today's is compared with (null on the first, or the first of a rerun day with none before). */
  previousSnapshot: { id: string; occurredAt: string; contentSha256: string } | null;
  /** What changed since it, entity by entity; null when there is nothing to compare with. */
  changedSincePrevious: SnapshotChange<Entity>[] | null;
}

export interface DiffedSnapshot<
  K extends EvidenceKind,
  Entity extends EntityDigest,
  Change extends PolicyChange,
> {
  kind: K;
  /** The UTC day it is filed under (a same-day rerun is a duplicate). */
  occurredAt: string;
  source: Source;
  /** The snapshots the collector stored last and the last change per policy (its cursor, or `{}` the first time). */
  cursor: SnapshotCursor<Entity, Change>;
  /** The changes read from the source's log for the window, and every policy's last change (see mergeChanges). */
  changeEvents: readonly Change[];
  lastChanges: Record<string, Change>;
  contentSha256: string;
  entities: Record<string, Entity>;
  /** The order of subjects in the changes (Okta: policies, then rules, then authenticators). */
  subjectOrder?: readonly Entity['subject'][];
  payload(since: SincePrevious<Entity>): PayloadOf<K>;
  requests: ProvenanceRequest[];
}

/** What emitDiffedSnapshot needs of a collector's context. */
export interface SnapshotContext<Entity, Change> {
  config: Readonly<{ controlOwner?: string | undefined }>;
  emit: CollectorContext<unknown>['emit'];
  saveCursor(cursor: SnapshotCursor<Entity, Change>): void;
}

/**
 * The last step of every diffed policy snapshot: emit today's record, owned by whoever changed a policy in the window
 * and pointing at the snapshot it is compared with, then save the cursor with today's digests (kept as the
 * morning's on a same-day rerun). Resolves to the record's status.
 */
export async function emitDiffedSnapshot<
  K extends EvidenceKind,
  Entity extends EntityDigest,
  Change extends PolicyChange,
>(
  ctx: SnapshotContext<Entity, Change>,
  snapshot: DiffedSnapshot<K, Entity, Change>,
): Promise<'stored' | 'duplicate'> {
  const { kind, occurredAt, source, cursor, contentSha256, entities } = snapshot;
  const previous = previousSnapshot(cursor, occurredAt);
  const status = await ctx.emit({
    kind,
    occurredAt,
    owner: {
      people: changeOwners(snapshot.changeEvents, snapshot.lastChanges),
      controlOwner: ctx.config.controlOwner ?? null,
    },
    actors: [],
    source,
    payload: snapshot.payload({
      previousSnapshot: previous
        ? { id: previous.id, occurredAt: previous.occurredAt, contentSha256: previous.contentSha256 }
        : null,
      changedSincePrevious: previous ? diffDigests(previous.entities, entities, snapshot.subjectOrder) : null,
    }),
    requests: snapshot.requests,
  });
  const today = { id: evidenceId(kind, source, occurredAt), occurredAt, contentSha256, entities };
  ctx.saveCursor(nextSnapshotCursor(cursor, today, previous, status, snapshot.lastChanges));
  return status;
}
