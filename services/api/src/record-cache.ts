import type { Locker, RecordRef } from '@crosswalk/locker';

/**
 * Evidence records already read and verified, kept in memory as the JSON a page of `/v1/evidence` sends for each
 * (`{ ...record, key }`), by locker key, least recently used first out, within a fixed budget, so RSS stays flat
 * however much evidence is paged through.
 *
 * A cached record is served only when the listing that found it names the entity tag it had when it was read:
 * S3 changes an object's ETag whenever its bytes change, so a record altered in the bucket after it was cached is
 * read again (and refused, CW_LOCKER_CORRUPT), never served from here. A ref without an entity tag (the
 * filesystem driver, a versioned bucket's listing) is always read. Concurrent reads of one key share one GET.
 */
export class RecordCache {
  private readonly entries = new Map<string, { etag: string; json: string }>();
  private readonly reading = new Map<string, Promise<string>>();
  private bytes = 0;

  /** @param budgetBytes The most memory the cached JSON may take (two bytes a character). */
  constructor(
    private readonly locker: Locker,
    private readonly budgetBytes = 64 * 2 ** 20,
  ) {}

  /** The record `ref` names, verified, as JSON with its key: from memory when its entity tag still matches. */
  async json(ref: RecordRef): Promise<string> {
    const { key, etag } = ref;
    if (etag === undefined) return this.read(ref);
    const hit = this.entries.get(key);
    if (hit && hit.etag === etag) {
      // Most recently used goes last: a Map iterates in insertion order, so the first entry is the eviction pick.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.json;
    }
    const shared = `${key}\n${etag}`;
    const pending = this.reading.get(shared);
    if (pending) return pending;
    const read = this.read(ref)
      .then((json) => {
        this.remember(key, etag, json);
        return json;
      })
      .finally(() => this.reading.delete(shared));
    this.reading.set(shared, read);
    return read;
  }

  private async read({ key, versionId }: RecordRef): Promise<string> {
    const record = await this.locker.records.get(key, versionId === undefined ? {} : { versionId });
    return JSON.stringify({ ...record, key });
  }

  private remember(key: string, etag: string, json: string): void {
    const size = json.length * 2;
    if (size > this.budgetBytes / 8) return;
    this.forget(key);
    this.entries.set(key, { etag, json });
    this.bytes += size;
    while (this.bytes > this.budgetBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.json.length * 2;
  }
}
