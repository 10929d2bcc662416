/**
 * The demo organisation's calendar. Everything happens at fixed offsets from the start of the current quarter, so
 * the audit year is always the four whole quarters before today's and every event in it is already in the past,
 * whatever day the demo runs.
 */

const DAY_MS = 86_400_000;

export interface Quarter {
  /** `2026-Q2`. */
  label: string;
  start: Date;
  end: Date;
}

export interface Timeline {
  /** The instant the demo treats as now (the real time: snapshots are taken now). */
  now: Date;
  /** The audit window: the four whole quarters before the current one, [from, to). */
  from: Date;
  to: Date;
  quarters: Quarter[];
  /** A time `days` (fractional allowed) after the window's start. */
  at(days: number): Date;
}

function quarterStart(at: Date): Date {
  const month = at.getUTCMonth();
  return new Date(Date.UTC(at.getUTCFullYear(), month - (month % 3), 1));
}

function addMonths(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

export function timeline(now = new Date()): Timeline {
  const to = quarterStart(now);
  const from = addMonths(to, -12);
  const quarters = [0, 1, 2, 3].map((index) => {
    const start = addMonths(from, index * 3);
    return {
      label: `${start.getUTCFullYear()}-Q${Math.floor(start.getUTCMonth() / 3) + 1}`,
      start,
      end: addMonths(start, 3),
    };
  });
  return { now, from, to, quarters, at: (days) => new Date(from.getTime() + days * DAY_MS) };
}

/** A time `hours` after another. */
export function plusHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 3_600_000);
}

/**
 * Yesterday (UTC) `hours` after midnight: sign-ins are summarised by whole day, so the last day with a summary is
 * yesterday, and it is in the past whatever time the demo runs.
 */
export function yesterdayAt(time: Timeline, hours: number): Date {
  const midnight = Date.UTC(time.now.getUTCFullYear(), time.now.getUTCMonth(), time.now.getUTCDate());
  return new Date(midnight - 86_400_000 + hours * 3_600_000);
}

/** A small deterministic generator, so every run of the demo tells the same story. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
