import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { formatControlRef, parseControlRef } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isCrosswalkError(error) ? error.code : 'not a CrosswalkError';
  }
  return undefined;
}

describe('control references', () => {
  it('parse <framework>:<id> into a canonical framework and id', () => {
    expect(parseControlRef('soc2-2017:CC8.1')).toEqual({ framework: 'soc2-2017', id: 'CC8.1' });
    expect(parseControlRef('soc2:cc8.1')).toEqual({ framework: 'soc2-2017', id: 'CC8.1' });
    expect(parseControlRef(' iso:a.8.32 ')).toEqual({ framework: 'iso27001-2022', id: 'A.8.32' });
    expect(parseControlRef('iso27001:2022:A.8.32')).toEqual({ framework: 'iso27001-2022', id: 'A.8.32' });
    expect(parseControlRef('iso27001-2013:A.9.2.6')).toEqual({ framework: 'iso27001-2013', id: 'A.9.2.6' });
  });

  it('format back to the canonical text', () => {
    expect(formatControlRef(parseControlRef('soc2:cc8.1'))).toBe('soc2-2017:CC8.1');
  });

  it('reject malformed text with CW_INPUT_INVALID', () => {
    for (const bad of ['CC8.1', ':CC8.1', 'soc2:', '', '   '])
      expect(
        codeOf(() => parseControlRef(bad)),
        bad,
      ).toBe('CW_INPUT_INVALID');
  });

  it('reject an unknown framework or control with their own codes', () => {
    expect(codeOf(() => parseControlRef('pci:1.1'))).toBe('CW_FRAMEWORK_UNKNOWN');
    expect(codeOf(() => parseControlRef('soc2:CC99.1'))).toBe('CW_CONTROL_UNKNOWN');
  });
});
