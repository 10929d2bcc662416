import { z } from 'zod';

/**
 * Every timestamp in a record is UTC with milliseconds (`2026-01-05T10:00:00.000Z`): one fixed width, so that
 * locker keys built from it sort chronologically and a period boundary compares as a string.
 */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const timestampSchema = z
  .string()
  .regex(TIMESTAMP_PATTERN, 'must be a UTC timestamp with milliseconds, e.g. 2026-01-05T10:00:00.000Z')
  // zod runs this even when the pattern failed, so it must not throw on garbage.
  .refine(isCalendarTime, 'must be a real calendar time');

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether a fixed-width UTC timestamp names a real time: month 1-12, a day its month has (29 February in leap
 * years only), hours 0-23, minutes and seconds 0-59, as a Date round trip would decide; done with arithmetic on
 * the digits because every record read is checked, and a Date per timestamp was a tenth of reading one.
 */
function isCalendarTime(value: string): boolean {
  if (!TIMESTAMP_PATTERN.test(value)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return (
    day <= days && digits(value, 11, 13) <= 23 && digits(value, 14, 16) <= 59 && digits(value, 17, 19) <= 59
  );
}

/** The number written by the ASCII digits value[from..to) (the pattern has checked they are digits). */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
}

export type Timestamp = z.infer<typeof timestampSchema>;
