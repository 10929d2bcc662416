import { describe, expect, it } from 'vitest';
import {
  CrosswalkError,
  canonicalJson,
  evidenceId,
  parseEvidenceId,
  parseRecord,
  recordHash,
  sealRecord,
  serializeRecord,
  timestampSchema,
  verifyRecordBytes,
} from '../src/index.js';
import { pullRequestDraft } from './fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as CrosswalkError).code;
  }
  return undefined;
}

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: null }, '\u20ac': 'x', '\r': 'y' })).toBe(
      '{"\\r":"y","a":{"c":null,"d":true},"b":1,"€":"x"}',
    );
  });

  it('formats numbers as ECMAScript does (RFC 8785 section 3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1, -0, 333333333.3333333, 4.5])).toBe(
      '[1e+21,1e-7,0.1,0,333333333.3333333,4.5]',
    );
  });

  it('rejects values JSON cannot carry', () => {
    expect(codeOf(() => canonicalJson({ n: Number.NaN }))).toBe('CW_INPUT_INVALID');
  });
});

describe('evidence ids', () => {
  it('are the same for the same kind, source and time, whoever collects them', () => {
    const a = evidenceId(
      'github.pull_request.approval',
      { system: 'github', instance: 'acme', ref: 'acme/api#1' },
      '2026-01-01T00:00:00.000Z',
    );
    const b = evidenceId(
      'github.pull_request.approval',
      { system: 'github', instance: 'acme', ref: 'acme/api#1' },
      '2026-01-01T00:00:00.000Z',
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^github\.pull_request\.approval~20260101T000000000Z~[0-9a-f]{32}$/);
    expect(parseEvidenceId(a)).toMatchObject({
      kind: 'github.pull_request.approval',
      occurredAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('differ when any part differs', () => {
    const base = { system: 'github', instance: 'acme', ref: 'acme/api#1' };
    const id = evidenceId('github.pull_request.approval', base, '2026-01-01T00:00:00.000Z');
    expect(evidenceId('github.pull_request.approval', base, '2026-01-01T00:00:00.001Z')).not.toBe(id);
    expect(
      evidenceId('github.pull_request.approval', { ...base, instance: 'other' }, '2026-01-01T00:00:00.000Z'),
    ).not.toBe(id);
    expect(evidenceId('github.member_removed', base, '2026-01-01T00:00:00.000Z')).not.toBe(id);
  });
});

describe('sealing a record', () => {
  it('derives the id, stamps storedAt and a hash that verifies', () => {
    const record = sealRecord(pullRequestDraft(), '2026-03-11T00:00:01.000Z');
    expect(record.storedAt).toBe('2026-03-11T00:00:01.000Z');
    expect(record.id).toBe(evidenceId(record.kind, record.source, record.occurredAt));
    expect(verifyRecordBytes(serializeRecord(record), 'test')).toEqual(record);
  });

  it('rejects a malformed payload and names the field', () => {
    const draft = pullRequestDraft();
    (draft.payload as { reviews: { state: string }[] }).reviews[0]!.state = 'LGTM';
    try {
      sealRecord(draft, '2026-03-11T00:00:01.000Z');
      expect.unreachable('sealRecord accepted a bad payload');
    } catch (error) {
      expect(error).toBeInstanceOf(CrosswalkError);
      expect((error as CrosswalkError).code).toBe('CW_RECORD_INVALID');
      expect((error as CrosswalkError).issues.map((i) => i.path)).toContain('payload.reviews.0.state');
    }
  });

  it('rejects timestamps that are not fixed-width UTC with milliseconds', () => {
    const error = (() => {
      try {
        sealRecord(pullRequestDraft({ occurredAt: '2026-03-10T14:22:05Z' }), '2026-03-11T00:00:01.000Z');
      } catch (e) {
        return e as CrosswalkError;
      }
    })();
    expect(error?.issues.map((i) => i.path)).toContain('occurredAt');
  });

  it('rejects an unknown kind by name', () => {
    expect(() => parseRecord({ kind: 'github.stars' }, 'file.json')).toThrow(
      /unknown evidence kind "github.stars"/,
    );
  });

  it('rejects unknown top-level fields, so nothing rides along unhashed by mistake', () => {
    const record = sealRecord(pullRequestDraft(), '2026-03-11T00:00:01.000Z');
    expect(codeOf(() => parseRecord({ ...record, extra: 1 }))).toBe('CW_RECORD_INVALID');
  });
});

describe('verifying stored bytes', () => {
  const record = sealRecord(pullRequestDraft(), '2026-03-11T00:00:01.000Z');
  const bytes = Buffer.from(serializeRecord(record));

  it('reports one flipped byte as corrupt, naming where', () => {
    const tampered = Buffer.from(bytes);
    const at = tampered.indexOf('Rotate');
    tampered[at] = 'X'.charCodeAt(0);
    expect(() => verifyRecordBytes(tampered, 'evidence/x.json')).toThrow(
      /does not match its sha256.*evidence\/x\.json/,
    );
  });

  it('proves a record stored as other JSON than the canonical text (indented, keys reordered) from its content', () => {
    const { sha256, ...rest } = record;
    const reordered = JSON.stringify(
      { sha256, ...Object.fromEntries(Object.entries(rest).reverse()) },
      null,
      2,
    );
    expect(verifyRecordBytes(reordered, 'k')).toEqual(record);
    const tampered = reordered.replace('Rotate', 'Xotate');
    expect(tampered).not.toBe(reordered);
    expect(() => verifyRecordBytes(tampered, 'k')).toThrow(/does not match its sha256/);
  });

  it('takes the hash from the stored text only when it is the sealed text: an edit with the member moved fails', () => {
    // The sha256 member placed first and a field changed: the cut text is not what was sealed.
    const { sha256, ...rest } = record;
    const text = `{"sha256":"${sha256}",${serializeRecord({ ...rest, collectedAt: '2026-03-10T00:00:00.000Z' } as never).slice(1)}`;
    expect(() => verifyRecordBytes(text, 'k')).toThrow(/does not match its sha256/);
  });

  it('reports truncated bytes as corrupt', () => {
    expect(codeOf(() => verifyRecordBytes(bytes.subarray(0, bytes.length - 5), 'k'))).toBe(
      'CW_LOCKER_CORRUPT',
    );
  });

  it('reports a rewrite whose hash was recomputed but whose id no longer derives from its content', () => {
    const { sha256: _old, ...forged } = { ...record, source: { ...record.source, ref: 'acme/api#43' } };
    const rehashed = { ...forged, sha256: recordHash(forged) };
    expect(() => verifyRecordBytes(JSON.stringify(rehashed), 'k')).toThrow(/id does not derive/);
  });
});

describe('timestamps', () => {
  it('accepts exactly the timestamps a Date round trip keeps, across month ends, leap years and out-of-range fields', () => {
    const values: string[] = [];
    for (const year of ['1900', '2000', '2024', '2025', '2100', '0000', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60']) {
            const mm = String(month).padStart(2, '0');
            values.push(`${year}-${mm}-${String(day).padStart(2, '0')}T${time}.000Z`);
          }
        }
      }
    }
    for (const value of values) {
      const time = new Date(value);
      const roundTrip = !Number.isNaN(time.getTime()) && time.toISOString() === value;
      expect(timestampSchema.safeParse(value).success, value).toBe(roundTrip);
    }
    expect(values.filter((v) => timestampSchema.safeParse(v).success).length).toBeGreaterThan(100);
  });

  it('rejects text and impossible dates with a field error, never a crash', () => {
    for (const occurredAt of ['yesterday', '2026-02-30T00:00:00.000Z', '']) {
      expect(codeOf(() => sealRecord(pullRequestDraft({ occurredAt }), '2026-03-11T00:00:01.000Z'))).toBe(
        'CW_RECORD_INVALID',
      );
    }
  });
});
