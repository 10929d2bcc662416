/**
 * BambooHR dates are calendar days with no time (`terminationDate: 2026-03-06`), in the company's own time zone.
 * The rule (README, docs/architecture.md): a termination dated D takes effect at the END of day D in the company's
 * zone, i.e. at 00:00 local on D+1, expressed in UTC. The person works through their last day; access removed at any
 * time on D is on time, and the clock for "minutes from termination" starts when D is over where the company is.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a name is an IANA time zone this runtime knows (`Europe/Berlin`; not `CET+1` or a bare offset). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A calendar day `yyyy-mm-dd` that exists (no 2026-02-30); BambooHR's empty `0000-00-00` is not one. */
export function isCalendarDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y > 0;
}

/** The zone's offset from UTC, in ms, at an instant (positive east of Greenwich). */
function offsetAt(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return local - Math.floor(instant / 1000) * 1000;
}

/**
 * The first instant whose local wall time in `zone` is at or after `wall` (a UTC-coded wall time). When the zone
 * skips that wall time (a DST change at midnight, as in America/Santiago), the first instant after the gap.
 */
function instantOfWallTime(zone: string, wall: number): number {
  // Every offset in use lies within a day of UTC: try the offsets in force around the wall time, keep the
  // earliest instant that lands on or after it.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000])
    candidates.add(wall - offsetAt(zone, probe));
  let best: number | undefined;
  for (const instant of candidates) {
    if (instant + offsetAt(zone, instant) === wall && (best === undefined || instant < best)) best = instant;
  }
  if (best !== undefined) return best;
  // The wall time does not exist: the gap's end is the latest candidate's local time reaching past it.
  const after = [...candidates].sort((a, b) => a - b).find((i) => i + offsetAt(zone, i) > wall);
  let low = Math.min(...candidates);
  let high = after ?? Math.max(...candidates);
  while (high - low > 1000) {
    const middle = Math.floor((low + high) / 2000) * 1000;
    if (middle + offsetAt(zone, middle) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The instant a termination dated `day` takes effect, in UTC: 00:00 of the next day in the company's zone.
 * @example terminationInstant('2026-03-06', 'America/Los_Angeles') // '2026-03-07T08:00:00.000Z'
 */
export function terminationInstant(day: string, zone: string): string {
  if (!isCalendarDay(day)) throw new RangeError(`not a calendar day: ${day}`);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(instantOfWallTime(zone, Date.UTC(y, m - 1, d + 1))).toISOString();
}
