import type { Readable } from 'node:stream';

/**
 * The one thing a storage backend must do for the locker. Two drivers implement it (S3, filesystem) and one
 * contract suite (test/store-contract.ts) proves they behave the same.
 */
export interface StoredObjectInfo {
  key: string;
  size: number;
  /**
   * On a versioned bucket, the version a reader should fetch: the first write of a write-once key (so a later
   * version, or a delete marker, never stands in for it). Absent elsewhere, and for mutable keys.
   */
  versionId?: string;
  /**
   * The backend's entity tag, where its listing has one (S3; on a versioned bucket, that of the version `versionId`
   * names): it changes whenever the object's bytes do, so a reader can keep what it verified and know, from a
   * listing alone, that it is still stored.
   */
  etag?: string;
}

export interface ListOptions {
  startAfter?: string;
  /** Keys to ask the backend for per request, when the caller knows it needs only a few (S3: MaxKeys, <= 1000). */
  pageSize?: number;
}

/**
 * How the store keeps `createOnce` exclusive. `conditional`: the backend refuses a second create atomically
 * (link(2) on a filesystem, `If-None-Match: *` enforced by the S3 server). `first-version`: the S3 server ignores
 * conditional writes but the bucket is versioned, so every write is kept and the oldest version of a key is the
 * one that counts (see S3ObjectStore).
 */
export type WriteOnceMode = 'conditional' | 'first-version';

export interface CreateOnceOptions {
  /** Keep the object immutable until then (S3 Object Lock COMPLIANCE) where the backend supports it. */
  retainUntil?: Date;
}

export interface ObjectStore {
  /** Where this store is, for messages: `s3://bucket/prefix` or a directory path. Never carries a credential. */
  readonly location: string;
  /**
   * Writes `body` at `key` unless something is already there. Atomic: a reader sees the whole object or none,
   * and two concurrent writers cannot both succeed. Never overwrites.
   */
  createOnce(key: string, body: Uint8Array, options?: CreateOnceOptions): Promise<'created' | 'exists'>;
  /** Writes or replaces a mutable object (cursors, config), atomically. */
  put(key: string, body: Uint8Array): Promise<void>;
  /**
   * The object at `key`: for a write-once key, the bytes first created there, whatever was written after; for a
   * mutable key, the latest. `versionId` (from `list`) reads that version directly.
   */
  get(key: string, options?: { versionId?: string }): Promise<Uint8Array | undefined>;
  /** Removes a mutable object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Keys under `prefix` in ascending order, strictly after `startAfter` when given. Lazy: pages are fetched as the
   * caller iterates and dropped behind it, so memory stays flat however many keys there are.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredObjectInfo>;
  /** Throws CW_LOCKER_UNAVAILABLE / CW_LOCKER_DENIED / CW_CONFIG_INVALID when the store cannot be used. */
  ping(): Promise<void>;
  /**
   * How write-once is kept here, found out before the first write-once write (S3: with a probe under `probe/`).
   * Throws CW_LOCKER_UNSUPPORTED, naming the bucket and what it lacks, when write-once cannot be kept at all.
   */
  writeOnceMode(): Promise<WriteOnceMode>;
  /** Whether retention (`retainUntil`) is enforced by the backend. */
  supportsRetention(): Promise<boolean>;
  /**
   * Writes the file at `file` to `key` unless something is already there, streamed (never held in memory), for
   * artefacts too large for `createOnce` such as export bundles. Atomic and exclusive like `createOnce`.
   */
  createFromFileOnce(key: string, file: string, contentType: string): Promise<'created' | 'exists'>;
  /** The object at `key` as a stream, with its size; undefined when absent. */
  openRead(key: string): Promise<ReadableObject | undefined>;
  /**
   * A URL that lets whoever holds it GET the object at `key` until it expires, without credentials; only
   * backends that can sign such URLs (S3) have it.
   */
  presignedGetUrl?(key: string, options: PresignOptions): Promise<string>;
}

export interface ReadableObject {
  body: Readable;
  size: number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** Offered to the browser as the download's file name (Content-Disposition). */
  fileName?: string;
}
