import { describe, expect, it } from 'vitest';
import { sourceRetention } from '../src/run.js';

describe("a collector's source retention in its manifest entry", () => {
  const now = new Date('2026-08-30T00:00:00.000Z');

  it('is absent for a collector that declares none', () => {
    expect(
      sourceRetention({}, { since: '2020-01-01T00:00:00.000Z', until: '2026-08-30T00:00:00.000Z' }, now),
    ).toEqual({});
  });

  it('names the retention alone when the window is inside it', () => {
    expect(
      sourceRetention(
        { sourceRetentionDays: 180 },
        { since: '2026-03-03T00:00:00.000Z', until: '2026-08-30T00:00:00.000Z' },
        now,
      ),
    ).toEqual({ sourceRetentionDays: 180 });
  });

  it('says from when the source still has items when the window reaches further back', () => {
    expect(
      sourceRetention(
        { sourceRetentionDays: 180 },
        { since: '2026-01-01T00:00:00.000Z', until: '2026-08-30T00:00:00.000Z' },
        now,
      ),
    ).toEqual({ sourceRetentionDays: 180, sourceUnavailableBefore: '2026-03-03T00:00:00.000Z' });
    // A window wholly past the retention could not be read at all: unavailable up to its end.
    expect(
      sourceRetention(
        { sourceRetentionDays: 180 },
        { since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' },
        now,
      ),
    ).toEqual({ sourceRetentionDays: 180, sourceUnavailableBefore: '2026-02-01T00:00:00.000Z' });
  });
});
