import { describe, expect, it } from 'vitest';
import { isCalendarDay, isTimeZone, terminationInstant } from '../src/time-zone.js';

/** The rule: a termination dated D takes effect at 00:00 on D+1 in the company's zone (the end of D), in UTC. */
describe('terminationInstant', () => {
  it('is midnight after D in UTC itself', () => {
    expect(terminationInstant('2026-03-06', 'UTC')).toBe('2026-03-07T00:00:00.000Z');
  });

  it('falls on D itself, in UTC, far east of Greenwich (UTC+14, +5:30)', () => {
    expect(terminationInstant('2026-03-06', 'Pacific/Kiritimati')).toBe('2026-03-06T10:00:00.000Z');
    expect(terminationInstant('2026-03-06', 'Asia/Kolkata')).toBe('2026-03-06T18:30:00.000Z');
  });

  it('falls at noon of D+1, in UTC, far west of Greenwich (UTC-12, -11)', () => {
    expect(terminationInstant('2026-03-06', 'Etc/GMT+12')).toBe('2026-03-07T12:00:00.000Z');
    expect(terminationInstant('2026-03-06', 'Pacific/Pago_Pago')).toBe('2026-03-07T11:00:00.000Z');
  });

  it("takes the offset in force at the end of D across New York's DST changes", () => {
    // 2026-03-08 02:00 EST -> 03:00 EDT: the day before still ends in EST, the change day ends in EDT.
    expect(terminationInstant('2026-03-07', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(terminationInstant('2026-03-08', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    // 2026-11-01 02:00 EDT -> 01:00 EST: the 25-hour day ends in EST.
    expect(terminationInstant('2026-10-31', 'America/New_York')).toBe('2026-11-01T04:00:00.000Z');
    expect(terminationInstant('2026-11-01', 'America/New_York')).toBe('2026-11-02T05:00:00.000Z');
  });

  it('handles a DST change at 01:00 UTC (London) on the change day', () => {
    expect(terminationInstant('2026-03-28', 'Europe/London')).toBe('2026-03-29T00:00:00.000Z');
    expect(terminationInstant('2026-03-29', 'Europe/London')).toBe('2026-03-29T23:00:00.000Z');
  });

  it('takes the first instant after the gap when the zone skips midnight (Santiago moves 00:00 to 01:00)', () => {
    // 2026-09-06 00:00 -04 does not exist; the day 09-05 ends when 01:00 -03 begins.
    expect(terminationInstant('2026-09-05', 'America/Santiago')).toBe('2026-09-06T04:00:00.000Z');
    expect(terminationInstant('2026-09-04', 'America/Santiago')).toBe('2026-09-05T04:00:00.000Z');
    expect(terminationInstant('2026-09-06', 'America/Santiago')).toBe('2026-09-07T03:00:00.000Z');
    // 2026-04-05 00:00 -03 falls back to 04-04 23:00 -04: the day ends at the one midnight that happens.
    expect(terminationInstant('2026-04-04', 'America/Santiago')).toBe('2026-04-05T04:00:00.000Z');
  });

  it('crosses month and year ends', () => {
    expect(terminationInstant('2026-12-31', 'Europe/Berlin')).toBe('2026-12-31T23:00:00.000Z');
    expect(terminationInstant('2028-02-29', 'UTC')).toBe('2028-03-01T00:00:00.000Z');
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
