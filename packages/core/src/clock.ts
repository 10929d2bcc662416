/** Time comes through a clock so tests can pin it; records never read Date.now() directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock {
  const fixed = new Date(at);
  return { now: () => new Date(fixed) };
}

/** Milliseconds, UTC, always 24 characters: keys built from it sort in time order. */
export function toTimestamp(at: Date | string | number): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid time: ${String(at)}`);
  return date.toISOString();
}
