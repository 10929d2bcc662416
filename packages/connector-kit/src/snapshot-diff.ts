import { canonicalSha256, type Person } from '@crosswalk/core';
import { z } from 'zod';
import { samePerson } from './source-data.js';

/**
 * A daily policy snapshot remembers, between days, a short digest of each object it saw, so that tomorrow's snapshot
 * can say what changed without storing yesterday's whole payload in the cursor. Connectors key the digests
 * `subject:id` and may carry extra fields (Okta's rules name their policy) through to the changes.
 */

/** One object of a snapshot as the diff sees it; a connector may extend it with fields the changes carry. */
export interface EntityDigest<Subject extends string = string> {
  subject: Subject;
  name: string | null;
  fields: Record<string, string>;
}

/** A short hash per top-level field: enough to tell which fields changed, small enough for a cursor. */
export function fieldDigests(
  object: Record<string, unknown>,
  skip: readonly string[] = [],
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(object)) {
    if (skip.includes(field)) continue;
    fields[field] = canonicalSha256(value ?? null).slice(0, 16);
  }
  return fields;
}

type ChangeKind = 'added' | 'removed' | 'modified';

export type SnapshotChange<Entity extends EntityDigest> = Omit<Entity, 'fields'> & {
  id: string;
  change: ChangeKind;
  fields: string[];
};

/**
 * What changed between two snapshots' digests, in a stable order: by the subject's place in `subjectOrder` (or by
 * name when none is given), then by id.
 */
export function diffDigests<Entity extends EntityDigest>(
  previous: Record<string, Entity>,
  current: Record<string, Entity>,
  subjectOrder?: readonly Entity['subject'][],
): SnapshotChange<Entity>[] {
  const changes: SnapshotChange<Entity>[] = [];
  const entry = (
    key: string,
    entity: Entity,
    change: ChangeKind,
    fields: string[],
  ): SnapshotChange<Entity> => {
    const { subject, name, fields: _digests, ...carried } = entity;
    return {
      subject,
      id: key.slice(key.indexOf(':') + 1),
      name,
      ...carried,
      change,
      fields,
    } as SnapshotChange<Entity>;
  };
  for (const [key, entity] of Object.entries(current)) {
    const before = previous[key];
    if (!before) {
      changes.push(entry(key, entity, 'added', []));
      continue;
    }
    const names = new Set([...Object.keys(before.fields), ...Object.keys(entity.fields)]);
    const fields = [...names].filter((name) => before.fields[name] !== entity.fields[name]).sort();
    if (fields.length > 0) changes.push(entry(key, entity, 'modified', fields));
  }
  for (const [key, entity] of Object.entries(previous))
    if (!current[key]) changes.push(entry(key, entity, 'removed', []));
  const bySubject = (a: string, b: string) =>
    subjectOrder ? subjectOrder.indexOf(a) - subjectOrder.indexOf(b) : a.localeCompare(b);
  return changes.sort((a, b) => bySubject(a.subject, b.subject) || a.id.localeCompare(b.id));
}

/** A stored snapshot as the cursor remembers it: which record it is and the digests of what it held. */
export function snapshotStateSchema<Entity extends z.ZodType>(entity: Entity) {
  return z.object({
    id: z.string().min(1),
    occurredAt: z.string().min(1),
    contentSha256: z.string().min(1),
    entities: z.record(z.string(), entity),
  });
}

/**
 * What a snapshot collector remembers between days: the last snapshot it stored (to point at it and diff against it),
 * the one before (so a same-day rerun compares with what the first run compared with), and the latest known change
 * per policy (so "who last changed it" outlives the source's log retention).
 */
export function snapshotCursorSchema<Entity extends z.ZodType, Change extends z.ZodType>(
  entity: Entity,
  change: Change,
) {
  const state = snapshotStateSchema(entity);
  return z.object({
    latest: state.optional(),
    beforeLatest: state.nullable().optional(),
    lastChanges: z.record(z.string(), change).optional(),
  });
}

export interface SnapshotState<Entity> {
  id: string;
  occurredAt: string;
  contentSha256: string;
  entities: Record<string, Entity>;
}

export interface SnapshotCursor<Entity, Change> {
  latest?: SnapshotState<Entity> | undefined;
  beforeLatest?: SnapshotState<Entity> | null | undefined;
  lastChanges?: Record<string, Change> | undefined;
}

/** The snapshot today's is compared with: the last one of an earlier day, or on a rerun the one the first run used. */
export function previousSnapshot<Entity>(
  cursor: SnapshotCursor<Entity, unknown>,
  occurredAt: string,
): SnapshotState<Entity> | null {
  if (cursor.latest && cursor.latest.occurredAt < occurredAt) return cursor.latest;
  if (cursor.latest?.occurredAt === occurredAt) return cursor.beforeLatest ?? null;
  return null;
}

/**
 * The cursor after today's snapshot. It follows what is stored: a same-day rerun is a duplicate of the morning's
 * record, so the morning's state stays the one tomorrow is compared with.
 */
export function nextSnapshotCursor<Entity, Change>(
  cursor: SnapshotCursor<Entity, Change>,
  today: SnapshotState<Entity>,
  previous: SnapshotState<Entity> | null,
  status: string,
  lastChanges: Record<string, Change>,
): SnapshotCursor<Entity, Change> {
  const keepsToday = status === 'duplicate' && cursor.latest?.occurredAt === today.occurredAt;
  return {
    latest: keepsToday ? cursor.latest : today,
    beforeLatest: keepsToday ? (cursor.beforeLatest ?? null) : previous,
    lastChanges,
  };
}

/** A change the source logged: who did it, when, to which policy. */
export interface PolicyChange {
  eventId: string;
  at: string;
  actor: Person | null;
  policyId: string | null;
}

/** The later of two changes (by time, then by event id so the choice is stable). */
export function laterChange<Change extends PolicyChange>(
  a: Change | undefined | null,
  b: Change | undefined | null,
): Change | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return b.at > a.at || (b.at === a.at && b.eventId > a.eventId) ? b : a;
}

/** The window's changes in order, and the latest known change per policy with what the cursor knew merged in. */
export function mergeChanges<Change extends PolicyChange>(
  known: Record<string, Change> | undefined,
  changes: Change[],
): Record<string, Change> {
  changes.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  const lastChanges: Record<string, Change> = { ...(known ?? {}) };
  for (const change of changes)
    if (change.policyId) lastChanges[change.policyId] = laterChange(lastChanges[change.policyId], change)!;
  return lastChanges;
}

/** Owner: whoever changed policies in the window, latest first; else whoever is known to have changed one last. */
export function changeOwners<Change extends PolicyChange>(
  changes: readonly Change[],
  lastChanges: Record<string, Change>,
): Person[] {
  const owners: Person[] = [];
  for (const change of [...changes].reverse())
    if (change.actor && !owners.some((p) => samePerson(p, change.actor))) owners.push(change.actor);
  if (owners.length === 0) {
    const known = Object.values(lastChanges).reduce<Change | null>((a, b) => laterChange(a, b), null);
    if (known?.actor) owners.push(known.actor);
  }
  return owners;
}
