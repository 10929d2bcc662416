import { describe, expect, it } from 'vitest';
import { sourceRetention } from '../src/run.js';

describe("a collector's source retention in its manifest entry", () => {
  const now = new Date('2026-08-30T00:00:00.000Z');
  const days180 = { sourceRetentionDays: 180 };

  it.each([
    ['is absent for a collector that declares none', {}, '2020-01-01', '2026-08-30', {}],
    ['names the retention alone when the window is inside it', days180, '2026-03-03', '2026-08-30', days180],
    [
      'says from when the source still has items when the window reaches further back',
      days180,
      '2026-01-01',
      '2026-08-30',
      { ...days180, sourceUnavailableBefore: '2026-03-03T00:00:00.000Z' },
    ],
    [
      // It could not be read at all: unavailable up to its end.
      'says the whole window is unavailable when it lies wholly past the retention',
      days180,
      '2026-01-01',
      '2026-02-01',
      { ...days180, sourceUnavailableBefore: '2026-02-01T00:00:00.000Z' },
    ],
  ])('%s', (_case, declared, since, until, expected) => {
    const window = { since: `${since}T00:00:00.000Z`, until: `${until}T00:00:00.000Z` };
    expect(sourceRetention(declared, window, now)).toEqual(expected);
  });
});
