import { describe, expect, it } from 'vitest';
import { optionalSourceTime, personFrom, samePerson, snapshotDay, sourceTime } from '../src/index.js';

describe("reading a source's items", () => {
  it('reads a timestamp into the record format, naming the item and field when it is missing or unreadable', () => {
    expect(sourceTime('Okta', '2026-03-02T10:15:30Z', 'event e1', 'published')).toBe(
      '2026-03-02T10:15:30.000Z',
    );
    for (const missing of [undefined, null, '']) {
      expect(() => sourceTime('Okta', missing, 'event e1', 'published')).toThrow(
        expect.objectContaining({
          code: 'CW_SOURCE_DATA',
          where: 'event e1',
          message: 'Okta returned event e1 without published',
        }),
      );
    }
    expect(() => sourceTime('GitHub', `yesterday${'!'.repeat(100)}`, 'PR #1', 'mergedAt')).toThrow(
      `GitHub returned PR #1 with an unreadable mergedAt (yesterday${'!'.repeat(31)})`,
    );
    expect(() => sourceTime('GitHub', { at: 1 }, 'PR #1', 'mergedAt')).toThrow('unreadable mergedAt');
    expect(optionalSourceTime('Okta', null, 'user u1', 'lastLogin')).toBeNull();
    expect(() => optionalSourceTime('Okta', 'soon', 'user u1', 'lastLogin')).toThrow('unreadable lastLogin');
  });

  it('files a snapshot under the start of its UTC day', () => {
    expect(snapshotDay(new Date('2026-03-02T23:59:59.999Z'))).toBe('2026-03-02T00:00:00.000Z');
  });

  it('builds a person from what the source said, leaving out empty values, null when no one is named', () => {
    expect(personFrom({ id: 'u1', login: '', email: 'a@', name: null })).toEqual({ id: 'u1' });
    expect(personFrom({ login: 'ann@acme.example', email: 'ann@acme.example' })).toEqual({
      login: 'ann@acme.example',
      email: 'ann@acme.example',
    });
    expect(personFrom({ id: null, login: undefined, email: 'x', name: '' })).toBeNull();
    expect(samePerson({ id: 'u1', login: 'a' }, { id: 'u1', login: 'b' })).toBe(true);
    expect(samePerson({ login: 'Ann' }, { login: 'ann' })).toBe(true);
    expect(samePerson({ id: 'u1' }, null)).toBe(false);
  });
});
