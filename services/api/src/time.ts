import { MAX_INSTANT, MIN_INSTANT, parseInstant } from '@crosswalk/core';
import { z } from 'zod';

/** The earliest and latest instants a window can name; an omitted bound means these (or the key's scope). */
export { MAX_INSTANT, MIN_INSTANT };

/** The instant `text` names (core's `parseInstant`), or undefined when it names none. */
export function toInstant(text: string): string | undefined {
  try {
    return parseInstant(text, 'instant');
  } catch {
    return undefined;
  }
}

/** A query parameter holding a UTC date or zoned timestamp, normalized to the locker's fixed-width form. */
export const instantParam = z
  .string()
  .describe(
    'UTC date (2026-01-01) or timestamp with a zone (2026-01-01T00:00:00Z, 2026-01-01T02:00:00+02:00)',
  )
  .transform((text, ctx) => {
    try {
      return parseInstant(text, 'instant');
    } catch (error) {
      // The message names the value; zod's issue path names the parameter.
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^instant /, '') });
      return z.NEVER;
    }
  });
