import type { EmittedDraft } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { emitEventPages, progressCursorSchema, saveProgress } from '../src/event-log.js';
import { RequestRecorder } from '../src/provenance.js';

const since = Date.parse('2026-03-01T00:00:00.000Z');
const until = Date.parse('2026-03-08T00:00:00.000Z');

/** A log of pages whose every page is one recorded request, as a client's pages are. */
async function* log(recorder: RequestRecorder, pages: string[][]): AsyncGenerator<string[]> {
  for (const [index, page] of pages.entries()) {
    recorder.record({ method: 'GET', path: `/log?page=${index}`, status: 200, requestId: null });
    yield page;
  }
}

const draftAt = (at: string, requests: EmittedDraft['requests']) =>
  ({ occurredAt: at, requests }) as EmittedDraft;

describe('reading an event log into records', () => {
  it('keeps events inside the half-open window, each citing the request of its page, and reports the latest', async () => {
    const recorder = new RequestRecorder();
    const emitted: EmittedDraft[] = [];
    const progress = await emitEventPages({
      pages: log(recorder, [
        ['2026-02-28T23:59:59.999Z', '2026-03-01T00:00:00.000Z'],
        ['2026-03-07T23:59:59.999Z', '2026-03-08T00:00:00.000Z', 'skip'],
        ['2026-03-03T12:00:00.000Z'],
      ]),
      recorder,
      since,
      until,
      *drafts(at, requests) {
        if (at !== 'skip') yield draftAt(at, requests);
      },
      emit: async (draft) => emitted.push(draft),
    });
    expect(emitted.map((d) => [d.occurredAt, d.requests.map((r) => r.path)])).toEqual([
      ['2026-03-01T00:00:00.000Z', ['/log?page=0']],
      ['2026-03-07T23:59:59.999Z', ['/log?page=1']],
      ['2026-03-03T12:00:00.000Z', ['/log?page=2']],
    ]);
    expect(progress).toEqual({ count: 3, last: '2026-03-07T23:59:59.999Z' });
  });

  it('reports no progress for an empty log', async () => {
    const recorder = new RequestRecorder();
    const progress = await emitEventPages({
      pages: log(recorder, [[]]),
      recorder,
      since,
      until,
      drafts: (at: string, requests) => [draftAt(at, requests)],
      emit: async () => undefined,
    });
    expect(progress).toEqual({ count: 0, last: undefined });
  });
});

describe('saving progress', () => {
  const saved = (previous: string | undefined, last: string | undefined) => {
    const cursors: unknown[] = [];
    saveProgress(
      { cursor: previous ? { lastAt: previous } : undefined, saveCursor: (c) => cursors.push(c) },
      'lastAt',
      last,
    );
    return cursors;
  };

  it('moves the cursor only forward', () => {
    expect(saved(undefined, '2026-03-02T00:00:00.000Z')).toEqual([{ lastAt: '2026-03-02T00:00:00.000Z' }]);
    expect(saved('2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z')).toEqual([
      { lastAt: '2026-03-02T00:00:00.000Z' },
    ]);
    expect(saved('2026-03-02T00:00:00.000Z', '2026-03-01T00:00:00.000Z')).toEqual([]);
    expect(saved('2026-03-02T00:00:00.000Z', '2026-03-02T00:00:00.000Z')).toEqual([]);
    expect(saved('2026-03-02T00:00:00.000Z', undefined)).toEqual([]);
  });

  it("declares the cursor under the connector's own field, refusing an empty time", () => {
    const schema = progressCursorSchema('lastPublished');
    expect(schema.parse({ lastPublished: '2026-03-02T00:00:00.000Z' })).toEqual({
      lastPublished: '2026-03-02T00:00:00.000Z',
    });
    expect(schema.safeParse({ lastPublished: '' }).success).toBe(false);
    expect(schema.safeParse({}).success).toBe(false);
  });
});
