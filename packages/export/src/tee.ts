import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type FedRecords, type RecordFeed, supersededAmong } from '@crosswalk/assurance';
import {
  canSupersede,
  type EvidenceKind,
  type EvidenceRecord,
  type SupersessionEntry,
  supersessionEntry,
} from '@crosswalk/core';
import type { Spool } from './sink.js';

const LINE_BREAK = 0x0a;
const NEWLINE = Buffer.from('\n');

interface TeedKind {
  spool: Spool;
  /** Ids of the teed records no chained run vouches for (normally none; left out of the bundle). */
  unvouched: Set<string>;
  /** Supersession entries of every teed record, for kinds that can supersede (derived, small kinds). */
  entries: SupersessionEntry[] | null;
  closed?: { path: string; superseded: ReadonlySet<string> | null };
}

/**
 * The export's own verified read of the window, kept for the control tests so that no record is fetched from the
 * locker twice. Each record of a kind the tests rest on is appended, as it streams through the export (vouched or
 * not: the tests see what the locker lists, as testControls over the locker does), to one spool file per kind as a
 * JSON line; the tests then read the spool back in the same key order. Memory stays flat: records go to disk, and
 * only kinds that can supersede keep their small supersession entries to resolve the current answers.
 */
export class RecordTee {
  private readonly kinds = new Map<EvidenceKind, TeedKind>();

  constructor(
    private readonly wanted: ReadonlySet<EvidenceKind>,
    private readonly spool: (name: string) => Promise<Spool>,
  ) {}

  /** Whether the control tests rest on `kind`: its records are kept, unvouched ones too. */
  wants(kind: EvidenceKind): boolean {
    return this.wanted.has(kind);
  }

  /** Starts a kind (before its first record); a no-op for a kind the tests do not rest on. */
  async open(kind: EvidenceKind, index: number): Promise<void> {
    if (!this.wants(kind)) return;
    const spool = await this.spool(`tee-${index}.jsonl`);
    this.kinds.set(kind, { spool, unvouched: new Set(), entries: canSupersede(kind) ? [] : null });
  }

  /**
   * One verified record of the listing, in key order, with the stored bytes it was proven from. Those bytes are
   * spooled as they are (no second serialisation): they parse to the same record, and the tests read only values,
   * never key order. Stored text with a line break (not the locker's one-line canonical JSON) is written re-serialised.
   * `vouched`: whether a chained run vouches for it (the export's own check), which the tests' IPE pack reports.
   */
  async add(record: EvidenceRecord, bytes: Buffer, vouched: boolean): Promise<void> {
    const teed = this.kinds.get(record.kind);
    if (!teed) return;
    if (!vouched) teed.unvouched.add(record.id);
    teed.entries?.push(supersessionEntry(record));
    if (bytes.includes(LINE_BREAK)) await teed.spool.append(`${JSON.stringify(record)}\n`);
    else {
      await teed.spool.append(bytes);
      await teed.spool.append(NEWLINE);
    }
  }

  /** Ends a kind once its listing is read; `later`: the records after the window, for a kind that can supersede. */
  async close(kind: EvidenceKind, later: () => Promise<readonly SupersessionEntry[]>): Promise<void> {
    const teed = this.kinds.get(kind);
    if (!teed) return;
    const closed = await teed.spool.close();
    const superseded = teed.entries ? supersededAmong(teed.entries, await later()) : null;
    teed.entries = null;
    teed.closed = { path: closed.path, superseded };
  }

  /** testControls' feed: each closed kind from its spool; other kinds (not read by this export) from the locker. */
  feed(): RecordFeed {
    return async (kind) => {
      const closed = this.kinds.get(kind)?.closed;
      if (!closed) return undefined;
      const fed: FedRecords = {
        records: readRecords(closed.path),
        superseded: closed.superseded,
        unvouched: this.kinds.get(kind)!.unvouched,
      };
      return fed;
    };
  }
}

async function* readRecords(file: string): AsyncIterable<EvidenceRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.length > 0) yield JSON.parse(line) as EvidenceRecord;
    }
  } finally {
    lines.close();
  }
}
