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
 * - `result.json`: the bundle's size, SHA-256, fingerprint and counts (written once, after the bundle);
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

/** The result entry for a bundle, from its signed manifest and the bytes as stored. */
export function resultOf(
  manifest: Pick<ExportManifest, 'exportId' | 'generatedAt' | 'counts' | 'coverage'> & {
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
