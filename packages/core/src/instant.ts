import { CrosswalkError } from './errors.js';

/** The earliest instant a window bound may name: nothing Crosswalk collects predates the Unix epoch. */
export const MIN_INSTANT = '1970-01-01T00:00:00.000Z';
/** The latest instant a fixed-width timestamp can hold. */
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const STAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

const FORMS =
  'a UTC date (2026-01-01) or a timestamp with a zone (2026-01-01T09:30:00Z, 2026-01-01T11:30:00+02:00)';

/**
 * One bound of a window, as every edge (CLI flags, API queries and bodies, exports) reads it.
 *
 * - `YYYY-MM-DD` is that day's UTC midnight;
 * - a timestamp must carry its zone (`Z` or `±HH:MM`): a bare `2026-01-01T09:30` is refused, because whose
 *   09:30 it is cannot be known, and evidence windows must not shift with the machine that reads them;
 * - the date and time must exist: `Date` rolls `2026-02-30` over to 2 March and `24:00` to the next day, so each
 *   part is checked, not only the parse;
 * - digits below the millisecond are cut, not rounded, so a bound never moves past what was written.
 *
 * Returns the locker's fixed-width UTC form (`2026-01-01T09:30:00.000Z`), so bounds compare as strings.
 * Throws `CW_INPUT_INVALID` naming `where` (the flag, field or parameter).
 *
 * @example parseInstant('2026-01-02T00:00:00+02:00', 'to') // '2026-01-01T22:00:00.000Z'
 */
export function parseInstant(text: string, where: string): string {
  const value = String(text).trim();
  const day = DAY.exec(value);
  const stamp = day ? null : STAMP.exec(value);
  if (!day && !stamp) {
    throw invalid(where, `${where} "${value}" must be ${FORMS}`);
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', , sign, oh = '00', om = '00'] = (day ??
    stamp) as unknown as string[];
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, date, hour, minute, second] = parts;
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, date);
  local.setUTCHours(hour, minute, second, Number(`${frac}000`.slice(0, 3)));
  if (
    local.getUTCFullYear() !== year ||
    local.getUTCMonth() !== month - 1 ||
    local.getUTCDate() !== date ||
    local.getUTCHours() !== hour ||
    local.getUTCMinutes() !== minute ||
    local.getUTCSeconds() !== second
  ) {
    throw invalid(where, `${where} "${value}" is not a calendar date and time`);
  }
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (offsetHours > 23 || offsetMinutes > 59) {
    throw invalid(where, `${where} "${value}" has no such zone offset`);
  }
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const instant = new Date(local.getTime() - offsetMs).toISOString();
  if (instant < MIN_INSTANT || instant > MAX_INSTANT || instant.length !== MIN_INSTANT.length) {
    throw invalid(
      where,
      `${where} "${value}" is outside ${MIN_INSTANT.slice(0, 4)}-${MAX_INSTANT.slice(0, 4)}`,
    );
  }
  return instant;
}

function invalid(where: string, message: string): CrosswalkError {
  return new CrosswalkError('CW_INPUT_INVALID', message, { where });
}
