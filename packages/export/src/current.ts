import type { Window } from '@crosswalk/assurance';
import {
  type Currency,
  canSupersede,
  type EvidenceKind,
  type EvidenceRecord,
  resolveCurrent,
  type SupersessionEntry,
  supersessionEntry,
} from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { csvLine } from './csv.js';
import type { Spool } from './sink.js';

/**
 * The populations' currency columns as the export writes them. Which record is a subject's current answer is
 * decided by resolveCurrent (@crosswalk/core) over the records in the window and those after it
 * (currencyInWindow and laterEntries in @crosswalk/assurance, which coverage and control tests read too).
 */

/** Appended to the population columns. */
export const CURRENCY_COLUMNS = ['current', 'supersedes', 'supersededBy', 'currentId'] as const;

/** A row as csvLine wrote it (ending in CRLF), with the currency columns added at its end. */
function withCurrency(line: string, currency: Currency): string {
  return `${line.slice(0, -2)},${csvLine([
    currency.current ? 'yes' : 'no',
    currency.supersedes,
    currency.supersededBy,
    currency.currentId,
  ])}`;
}

/** A kind's part of the populations: every row (populations.csv) and the current rows (control populations). */
export interface KindPopulationFiles {
  all: { path: string; size: number; records: number };
  current: { path: string; size: number; records: number };
  superseded: number;
}

/**
 * One kind's population rows as the export streams its records. Rows of a kind whose records are never replaced
 * go straight to the spool (memory flat). Rows of a kind that can supersede are held until the kind is read
 * (such kinds are derived and small: one record per change of answer), then resolved together with the records
 * that occurred after the window, and written in the order they came. Found counts for coverage count current
 * records only, so a subject is one found item however many answers it had.
 */
export class KindPopulation {
  private readonly held: { record: EvidenceRecord; line: string }[] = [];
  private count = 0;

  constructor(
    private readonly kind: EvidenceKind,
    private readonly all: Spool,
    /** Created only when the kind can supersede: otherwise the current rows are all the rows. */
    private readonly currentSpool: () => Promise<Spool>,
    private readonly context: {
      locker: Locker;
      window: Window;
      /** Coverage's found tally (coverage.ts). */
      found: { add(kind: EvidenceKind, occurredAt: string): void };
      /** laterEntries of the kind, read once for this and the control tests' feed. */
      later: () => Promise<readonly SupersessionEntry[]>;
    },
  ) {}

  /** `line`: the record's row as csvLine wrote it, without the currency columns (added here). */
  async append(record: EvidenceRecord, line: string): Promise<void> {
    this.count++;
    if (canSupersede(this.kind)) {
      this.held.push({ record, line });
      return;
    }
    await this.all.append(
      withCurrency(line, { current: true, supersedes: null, supersededBy: null, currentId: record.id }),
    );
    this.context.found.add(this.kind, record.occurredAt);
  }

  async close(): Promise<KindPopulationFiles> {
    if (!canSupersede(this.kind)) {
      const closed = await this.all.close();
      const part = { path: closed.path, size: closed.size, records: this.count };
      return { all: part, current: part, superseded: 0 };
    }
    const { found } = this.context;
    const resolved = resolveCurrent([
      ...this.held.map((h) => supersessionEntry(h.record)),
      ...(await this.context.later()),
    ]);
    const current = await this.currentSpool();
    let currentRows = 0;
    for (const held of this.held) {
      const { record } = held;
      const currency = resolved.get(record.id)!;
      const line = withCurrency(held.line, currency);
      await this.all.append(line);
      if (!currency.current) continue;
      await current.append(line);
      found.add(this.kind, record.occurredAt);
      currentRows++;
    }
    this.held.length = 0;
    const [closedAll, closedCurrent] = [await this.all.close(), await current.close()];
    return {
      all: { path: closedAll.path, size: closedAll.size, records: this.count },
      current: { path: closedCurrent.path, size: closedCurrent.size, records: currentRows },
      superseded: this.count - currentRows,
    };
  }
}
