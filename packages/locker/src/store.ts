/**
 * The one thing a storage backend must do for the locker. Two drivers implement it (S3, filesystem) and one
 * contract suite (test/store-contract.ts) proves they behave the same.
 */
export interface StoredObjectInfo {
  key: string;
  size: number;
}

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
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes a mutable object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Keys under `prefix` in ascending order, strictly after `startAfter` when given. Lazy: pages are fetched as the
   * caller iterates and dropped behind it, so memory stays flat however many keys there are.
   */
  list(prefix: string, options?: { startAfter?: string }): AsyncIterable<StoredObjectInfo>;
  /** Throws CW_LOCKER_UNAVAILABLE / CW_LOCKER_DENIED / CW_CONFIG_INVALID when the store cannot be used. */
  ping(): Promise<void>;
  /** Whether retention (`retainUntil`) is enforced by the backend. */
  supportsRetention(): Promise<boolean>;
}
