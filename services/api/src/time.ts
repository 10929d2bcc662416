import { z } from 'zod';

/** The earliest and latest instants a window can name; an omitted bound means these (or the key's scope). */
export const MIN_INSTANT = '1970-01-01T00:00:00.000Z';
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z)?$/;

/**
 * A UTC date (`2026-01-01`, meaning its midnight) or timestamp with `Z` (`2026-01-01T09:30:00Z`) as the
 * locker's fixed-width form (`2026-01-01T09:30:00.000Z`); undefined for anything else, including offsets
 * other than Z and dates that do not exist (2026-02-30). Sub-millisecond digits are cut, not rounded.
 */
export function toInstant(text: string): string | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = match as unknown as string[];
  const ms = `${frac}000`.slice(0, 3);
  const candidate = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
  const time = Date.parse(candidate);
  if (Number.isNaN(time) || time < Date.parse(MIN_INSTANT)) return undefined;
  // Date.parse rolls 2026-02-30 over to March; a real instant survives the round trip unchanged.
  return new Date(time).toISOString() === candidate ? candidate : undefined;
}

/** A query parameter holding a UTC date or timestamp, normalized to the locker's fixed-width form. */
export const instantParam = z
  .string()
  .describe('UTC date (2026-01-01) or timestamp ending in Z (2026-01-01T00:00:00Z)')
  .transform((text, ctx) => {
    const instant = toInstant(text);
    if (instant === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a UTC date (2026-01-01) or timestamp ending in Z (2026-01-01T00:00:00Z)',
      });
      return z.NEVER;
    }
    return instant;
  });
