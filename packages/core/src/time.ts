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
  .refine((value) => {
    const time = new Date(value);
    return !Number.isNaN(time.getTime()) && time.toISOString() === value;
  }, 'must be a real calendar time');

export type Timestamp = z.infer<typeof timestampSchema>;
