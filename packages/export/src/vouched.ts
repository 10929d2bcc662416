import { parseEvidenceId } from '@crosswalk/core';
import { type ChainLink, linkMeets, type RunManifest } from '@crosswalk/locker';
import type { Window } from './scope.js';

export interface CompletenessProblem {
  /** The record (or chain link) concerned. */
  path: string;
  message: string;
}

/**
 * The records the chain vouches for in one export: every record of a kind in scope with occurredAt in the window
 * that a chained run manifest lists, whichever run stored it and whenever. Filled from the manifests of the
 * links whose `days` meet the window (and of older links without `days` whose run may hold such records), then
 * consumed while the locker's listing of the window streams by: what is left at the end was vouched for but is
 * not in the locker.
 *
 * Memory: one entry per vouched record (its id and hash, about 150 bytes), released as the listing meets it.
 */
export class VouchedSet {
  /** id -> sha256 + the index of the first run vouching for it in `runs`. */
  private readonly expected = new Map<string, string>();
  private readonly runs: { connectorId: string; runId: string; sequence: number }[] = [];
  private readonly kinds: ReadonlySet<string>;
  readonly problems: CompletenessProblem[] = [];
  /** Records of the window vouched for, counted once each. */
  vouched = 0;

  constructor(
    kinds: readonly string[],
    private readonly window: Window,
  ) {
    this.kinds = new Set(kinds);
  }

  /** Whether a link's manifest may vouch for a record of the window: read it. */
  wants(link: ChainLink): boolean {
    return linkMeets(link, this.kinds, this.window);
  }

  /** Adds what one chained manifest vouches for in the window; returns how many of its records count. */
  addRun(connectorId: string, run: RunManifest): number {
    let index = -1;
    let count = 0;
    for (const record of run.records) {
      if (!this.kinds.has(record.kind)) continue;
      const occurredAt = parseEvidenceId(record.id)?.occurredAt;
      if (!occurredAt || occurredAt < this.window.from || occurredAt >= this.window.to) continue;
      count++;
      const known = this.expected.get(record.id);
      if (known !== undefined) {
        if (known.slice(0, 64) !== record.sha256) {
          const other = this.runs[Number(known.slice(64))]!;
          this.problems.push({
            path: record.id,
            message: `runs ${other.runId} (${other.connectorId} #${other.sequence}) and ${run.runId} (${connectorId} #${run.sequence}) vouch for different hashes of ${record.id}`,
          });
        }
        continue;
      }
      if (index < 0) {
        index = this.runs.length;
        this.runs.push({ connectorId, runId: run.runId, sequence: run.sequence });
      }
      this.expected.set(record.id, `${record.sha256}${index}`);
      this.vouched++;
    }
    return count;
  }

  /** The hash the chain vouches for, without consuming it; undefined when no chained run lists the record. */
  peek(id: string): string | undefined {
    return this.expected.get(id)?.slice(0, 64);
  }

  /** Marks a record as met in the locker with `sha256`; a different hash is a problem naming the record. */
  meet(id: string, sha256: string): boolean {
    const known = this.expected.get(id);
    if (known === undefined) return false;
    this.expected.delete(id);
    if (known.slice(0, 64) === sha256) return true;
    this.problems.push({
      path: id,
      message: `${id} in the locker has hash ${sha256}, but ${this.describe(known)} vouches for ${known.slice(0, 64)}: it was altered`,
    });
    return false;
  }

  /** Marks a record as listed in the locker, its hash unread (coverage lists keys only). */
  seen(id: string): boolean {
    return this.expected.delete(id);
  }

  /** Everything vouched for that the listing never met: removed from the locker. */
  missing(): void {
    for (const [id, known] of this.expected) {
      this.problems.push({
        path: id,
        message: `${id} is vouched for by ${this.describe(known)} but is not in the locker: it was removed`,
      });
    }
    this.expected.clear();
  }

  private describe(known: string): string {
    const run = this.runs[Number(known.slice(64))]!;
    return `run ${run.runId} (${run.connectorId} #${run.sequence})`;
  }
}
