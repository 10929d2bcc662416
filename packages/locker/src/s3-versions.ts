import {
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';

/** What a versioned bucket holds at one key, from its version listing. */
export interface KeyVersions {
  key: string;
  /** The first write still stored (the oldest version that is not a delete marker); undefined when none is. */
  oldest?: { versionId: string; size: number; etag?: string };
  /** The current version; `deleted` when it is a delete marker. */
  latest: { versionId: string; size: number; etag?: string; deleted: boolean };
  /** How many versions (not counting delete markers) the key has. */
  count: number;
}

/**
 * Every key under `prefix` (strictly after `keyMarker`) with its oldest and latest version, in key order, one
 * ListObjectVersions page at a time. S3 lists a key's versions newest first, so the last version seen for a key is
 * its oldest; a key whose versions run over a page boundary is held back until the next page completes it.
 * `send` translates errors; `stopAfter` ends the walk at the first key past it (an exact-key lookup).
 */
export async function* keyVersions(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: { keyMarker?: string; stopAfter?: string; maxKeys?: number } = {},
  send: <T>(request: () => Promise<T>) => Promise<T> = (request) => request(),
): AsyncIterable<KeyVersions> {
  let keyMarker = options.keyMarker;
  // S3 lists keys strictly after the key marker; RGW on a versioned bucket also lists the marker key's versions.
  const after = (key: string) => options.keyMarker === undefined || key > options.keyMarker;
  let versionIdMarker: string | undefined;
  let pending: KeyVersions | undefined;
  for (;;) {
    const page: ListObjectVersionsCommandOutput = await send(() =>
      client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix,
          ...(keyMarker ? { KeyMarker: keyMarker } : {}),
          ...(versionIdMarker ? { VersionIdMarker: versionIdMarker } : {}),
          MaxKeys: options.maxKeys ?? 1000,
        }),
      ),
    );
    const byKey = new Map<string, KeyVersions>();
    const entry = (key: string): KeyVersions => {
      if (pending?.key === key) {
        byKey.set(key, pending);
        pending = undefined;
      }
      let found = byKey.get(key);
      if (!found) {
        found = { key, latest: { versionId: '', size: 0, deleted: true }, count: 0 };
        byKey.set(key, found);
      }
      return found;
    };
    for (const version of page.Versions ?? []) {
      if (version.Key === undefined || version.VersionId === undefined) continue;
      const found = entry(version.Key);
      const info = {
        versionId: version.VersionId,
        size: version.Size ?? 0,
        ...(version.ETag ? { etag: version.ETag } : {}),
      };
      found.oldest = info;
      found.count++;
      if (version.IsLatest) found.latest = { ...info, deleted: false };
    }
    for (const marker of page.DeleteMarkers ?? []) {
      if (marker.Key === undefined || marker.VersionId === undefined) continue;
      const found = entry(marker.Key);
      if (marker.IsLatest) found.latest = { versionId: marker.VersionId, size: 0, deleted: true };
    }
    // A page carried over from before and not continued here is complete.
    if (pending) {
      if (options.stopAfter !== undefined && pending.key > options.stopAfter) return;
      if (after(pending.key)) yield pending;
      pending = undefined;
    }
    const keys = [...byKey.keys()].sort();
    const truncated = page.IsTruncated === true;
    // The last key of a truncated page may have more versions on the next one.
    const last = truncated ? keys.pop() : undefined;
    for (const key of keys) {
      if (options.stopAfter !== undefined && key > options.stopAfter) return;
      if (after(key)) yield byKey.get(key)!;
    }
    if (last !== undefined) pending = byKey.get(last);
    if (!truncated) return;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    if (keyMarker === undefined) return;
  }
}
