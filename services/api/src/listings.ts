import type { EvidenceKind } from '@crosswalk/core';
import { keys, type Locker, type RecordRef } from '@crosswalk/locker';

/** How long a listed run of keys answers pages before the locker is listed again. */
export const LISTING_TTL_MS = 2_000;
/** Keys one LIST fetches (S3's most per request): about ten pages of 100. */
const SEGMENT_KEYS = 1_000;
/** Listed runs kept at most (about 100 KB each), oldest dropped first. */
const MAX_SEGMENTS = 256;

interface Segment {
  kind: EvidenceKind;
  /** The listing started strictly after this key. */
  startAfter: string;
  refs: RecordRef[];
  /** The listing reached the end of the kind: nothing after the last ref existed when it was made. */
  exhausted: boolean;
  listedAt: number;
  /** The next run has been asked for. */
  readAhead?: boolean;
}

/**
 * A kind's evidence refs in key order from a position, served from runs of up to 1000 keys listed at most
 * LISTING_TTL_MS ago. A page of 100 used to cost one LIST per kind; paging through a window now costs one LIST
 * per kind per ten pages, however many clients page at once (concurrent readers of one position share it).
 * The price: a page can miss a record stored less than LISTING_TTL_MS before it was asked for (documented in
 * services/api/README.md).
 */
export class Listings {
  private readonly segments: Segment[] = [];
  private readonly listing = new Map<string, Promise<Segment>>();
  private present?: { listedAt: number; kinds: Promise<ReadonlySet<string>> };

  constructor(
    private readonly locker: Locker,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Refs of `kind` with occurredAt in [from, to), in key order (occurredAt, then digest). */
  async *refs(kind: EvidenceKind, range: { from: string; to: string }): AsyncGenerator<RecordRef> {
    let after = keys.evidenceStartAfter(kind, range.from);
    for (;;) {
      const segment = await this.segmentAfter(kind, after);
      for (const ref of segment.refs) {
        if (ref.key <= after) continue;
        if (ref.occurredAt >= range.to) return;
        after = ref.key;
        if (ref.occurredAt >= range.from) yield ref;
      }
      if (segment.exhausted || segment.refs.length === 0) return;
      // `after` is now the segment's last key: strictly further than where this segment started.
    }
  }

  /**
   * The kinds that hold at least one record, listed at most LISTING_TTL_MS ago: one LIST (of one key) per kind
   * present, instead of a LIST per kind asked for. A page over every kind (about thirty, most of them empty in
   * any one locker) used to list each empty kind again whenever its listing expired. A kind whose first record
   * was stored less than LISTING_TTL_MS ago may be missing, the same bound as a segment's.
   */
  kindsPresent(): Promise<ReadonlySet<string>> {
    const now = this.clock();
    if (this.present && now - this.present.listedAt < LISTING_TTL_MS) return this.present.kinds;
    const kinds = this.listKinds();
    const present = { listedAt: now, kinds };
    this.present = present;
    // A failed listing is not kept: the next page lists again (and reports its own failure).
    kinds.catch(() => {
      if (this.present === present) this.present = undefined;
    });
    return kinds;
  }

  private async listKinds(): Promise<ReadonlySet<string>> {
    const kinds = new Set<string>();
    let startAfter: string | undefined;
    for (;;) {
      let next: string | undefined;
      for await (const object of this.locker.store.list('evidence/', {
        pageSize: 1,
        ...(startAfter ? { startAfter } : {}),
      })) {
        next = object.key.split('/')[1];
        break;
      }
      if (next === undefined) return kinds;
      kinds.add(next);
      // Below `evidence/<kind>/` a key goes on with its day (a digit): '~' sorts after every such key.
      startAfter = `evidence/${next}/~`;
    }
  }

  /** A fresh listed run holding the keys right after `after`, or a new LIST from there. */
  private segmentAfter(kind: EvidenceKind, after: string): Promise<Segment> {
    const now = this.clock();
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i]!;
      if (now - segment.listedAt >= LISTING_TTL_MS) {
        this.segments.splice(i, 1);
        continue;
      }
      const last = segment.refs.at(-1)?.key;
      if (
        segment.kind === kind &&
        segment.startAfter <= after &&
        (last === undefined ? segment.exhausted : after < last || segment.exhausted)
      ) {
        if (!segment.exhausted && last !== undefined) this.readAhead(segment, after, last);
        return Promise.resolve(segment);
      }
    }
    const shared = `${kind}\n${after}`;
    const pending = this.listing.get(shared);
    if (pending) return pending;
    const list = this.list(kind, after).finally(() => this.listing.delete(shared));
    this.listing.set(shared, list);
    return list;
  }

  /**
   * A reader in the last quarter of a run lists the next run now, so the page that reaches its end finds it
   * listed instead of waiting for a LIST of 1000 keys. Its failure is left to that page's own LIST to report.
   */
  private readAhead(segment: Segment, after: string, last: string): void {
    const mark = segment.refs[Math.floor((segment.refs.length * 3) / 4)]?.key;
    if (mark === undefined || after < mark || segment.readAhead) return;
    segment.readAhead = true;
    const shared = `${segment.kind}\n${last}`;
    if (this.listing.has(shared)) return;
    const list = this.list(segment.kind, last).finally(() => this.listing.delete(shared));
    this.listing.set(shared, list);
    list.catch(() => {});
  }

  private async list(kind: EvidenceKind, after: string): Promise<Segment> {
    const listedAt = this.clock();
    const refs: RecordRef[] = [];
    let exhausted = true;
    const everything = { from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' };
    for await (const ref of this.locker.records.refs(kind, everything, {
      pageSize: SEGMENT_KEYS,
      startAfterKey: after,
    })) {
      refs.push(ref);
      if (refs.length === SEGMENT_KEYS) {
        // Asking for the next key would be the next LIST: leave it to the next segment.
        exhausted = false;
        break;
      }
    }
    const segment: Segment = { kind, startAfter: after, refs, exhausted, listedAt };
    this.segments.push(segment);
    if (this.segments.length > MAX_SEGMENTS) this.segments.shift();
    return segment;
  }
}
