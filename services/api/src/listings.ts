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
