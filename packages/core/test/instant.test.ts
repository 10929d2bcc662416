import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrosswalkError, parseInstant } from '../src/index.js';

function refusal(text: string): unknown {
  try {
    parseInstant(text, 'from');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseInstant', () => {
  describe('when the text is a real date or zoned time', () => {
    it('reads a date as its UTC midnight', () => {
      expect(parseInstant('2026-01-01', 'from')).toBe('2026-01-01T00:00:00.000Z');
      expect(parseInstant('2024-02-29', 'from')).toBe('2024-02-29T00:00:00.000Z');
    });

    it('reads Z and offsets, and cuts digits below the millisecond', () => {
      expect(parseInstant('2026-01-01T09:30Z', 'to')).toBe('2026-01-01T09:30:00.000Z');
      expect(parseInstant('2026-01-02T00:00:00+02:00', 'to')).toBe('2026-01-01T22:00:00.000Z');
      expect(parseInstant('2026-01-01T23:30:00-05:30', 'to')).toBe('2026-01-02T05:00:00.000Z');
      expect(parseInstant('2026-01-01T00:00:00.123999999Z', 'to')).toBe('2026-01-01T00:00:00.123Z');
    });

    it('returns what the record timestamps hold, unchanged', () => {
      fc.assert(
        fc.property(
          fc.date({
            min: new Date('1970-01-01T00:00:00.000Z'),
            max: new Date('9999-12-31T23:59:59.999Z'),
            noInvalidDate: true,
          }),
          (date) => parseInstant(date.toISOString(), 'from') === date.toISOString(),
        ),
      );
    });
  });

  describe('when the text is not', () => {
    it.each([
      ['2026-02-30', 'is not a calendar date'],
      ['2026-02-30T00:00:00Z', 'is not a calendar date'],
      ['2025-02-29', 'is not a calendar date'],
      ['2026-13-01', 'is not a calendar date'],
      ['2026-01-01T24:00:00Z', 'is not a calendar date'],
      ['2026-01-01T12:60:00Z', 'is not a calendar date'],
      ['2026-01-01T12:00:60Z', 'is not a calendar date'],
      ['2026-01-01T00:00:00+24:00', 'no such zone offset'],
      ['2026-01-01T00:00:00+01:60', 'no such zone offset'],
      ['2026-01-01T09:30', 'must be'],
      ['2026-01-01T09:30:00', 'must be'],
      ['2026-01-01T09:30:00+0200', 'must be'],
      ['2026-1-1', 'must be'],
      ['next tuesday', 'must be'],
      ['', 'must be'],
      ['1969-12-31T23:59:59Z', 'is outside'],
      ['9999-12-31T23:59:59-01:00', 'is outside'],
    ])('refuses %j, naming the field', (text, message) => {
      const error = refusal(text);
      expect(error).toBeInstanceOf(CrosswalkError);
      expect(error).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'from' });
      expect((error as Error).message).toContain(message);
    });
  });
});
