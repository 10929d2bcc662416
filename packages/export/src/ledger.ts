import { createHash, randomBytes } from 'node:crypto';
import { CrosswalkError, canonicalJson } from '@crosswalk/core';
import { keys, type Locker, type ReadableObject } from '@crosswalk/locker';
import { z } from 'zod';
import { exportKey } from './build.js';
import type { ExportManifest } from './manifest.js';

/**
 * What the locker remembers of an export made by the service, under `exports/<exportId>/`:
 *
 * - `request.json`: who asked for what, and when (written once, before the job is queued);
 * - `bundle.zip`: the signed bundle (written once, streamed from a file);
 * - `result.json`: the bundle's size, SHA-256, fingerprint, counts and the records it left out (written once, after
 *   the bundle);
 * - `failure.json`: why the export gave up (replaced if it fails again after a retry by hand).
 *
 * Status is read from these, not from the job queue, so it outlives the queue's retention.
 */

const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const exportRequestRecordSchema = z
  .object({
    format: z.literal('crosswalk-export-request/1'),
    exportId: z.string().min(1),
    requestedAt: timestamp,
    /** `key:<keyId>` for the API, `cli:<user>` for the terminal. */
    requestedBy: z.string().min(1),
    /** What was asked for, resolved: frameworks as ids, the window as fixed-width UTC. */
    frameworks: z.array(z.string()).min(1),
    controls: z.array(z.string()).nullable(),
    from: timestamp,
    to: timestamp,
  })
  .strict();
export type ExportRequestRecord = z.infer<typeof exportRequestRecordSchema>;

export const exportResultSchema = z
  .object({
    format: z.literal('crosswalk-export-result/1'),
    exportId: z.string().min(1),
    completedAt: timestamp,
    generatedAt: timestamp,
    bundle: z
      .object({
        key: z.string(),
        bytes: z.number().int().nonnegative(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
    /** SHA-256 fingerprint of the public key the bundle's manifest is signed with. */
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    counts: z
      .object({
        records: z.number().int().nonnegative(),
        runs: z.number().int().nonnegative(),
        files: z.number().int().nonnegative(),
      })
      .strict(),
    coverage: z
      .object({
        controls: z.number().int().nonnegative(),
        complete: z.number().int().nonnegative(),
        gaps: z.number().int().nonnegative(),
        noEvidence: z.number().int().nonnegative(),
        manual: z.number().int().nonnegative(),
      })
      .strict(),
    /**
     * Records of the period the locker held that no chained run vouches for, left out of the bundle (its manifest's
     * `completeness.unvouched`): how many, and the first LEFT_OUT_NAMED. Absent on results written before it, and
     * on bundles of crosswalk-export/1.
     */
    leftOut: z
      .object({
        count: z.number().int().nonnegative(),
        records: z.array(z.object({ id: z.string(), key: z.string() }).strict()),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ExportResultRecord = z.infer<typeof exportResultSchema>;

export const exportFailureSchema = z
  .object({
    format: z.literal('crosswalk-export-failure/1'),
    exportId: z.string().min(1),
    failedAt: timestamp,
    code: z.string(),
    message: z.string(),
    attempts: z.number().int().nonnegative(),
  })
  .strict();
export type ExportFailureRecord = z.infer<typeof exportFailureSchema>;

export const exportIdempotencySchema = z
  .object({
    format: z.literal('crosswalk-export-idempotency/1'),
    /** Whose key it is: `key:<keyId>`. Keys are scoped per API key. */
    requestedBy: z.string().min(1),
    /** SHA-256 of the resolved request (frameworks, controls, window): what "the same request" means. */
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    exportId: z.string().min(1),
    createdAt: timestamp,
  })
  .strict();
export type ExportIdempotencyRecord = z.infer<typeof exportIdempotencySchema>;

/** The fingerprint of a resolved request, for Idempotency-Key comparisons. */
export function requestFingerprint(
  request: Pick<ExportRequestRecord, 'frameworks' | 'controls' | 'from' | 'to'>,
): string {
  const { frameworks, controls, from, to } = request;
  return createHash('sha256').update(canonicalJson({ frameworks, controls, from, to })).digest('hex');
}

/**
 * A new export id: a UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in milliseconds, so ids
 * (and the locker's `exports/<id>/` keys) sort in the order the exports were asked for.
 */
export function newExportId(now: Date = new Date()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now.getTime(), 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The smallest version-7 id of a millisecond: every export asked for at or after `at` sorts after it. */
function firstIdAt(at: Date): string {
  const hex = at.getTime().toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** What the ledger holds for one export, from a listing (no reads): which of its files exist. */
export interface LedgerEntry {
  exportId: string;
  hasResult: boolean;
  hasFailure: boolean;
}

/** The result entry for a bundle, from its signed manifest and the bytes as stored. */
/** Records left out that a result names (the bundle's manifest names up to 1,000). */
const LEFT_OUT_NAMED = 100;

export function resultOf(
  manifest: Pick<ExportManifest, 'exportId' | 'generatedAt' | 'counts' | 'coverage' | 'completeness'> & {
    publicKey?: { fingerprint: string };
  },
  bundle: { bytes: number; sha256: string },
  fingerprint: string,
  completedAt: Date,
): ExportResultRecord {
  return {
    format: 'crosswalk-export-result/1',
    exportId: manifest.exportId,
    completedAt: completedAt.toISOString(),
    generatedAt: manifest.generatedAt,
    bundle: { key: exportKey(manifest.exportId), bytes: bundle.bytes, sha256: bundle.sha256 },
    fingerprint,
    counts: { records: manifest.counts.records, runs: manifest.counts.runs, files: manifest.counts.files },
    coverage: {
      controls: manifest.coverage.controls,
      complete: manifest.coverage.complete,
      gaps: manifest.coverage.gaps,
      noEvidence: manifest.coverage.noEvidence,
      manual: manifest.coverage.manual,
    },
    ...(manifest.completeness
      ? {
          leftOut: {
            count: manifest.completeness.unvouched.count,
            records: manifest.completeness.unvouched.records.slice(0, LEFT_OUT_NAMED),
          },
        }
      : {}),
  };
}

export class ExportLedger {
  constructor(private readonly locker: Locker) {}

  private key(exportId: string, file: 'request.json' | 'result.json' | 'failure.json'): string {
    return `exports/${keys.assertSegment(exportId, 'export id')}/${file}`;
  }

  /** Records a request; CW_LOCKER_DUPLICATE when the id is taken (ids are random UUIDs: it never should be). */
  async recordRequest(request: ExportRequestRecord): Promise<void> {
    const body = Buffer.from(canonicalJson(exportRequestRecordSchema.parse(request)));
    const outcome = await this.locker.store.createOnce(this.key(request.exportId, 'request.json'), body);
    if (outcome === 'exists') {
      throw new CrosswalkError('CW_LOCKER_DUPLICATE', `export ${request.exportId} already exists`, {
        where: request.exportId,
      });
    }
  }

  /**
   * Claims an Idempotency-Key for an export, write-once: the first claim of (requestedBy, key) wins and every
   * later one gets the first claim back, so the caller answers with that export instead of making another. Kept in
   * the locker, next to the requests, not in Redis: a Redis outage (the reason clients retry) must not forget it.
   * The key itself is not stored, only its digest with the API key's id (`idempotency/exports/<sha256>.json`).
   */
  async claimIdempotencyKey(
    key: string,
    claim: ExportIdempotencyRecord,
  ): Promise<{ claim: ExportIdempotencyRecord; created: boolean }> {
    const digest = createHash('sha256').update(`${claim.requestedBy}\n${key}`).digest('hex');
    const objectKey = `idempotency/exports/${digest}.json`;
    const body = Buffer.from(canonicalJson(exportIdempotencySchema.parse(claim)));
    if ((await this.locker.store.createOnce(objectKey, body)) === 'created') return { claim, created: true };
    const first = await this.read(objectKey, exportIdempotencySchema);
    if (!first)
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `${objectKey} disappeared`, { where: objectKey });
    return { claim: first, created: false };
  }

  /**
   * Exports asked for at or after `since`, oldest first, strictly after the export id `after` when given: one
   * listing of `exports/`, lazily paged, no object read. Ids made before version-7 ids (random UUIDs) sort
   * anywhere; pass no `since` to see them all.
   */
  async *entries(options: { since?: Date; after?: string } = {}): AsyncIterable<LedgerEntry> {
    const starts = [
      options.since ? `exports/${firstIdAt(options.since)}` : undefined,
      options.after ? `exports/${keys.assertSegment(options.after, 'export id')}/~` : undefined,
    ].filter((s): s is string => s !== undefined);
    const startAfter = starts.sort().at(-1);
    let current: LedgerEntry | undefined;
    for await (const object of this.locker.store.list('exports/', startAfter ? { startAfter } : {})) {
      const [, exportId, file] = object.key.split('/');
      if (!exportId || !file) continue;
      if (current && current.exportId !== exportId) {
        yield current;
        current = undefined;
      }
      current ??= { exportId, hasResult: false, hasFailure: false };
      if (file === 'result.json') current.hasResult = true;
      if (file === 'failure.json') current.hasFailure = true;
    }
    if (current) yield current;
  }

  request(exportId: string): Promise<ExportRequestRecord | undefined> {
    return this.read(this.key(exportId, 'request.json'), exportRequestRecordSchema);
  }

  /** Stores the finished bundle; 'exists' when an earlier attempt already stored one (that one stays). */
  storeBundle(exportId: string, file: string): Promise<'created' | 'exists'> {
    return this.locker.store.createFromFileOnce(exportKey(exportId), file, 'application/zip');
  }

  async hasBundle(exportId: string): Promise<boolean> {
    const key = exportKey(exportId);
    for await (const object of this.locker.store.list(key)) if (object.key === key) return true;
    return false;
  }

  openBundle(exportId: string): Promise<ReadableObject | undefined> {
    return this.locker.store.openRead(exportKey(exportId));
  }

  /** A time-limited download URL straight from the bucket, or undefined when the locker cannot sign one. */
  bundleUrl(exportId: string, expiresInSeconds: number): Promise<string> | undefined {
    return this.locker.store.presignedGetUrl?.(exportKey(exportId), {
      expiresInSeconds,
      fileName: `crosswalk-export-${exportId}.zip`,
    });
  }

  /** Records the result once; a second call (a retried job) keeps the first. */
  async recordResult(result: ExportResultRecord): Promise<void> {
    const body = Buffer.from(canonicalJson(exportResultSchema.parse(result)));
    await this.locker.store.createOnce(this.key(result.exportId, 'result.json'), body);
  }

  result(exportId: string): Promise<ExportResultRecord | undefined> {
    return this.read(this.key(exportId, 'result.json'), exportResultSchema);
  }

  async recordFailure(failure: ExportFailureRecord): Promise<void> {
    const body = Buffer.from(canonicalJson(exportFailureSchema.parse(failure)));
    await this.locker.store.put(this.key(failure.exportId, 'failure.json'), body);
  }

  failure(exportId: string): Promise<ExportFailureRecord | undefined> {
    return this.read(this.key(exportId, 'failure.json'), exportFailureSchema);
  }

  private async read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const bytes = await this.locker.store.get(key);
    if (bytes === undefined) return undefined;
    let parsed: ReturnType<typeof schema.safeParse>;
    try {
      parsed = schema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `${key} is not JSON`, { where: key });
    }
    if (!parsed.success) {
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `${key} is not a valid export ${key.split('/').pop()}`, {
        where: key,
      });
    }
    return parsed.data;
  }
}
