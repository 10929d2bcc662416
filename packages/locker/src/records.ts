import {
  CrosswalkError,
  type EvidenceKind,
  type EvidenceRecord,
  parseRecord,
  recordHash,
  serializeRecord,
  verifyRecordBytes,
} from '@crosswalk/core';
import {
  type EvidenceKeyParts,
  evidenceKey,
  evidencePrefix,
  evidenceStartAfter,
  parseEvidenceKey,
} from './keys.js';
import { mapOrdered } from './ordered.js';
import { isLegacyCheckProbe } from './probes.js';
import type { RetentionPolicy } from './retention.js';
import type { ObjectStore } from './store.js';

export interface PutResult {
  status: 'stored' | 'duplicate';
  key: string;
}

/** A half-open range of occurredAt: `from` inclusive, `to` exclusive, both UTC timestamps. */
export interface TimeRange {
  from: string;
  to: string;
}

export interface RecordRef extends EvidenceKeyParts {
  key: string;
  size: number;
  /** The version that holds the first write, on a versioned bucket (see ObjectStore.list); else absent. */
  versionId?: string;
  /** The listing's entity tag (S3), when the backend has one: see StoredObjectInfo.etag. */
  etag?: string;
}

/**
 * Kinds the old `crosswalk locker check` wrote probe records of (see probes.ts). Listings of these kinds read each
 * record to leave the probes out; a daily snapshot kind, so that is one small GET per organization and day.
 */
const KINDS_WITH_LEGACY_PROBES: ReadonlySet<EvidenceKind> = new Set(['github.org_members']);

/** How many records of such a kind `refs` reads ahead while it screens them. */
const SCREEN_CONCURRENCY = 16;

/** How a reader that needs only part of a listing asks for it. */
export interface IndexOptions {
  /** Keys per backend request (S3 MaxKeys), when a reader needs only a few. */
  pageSize?: number;
  /** Resume strictly after this key (one the reader already has), when it is past the range's start. */
  startAfterKey?: string;
}

export class RecordStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly retention: RetentionPolicy,
  ) {}

  /**
   * Stores a sealed record once. A record whose id is already stored is a `duplicate` and the stored bytes stay
   * exactly as first written. A record that is not sealed (bad schema, stale hash) is refused before any write.
   */
  async put(record: EvidenceRecord): Promise<PutResult> {
    const valid = parseRecord(record, `${record.kind} ${record.id}`);
    if (recordHash(valid) !== valid.sha256) {
      throw new CrosswalkError(
        'CW_RECORD_INVALID',
        `record ${valid.id} has a sha256 that does not match its content`,
        {
          where: valid.id,
        },
      );
    }
    return this.putSealed(valid);
  }

  /**
   * Stores a record that `sealRecord` has just produced and validated, without validating it a second time.
   * Anything read from outside (a file, a request) goes through `put`.
   */
  async putSealed(record: EvidenceRecord): Promise<PutResult> {
    const key = evidenceKey(record);
    const bytes = Buffer.from(serializeRecord(record));
    const outcome = await this.store.createOnce(key, bytes, await this.retention.options());
    return { status: outcome === 'created' ? 'stored' : 'duplicate', key };
  }

  /** Reads and proves a record: CW_NOT_FOUND when absent, CW_LOCKER_CORRUPT when it is not what was written. */
  async get(key: string, options: { versionId?: string } = {}): Promise<EvidenceRecord> {
    const parts = parseEvidenceKey(key);
    if (!parts)
      throw new CrosswalkError('CW_INPUT_INVALID', `"${key}" is not an evidence key`, { where: key });
    const bytes = await this.store.get(key, options);
    if (bytes === undefined)
      throw new CrosswalkError('CW_NOT_FOUND', `no evidence at ${key}`, { where: key });
    const record = verifyRecordBytes(bytes, key);
    if (record.id !== parts.id || record.kind !== parts.kind || record.occurredAt !== parts.occurredAt) {
      throw new CrosswalkError(
        'CW_LOCKER_CORRUPT',
        `record at ${key} is record ${record.id} of ${record.kind}: moved`,
        {
          where: key,
        },
      );
    }
    return record;
  }

  /** Reads a record by id: the id names its key, so this is one GET. */
  getById(id: string): Promise<EvidenceRecord> {
    return this.get(evidenceKey({ id }));
  }

  /**
   * Keys of `kind` with occurredAt in [from, to), in time order, without reading the records (except for kinds
   * the old locker check wrote probes of, which are read and screened: a probe is not evidence).
   */
  refs(kind: EvidenceKind, range: TimeRange, options: IndexOptions = {}): AsyncIterable<RecordRef> {
    // Other kinds go straight to the index walk: no extra generator hop per key on the common path.
    if (!KINDS_WITH_LEGACY_PROBES.has(kind)) return this.index(kind, range, options);
    return mapSync(this.screened(kind, range, options), (entry) => entry.ref);
  }

  /**
   * Records of `kind` with occurredAt in [from, to), in time order, each verified. Reads up to `concurrency`
   * ahead; memory stays bounded by that, not by the size of the window.
   */
  list(
    kind: EvidenceKind,
    range: TimeRange,
    options: { concurrency?: number } = {},
  ): AsyncIterable<EvidenceRecord> {
    const concurrency = options.concurrency ?? 16;
    if (!KINDS_WITH_LEGACY_PROBES.has(kind)) {
      return mapOrdered(this.index(kind, range), concurrency, (ref) => this.get(ref.key, versionOf(ref)));
    }
    return mapOrdered(
      this.screened(kind, range),
      concurrency,
      async (entry) => entry.record ?? (await this.get(entry.ref.key, versionOf(entry.ref))),
    );
  }

  /** The index walk, with legacy check probes left out; a record already read to screen it comes along. */
  private screened(
    kind: EvidenceKind,
    range: TimeRange,
    options: IndexOptions = {},
  ): AsyncIterable<{ ref: RecordRef; record?: EvidenceRecord }> {
    const refs = this.index(kind, range, options);
    return filterAsync(
      mapOrdered(refs, SCREEN_CONCURRENCY, async (ref) => {
        // A record that cannot be read or proved is never taken for a probe: it stays in, and the reader that
        // needs it reports it (missing, corrupt) as it would any other.
        const record = await this.get(ref.key, versionOf(ref)).catch(() => undefined);
        return {
          ref,
          ...(record ? { record } : {}),
          probe: record !== undefined && isLegacyCheckProbe(record),
        };
      }),
      (entry) => !entry.probe,
    );
  }

  private async *index(
    kind: EvidenceKind,
    range: TimeRange,
    options: IndexOptions = {},
  ): AsyncIterable<RecordRef> {
    for await (const object of this.store.list(evidencePrefix(kind), {
      // A reader resuming after a key it has (a page's last record) starts there rather than at range.from.
      startAfter:
        options.startAfterKey !== undefined && options.startAfterKey > evidenceStartAfter(kind, range.from)
          ? options.startAfterKey
          : evidenceStartAfter(kind, range.from),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    })) {
      const parts = parseEvidenceKey(object.key);
      if (!parts) {
        throw new CrosswalkError(
          'CW_LOCKER_CORRUPT',
          `unexpected object in the evidence index: ${object.key}`,
          {
            where: object.key,
          },
        );
      }
      if (parts.occurredAt >= range.to) return;
      if (parts.occurredAt < range.from) continue;
      yield {
        ...parts,
        key: object.key,
        size: object.size,
        ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
        ...(object.etag === undefined ? {} : { etag: object.etag }),
      };
    }
  }
}

function versionOf(ref: RecordRef): { versionId?: string } {
  return ref.versionId === undefined ? {} : { versionId: ref.versionId };
}

async function* mapSync<T, R>(source: AsyncIterable<T>, fn: (item: T) => R): AsyncIterable<R> {
  for await (const item of source) yield fn(item);
}

async function* filterAsync<T extends { probe: boolean }>(
  source: AsyncIterable<T>,
  keep: (item: T) => boolean,
): AsyncIterable<Omit<T, 'probe'>> {
  for await (const item of source) {
    if (!keep(item)) continue;
    const { probe: _probe, ...rest } = item;
    yield rest;
  }
}
