/**
 * What the export and locker-list benchmarks share about the records they seed: the seeded bucket is remembered in
 * bench/.cache and reused only while it still reads back under this build, and both walk the same keys with a plain
 * ListObjectsV2 loop as their baseline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { EvidenceKind } from '@crosswalk/core';
import { keys, type Locker, type TimeRange } from '@crosswalk/locker';
import { CACHE_DIR } from './harness.js';

/** The cache a benchmark wrote after seeding, when it is there and describes the seeding asked for now. */
export function cachedSeed<Cache>(file: string, matches: (cache: Cache) => boolean): Cache | null {
  if (!existsSync(file)) return null;
  const cache = JSON.parse(readFileSync(file, 'utf8')) as Cache;
  return matches(cache) ? cache : null;
}

export async function rememberSeed(file: string, cache: object): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  await writeFile(file, `${JSON.stringify(cache, null, 2)}\n`);
}

export function cacheName(file: string): string {
  return path.relative(path.dirname(CACHE_DIR), file);
}

/** The window holding the first `count` records of a seeding that spaces them evenly, `spacingMs` apart from `from`. */
export function firstRecords(from: string, spacingMs: number, count: number): TimeRange {
  return { from, to: new Date(Date.parse(from) + count * spacingMs).toISOString() };
}

/** Records written by an older build (another id format, say) must still read back under this one. */
export async function firstRecordReadable(
  locker: Locker,
  kind: EvidenceKind,
  window: TimeRange,
): Promise<boolean> {
  for await (const ref of locker.records.refs(kind, window)) {
    return locker.records.get(ref.key).then(
      () => true,
      () => false,
    );
  }
  return false;
}

/**
 * A plain ListObjectsV2 loop over a kind's prefix, from the same StartAfter the locker uses, 1,000 keys a page with
 * ContinuationToken, stopping at the first key at or past `range.to`: the same keys `records.refs` yields.
 */
export async function* rawKeys(
  client: S3Client,
  bucket: string,
  kind: EvidenceKind,
  range: TimeRange,
): AsyncIterable<string> {
  const stopAt = keys.evidenceStartAfter(kind, range.to);
  let continuationToken: string | undefined;
  for (;;) {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: keys.evidencePrefix(kind),
        MaxKeys: 1000,
        ...(continuationToken
          ? { ContinuationToken: continuationToken }
          : { StartAfter: keys.evidenceStartAfter(kind, range.from) }),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key! >= stopAt) return;
      yield object.Key!;
    }
    if (!page.IsTruncated) return;
    continuationToken = page.NextContinuationToken;
  }
}
