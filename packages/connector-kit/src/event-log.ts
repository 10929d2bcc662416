import type { EmittedDraft, ProvenanceRequest } from '@crosswalk/core';
import { z } from 'zod';
import type { RequestRecorder } from './provenance.js';

/**
 * A progress cursor: the latest event time a collector stored, under the field name its connector has always used
 * (stored cursors keep their names). For logs and operators: the window, not the cursor, says what a run reads.
 */
export function progressCursorSchema<Field extends string>(field: Field) {
  return z.object({ [field]: z.string().min(1) } as Record<Field, z.ZodString>);
}

/** Where an event-log collector saves its progress: the context's cursor, with the field of its progressCursorSchema. */
export interface ProgressContext<Field extends string> {
  cursor: Partial<Record<Field, string>> | undefined;
  saveCursor(cursor: Record<Field, string>): void;
}

/** How many events a read stored, and the latest of their times. */
export interface EventLogProgress {
  count: number;
  last: string | undefined;
}

/**
 * Saves the latest event time as progress, only when it moves the cursor forward: a rerun of an older window, or a
 * read-back narrowed to a few events, leaves it where it is.
 */
export function saveProgress<Field extends string>(
  ctx: ProgressContext<Field>,
  field: Field,
  last: string | undefined,
): void {
  const previous = ctx.cursor?.[field];
  if (last && (!previous || last > previous)) ctx.saveCursor({ [field]: last } as Record<Field, string>);
}

export interface EventPagesOptions<Item> {
  pages: AsyncIterable<Item[]>;
  /** The client's recorder: each page's requests are cited by the records read from that page. */
  recorder: RequestRecorder;
  /** The half-open window [since, until) in epoch milliseconds. */
  since: number;
  until: number;
  /** The drafts one item of a page stands for (none for an item the collector does not keep). */
  drafts(item: Item, requests: ProvenanceRequest[]): Iterable<EmittedDraft>;
  emit(draft: EmittedDraft): Promise<unknown>;
}

/**
 * Reads an event log page by page and emits one record per event: each cites the requests of the page that carried
 * it, and only events inside the half-open window are kept (a source's own bounds are inclusive or coarser, so they
 * are checked again here). Returns how many were emitted and the latest event time, for saveProgress.
 */
export async function emitEventPages<Item>(options: EventPagesOptions<Item>): Promise<EventLogProgress> {
  const progress: EventLogProgress = { count: 0, last: undefined };
  let mark = options.recorder.mark();
  for await (const page of options.pages) {
    const requests = options.recorder.since(mark);
    mark = options.recorder.mark();
    for (const item of page) {
      for (const draft of options.drafts(item, requests)) {
        const at = Date.parse(draft.occurredAt);
        if (at < options.since || at >= options.until) continue;
        await options.emit(draft);
        progress.count += 1;
        if (progress.last === undefined || draft.occurredAt > progress.last) progress.last = draft.occurredAt;
      }
    }
  }
  return progress;
}
