import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CrosswalkError, parseEvidenceId } from '@crosswalk/core';
import { type ChainLink, linkMeets, type RunManifest } from '@crosswalk/locker';
import type { Window } from './scope.js';

export interface CompletenessProblem {
  /** The record (or chain link) concerned. */
  path: string;
  message: string;
}

/** What the chain vouches for about one record: its hash, and the first run (index in `runs`) that lists it. */
export interface Expected {
  sha256: string;
  run: number;
}

/** Lines spooled before they are appended to their day files. */
const PENDING_LIMIT_BYTES = 1 << 20;

/**
 * The records the chain vouches for in one export: every record of a kind in scope with occurredAt in the window
 * that a chained run manifest lists, whichever run stored them and whenever. Filled from the manifests of the
 * links whose `days` meet the window (and of older links without `days` whose run may hold such records), then
 * matched against the locker's listing of the window as it streams by: a listed record the chain does not list is
 * unvouched, a vouched one the listing never meets was removed.
 *
 * Memory stays flat in the number of records: what the manifests vouch for is spooled to one file per kind and
 * UTC day in a temporary directory (as the locker indexes records), and the listing, which comes kind by kind in
 * key order and so day by day, loads one day's file at a time. Only that day's entries (and one small entry per
 * vouching run) are ever in memory.
 */
export class VouchedSet {
  private readonly runs: { connectorId: string; runId: string; sequence: number }[] = [];
  private readonly kindIndex: ReadonlyMap<string, number>;
  private readonly kinds: ReadonlySet<string>;
  /** Day files written so far (by name), and whether the listing has loaded each one. */
  private readonly files = new Map<string, { kind: string; day: string; loaded: boolean }>();
  private pending = new Map<string, string[]>();
  private pendingBytes = 0;
  readonly problems: CompletenessProblem[] = [];
  /** Records of the window vouched for, counted once each (complete once `finish` has run). */
  vouched = 0;

  private constructor(
    kinds: readonly string[],
    private readonly window: Window,
    private readonly dir: string,
  ) {
    this.kindIndex = new Map(kinds.map((kind, index) => [kind, index]));
    this.kinds = new Set(kinds);
  }

  /** `parent`: where the day files go (a directory of their own inside it); default the OS temp directory. */
  static async create(kinds: readonly string[], window: Window, parent?: string): Promise<VouchedSet> {
    const dir = await mkdtemp(path.join(parent ?? os.tmpdir(), 'crosswalk-vouched-'));
    return new VouchedSet(kinds, window, dir);
  }

  /** Whether a link's manifest may vouch for a record of the window: read it. */
  wants(link: ChainLink): boolean {
    return linkMeets(link, this.kinds, this.window);
  }

  /** Adds what one chained manifest vouches for in the window; returns how many of its records count. */
  async addRun(connectorId: string, run: RunManifest): Promise<number> {
    const index = this.runs.length;
    let count = 0;
    for (const record of run.records) {
      const kind = this.kindIndex.get(record.kind);
      if (kind === undefined) continue;
      const occurredAt = parseEvidenceId(record.id)?.occurredAt;
      if (!occurredAt || occurredAt < this.window.from || occurredAt >= this.window.to) continue;
      count++;
      const day = occurredAt.slice(0, 10);
      const name = `${kind}.${day}`;
      if (!this.files.has(name)) this.files.set(name, { kind: record.kind, day, loaded: false });
      const line = `${record.id}\t${record.sha256}\t${index}\n`;
      let lines = this.pending.get(name);
      if (!lines) {
        lines = [];
        this.pending.set(name, lines);
      }
      lines.push(line);
      this.pendingBytes += line.length;
    }
    if (count > 0) this.runs.push({ connectorId, runId: run.runId, sequence: run.sequence });
    if (this.pendingBytes >= PENDING_LIMIT_BYTES) await this.flush();
    return count;
  }

  /**
   * The listing of `kind` (in key order, so day by day), each ref with what the chain vouches for it, or
   * undefined when no chained run lists it. When the listing leaves a day, what that day's runs vouch for and
   * the listing did not meet is named as removed.
   */
  async *match<R extends { id: string; occurredAt: string }>(
    kind: string,
    refs: AsyncIterable<R>,
  ): AsyncGenerator<{ ref: R; expected: Expected | undefined }> {
    await this.flush();
    let day: string | undefined;
    let expected = new Map<string, Expected>();
    for await (const ref of refs) {
      const refDay = ref.occurredAt.slice(0, 10);
      if (refDay !== day) {
        if (day !== undefined && refDay < day) {
          throw new CrosswalkError(
            'CW_INTERNAL',
            `the listing of ${kind} went back from ${day} to ${refDay}: not in key order`,
          );
        }
        this.removed(expected);
        day = refDay;
        expected = await this.load(kind, day);
      }
      const entry = expected.get(ref.id);
      if (entry) expected.delete(ref.id);
      yield { ref, expected: entry };
    }
    this.removed(expected);
  }

  /** Compares a record read from the locker with what the chain vouches for; a different hash is named. */
  meet(id: string, sha256: string, expected: Expected): boolean {
    if (expected.sha256 === sha256) return true;
    this.problems.push({
      path: id,
      message: `${id} in the locker has hash ${sha256}, but ${this.describe(expected.run)} vouches for ${expected.sha256}: it was altered`,
    });
    return false;
  }

  /**
   * After every kind's listing: the days the listings never reached (no record of that day left in the locker)
   * are read too, so everything vouched for and not met is named as removed, and `vouched` is complete.
   */
  async finish(): Promise<void> {
    await this.flush();
    for (const file of this.files.values()) {
      if (!file.loaded) this.removed(await this.load(file.kind, file.day));
    }
  }

  /** Removes the day files; safe to call more than once. */
  async dispose(): Promise<void> {
    this.pending = new Map();
    this.pendingBytes = 0;
    await rm(this.dir, { recursive: true, force: true });
  }

  private async flush(): Promise<void> {
    for (const [name, lines] of this.pending) await appendFile(path.join(this.dir, name), lines.join(''));
    this.pending = new Map();
    this.pendingBytes = 0;
  }

  /** One day's vouched records of a kind; two runs vouching for different hashes of one record are named. */
  private async load(kind: string, day: string): Promise<Map<string, Expected>> {
    const expected = new Map<string, Expected>();
    const name = `${this.kindIndex.get(kind)}.${day}`;
    const file = this.files.get(name);
    if (!file) return expected;
    if (file.loaded) {
      throw new CrosswalkError('CW_INTERNAL', `vouched records of ${kind} on ${day} were matched twice`);
    }
    file.loaded = true;
    const text = await readFile(path.join(this.dir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const [id, sha256, run] = line.split('\t') as [string, string, string];
      const known = expected.get(id);
      if (known === undefined) {
        expected.set(id, { sha256, run: Number(run) });
        this.vouched++;
      } else if (known.sha256 !== sha256) {
        const other = this.runs[known.run]!;
        const that = this.runs[Number(run)]!;
        this.problems.push({
          path: id,
          message: `runs ${other.runId} (${other.connectorId} #${other.sequence}) and ${that.runId} (${that.connectorId} #${that.sequence}) vouch for different hashes of ${id}`,
        });
      }
    }
    return expected;
  }

  private removed(expected: ReadonlyMap<string, Expected>): void {
    for (const [id, entry] of expected) {
      this.problems.push({
        path: id,
        message: `${id} is vouched for by ${this.describe(entry.run)} but is not in the locker: it was removed`,
      });
    }
  }

  private describe(run: number): string {
    const described = this.runs[run]!;
    return `run ${described.runId} (${described.connectorId} #${described.sequence})`;
  }
}
