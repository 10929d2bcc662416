import { describe, expect, it } from 'vitest';
import { isCalendarDay, isTimeZone, terminationInstant } from '../src/time-zone.js';

/** The rule: a termination dated D takes effect at 00:00 on D+1 in the company's zone (the end of D), in UTC. */
describe('terminationInstant', () => {
  // [why, the termination date D, the company's zone, the instant it takes effect]
  it.each([
    ['midnight after D, in UTC', '2026-03-06', 'UTC', '2026-03-07T00:00:00.000Z'],
    ['on D, far east (UTC+14)', '2026-03-06', 'Pacific/Kiritimati', '2026-03-06T10:00:00.000Z'],
    ['on D, a half-hour zone east (+5:30)', '2026-03-06', 'Asia/Kolkata', '2026-03-06T18:30:00.000Z'],
    ['noon of D+1, far west (UTC-12)', '2026-03-06', 'Etc/GMT+12', '2026-03-07T12:00:00.000Z'],
    ['on D+1, west (UTC-11)', '2026-03-06', 'Pacific/Pago_Pago', '2026-03-07T11:00:00.000Z'],
    // 2026-03-08 02:00 EST -> 03:00 EDT: the day before still ends in EST, the change day ends in EDT.
    ['EST before New York springs forward', '2026-03-07', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['EDT on the day New York springs forward', '2026-03-08', 'America/New_York', '2026-03-09T04:00:00.000Z'],
    // 2026-11-01 02:00 EDT -> 01:00 EST: the 25-hour day ends in EST.
    ['EDT before New York falls back', '2026-10-31', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['EST on the 25-hour day', '2026-11-01', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    // London changes at 01:00 UTC on the change day.
    ['GMT before London springs forward', '2026-03-28', 'Europe/London', '2026-03-29T00:00:00.000Z'],
    ['BST on the day London springs forward', '2026-03-29', 'Europe/London', '2026-03-29T23:00:00.000Z'],
    // 2026-09-06 00:00 -04 does not exist in Santiago; the day 09-05 ends when 01:00 -03 begins.
    ['the first instant after the gap', '2026-09-05', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    ['-04 the day before the gap', '2026-09-04', 'America/Santiago', '2026-09-05T04:00:00.000Z'],
    ['-03 the day after the gap', '2026-09-06', 'America/Santiago', '2026-09-07T03:00:00.000Z'],
    // 2026-04-05 00:00 -03 falls back to 04-04 23:00 -04: the day ends at the one midnight that happens.
    ['the one midnight of a fall-back', '2026-04-04', 'America/Santiago', '2026-04-05T04:00:00.000Z'],
    ['the end of a year', '2026-12-31', 'Europe/Berlin', '2026-12-31T23:00:00.000Z'],
    ['the end of a leap February', '2028-02-29', 'UTC', '2028-03-01T00:00:00.000Z'],
  ])('%s: D = %s in %s takes effect at %s', (_why, day, zone, instant) => {
    expect(terminationInstant(day, zone)).toBe(instant);
  });

  it('refuses what is not a calendar day', () => {
    expect(() => terminationInstant('2026-02-30', 'UTC')).toThrow('not a calendar day');
    expect(() => terminationInstant('0000-00-00', 'UTC')).toThrow('not a calendar day');
    expect(isCalendarDay('2026-3-6')).toBe(false);
  });
});

describe('isTimeZone', () => {
  it('accepts IANA names and refuses offsets and unknown names', () => {
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('+01:00')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
