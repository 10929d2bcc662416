import { CrosswalkError } from '@crosswalk/core';
import type { Frequency } from './register/schema.js';

/** One period of a periodic control: [start, end), labelled as auditors write it. */
export interface Period {
  label: string;
  start: string;
  end: string;
}

const MAX_PERIODS = 20_000;

function startOf(frequency: Exclude<Frequency, 'event'>, at: Date): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  switch (frequency) {
    case 'daily':
      return new Date(Date.UTC(y, m, at.getUTCDate()));
    case 'weekly': {
      const day = new Date(Date.UTC(y, m, at.getUTCDate()));
      const back = (day.getUTCDay() + 6) % 7; // Monday starts the week (ISO 8601)
      return new Date(day.getTime() - back * 86_400_000);
    }
    case 'monthly':
      return new Date(Date.UTC(y, m, 1));
    case 'quarterly':
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case 'annually':
      return new Date(Date.UTC(y, 0, 1));
  }
}

function next(frequency: Exclude<Frequency, 'event'>, start: Date): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  switch (frequency) {
    case 'daily':
      return new Date(start.getTime() + 86_400_000);
    case 'weekly':
      return new Date(start.getTime() + 7 * 86_400_000);
    case 'monthly':
      return new Date(Date.UTC(y, m + 1, 1));
    case 'quarterly':
      return new Date(Date.UTC(y, m + 3, 1));
    case 'annually':
      return new Date(Date.UTC(y + 1, 0, 1));
  }
}

function isoWeek(start: Date): string {
  // The ISO week-numbering year is the year of the week's Thursday.
  const thursday = new Date(start.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function label(frequency: Exclude<Frequency, 'event'>, start: Date): string {
  const iso = start.toISOString();
  switch (frequency) {
    case 'daily':
      return iso.slice(0, 10);
    case 'weekly':
      return isoWeek(start);
    case 'monthly':
      return iso.slice(0, 7);
    case 'quarterly':
      return `${start.getUTCFullYear()}-Q${Math.floor(start.getUTCMonth() / 3) + 1}`;
    case 'annually':
      return String(start.getUTCFullYear());
  }
}

/**
 * The periods wholly inside [from, to): a periodic control is expected to operate once in each (AUDIT.md: periods
 * cut by the window's edges are not expected, so a window starting mid-quarter does not demand that quarter).
 */
export function periodsIn(
  frequency: Exclude<Frequency, 'event'>,
  window: { from: string; to: string },
): Period[] {
  const from = new Date(window.from);
  const to = new Date(window.to);
  const periods: Period[] = [];
  let start = startOf(frequency, from);
  if (start < from) start = next(frequency, start);
  for (let end = next(frequency, start); end <= to; start = end, end = next(frequency, start)) {
    periods.push({ label: label(frequency, start), start: start.toISOString(), end: end.toISOString() });
    if (periods.length > MAX_PERIODS) {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `the window holds more than ${MAX_PERIODS} ${frequency} periods`,
        {
          where: 'to',
        },
      );
    }
  }
  return periods;
}
