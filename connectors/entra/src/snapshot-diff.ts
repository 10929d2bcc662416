import { canonicalSha256 } from '@crosswalk/core';
import { z } from 'zod';

/** One object of a snapshot as the diff sees it: a short hash per top-level field. */
export const entityDigestSchema = z.object({
  subject: z.string().min(1),
  name: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
});
export type EntityDigest = z.infer<typeof entityDigestSchema>;

/** A short hash per top-level field: enough to tell which fields changed, small enough for a cursor. */
export function digest(
  subject: string,
  object: Record<string, unknown>,
  name: string | null,
  skip: readonly string[] = [],
): EntityDigest {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(object)) {
    if (skip.includes(field)) continue;
    fields[field] = canonicalSha256(value ?? null).slice(0, 16);
  }
  return { subject, name, fields };
}

export interface Change<Subject extends string = string> {
  subject: Subject;
  id: string;
  name: string | null;
  change: 'added' | 'removed' | 'modified';
  fields: string[];
}

/** What changed between two snapshots' digests (keyed `subject:id`), in a stable order. */
export function diffDigests(
  previous: Record<string, EntityDigest>,
  current: Record<string, EntityDigest>,
): Change[] {
  const changes: Change[] = [];
  const entry = (key: string, entity: EntityDigest, change: Change['change'], fields: string[]): Change => ({
    subject: entity.subject,
    id: key.slice(key.indexOf(':') + 1),
    name: entity.name,
    change,
    fields,
  });
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
  return changes.sort((a, b) => a.subject.localeCompare(b.subject) || a.id.localeCompare(b.id));
}
