import { randomUUID } from 'node:crypto';
import { CrosswalkError, canonicalJson, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';
import { auditKey, auditStartAfter, timestampOfKey } from './keys.js';
import type { TimeRange } from './records.js';
import type { RetentionPolicy } from './retention.js';
import { parseJson } from './state.js';
import type { ObjectStore } from './store.js';

export const auditEntrySchema = z
  .object({
    id: z.string().min(1),
    at: timestampSchema,
    /** Who: an API key id, `cli:<user>`, or `system`. */
    actor: z.string().min(1),
    /** What, e.g. `connector.create`, `export.create`, `key.revoke`. */
    action: z.string().min(1),
    target: z.string().min(1),
    /** Never a secret: callers pass field names that changed, not their values. */
    details: z.record(z.string(), z.unknown()),
  })
  .strict();

export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Who changed config and who exported what: write-once, dated, listable by period like the evidence. */
export class AuditStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly retention: RetentionPolicy,
    private readonly now: () => Date,
  ) {}

  async append(entry: Omit<AuditEntry, 'id' | 'at'> & { id?: string; at?: string }): Promise<AuditEntry> {
    const full = auditEntrySchema.parse({
      ...entry,
      id: entry.id ?? randomUUID(),
      at: entry.at ?? this.now().toISOString(),
    });
    const key = auditKey(full.at, full.id);
    const outcome = await this.store.createOnce(
      key,
      Buffer.from(canonicalJson(full)),
      await this.retention.options(),
    );
    if (outcome === 'exists') {
      throw new CrosswalkError('CW_LOCKER_DUPLICATE', `audit entry ${full.id} already exists`, {
        where: key,
      });
    }
    return full;
  }

  async *list(range: TimeRange): AsyncIterable<AuditEntry> {
    for await (const object of this.store.list('audit/', { startAfter: auditStartAfter(range.from) })) {
      const at = timestampOfKey(object.key);
      if (at === undefined) continue;
      if (at >= range.to) return;
      if (at < range.from) continue;
      const bytes = await this.store.get(object.key);
      const parsed = auditEntrySchema.safeParse(bytes ? parseJson(bytes) : undefined);
      if (!parsed.success) {
        throw new CrosswalkError('CW_LOCKER_CORRUPT', `audit entry at ${object.key} is not valid`, {
          where: object.key,
        });
      }
      yield parsed.data;
    }
  }
}
