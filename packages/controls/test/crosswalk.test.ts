import { describe, expect, it } from 'vitest';
import { counterparts, crosswalkPairs, crosswalkSource, findPair, getControl } from '../src/index.js';

const pairs = crosswalkPairs();

describe('the SOC 2 <-> ISO 27001:2022 crosswalk', () => {
  it('has 654 pairs: 90 high, 471 medium and 93 low confidence', () => {
    expect(pairs).toHaveLength(654);
    const count = (confidence: string) => pairs.filter((p) => p.confidence === confidence).length;
    expect([count('high'), count('medium'), count('low')]).toEqual([90, 471, 93]);
  });

  it('references existing controls on both sides, and knows which part of ISO each pair lands in', () => {
    for (const pair of pairs) {
      expect(getControl('soc2-2017', pair.soc2).id).toBe(pair.soc2);
      const iso = getControl('iso27001-2022', pair.iso);
      expect(iso.id).toBe(pair.iso);
      expect(iso.part).toBe(pair.isoPart);
    }
    expect(pairs.filter((p) => p.isoPart === 'annexA')).toHaveLength(420);
    expect(pairs.filter((p) => p.isoPart === 'clause')).toHaveLength(234);
  });

  it('holds each pair once', () => {
    expect(new Set(pairs.map((p) => `${p.soc2} ${p.iso}`)).size).toBe(pairs.length);
  });

  it('derives confidence from how many of the three sources agree', () => {
    for (const pair of pairs) {
      expect(pair.supportCount).toBe(pair.sources.length);
      expect(pair.confidence).toBe({ 3: 'high', 2: 'medium', 1: 'low' }[pair.supportCount]);
    }
  });

  it('keeps single-source pairs only for processing-integrity and privacy criteria', () => {
    const low = pairs.filter((p) => p.confidence === 'low');
    expect(
      low.every((p) => getControl('soc2-2017', p.soc2).category.match(/Privacy|Processing Integrity/)),
    ).toBe(true);
  });

  it('names its mapping source and version, so it can be replaced by another mapping later', () => {
    expect(crosswalkSource.id).toBe('consensus3');
    expect(crosswalkSource.sources.map((s) => `${s.name} ${s.version}`)).toEqual([
      'Adobe Common Controls Framework 5',
      'Secure Controls Framework 2025.2.2',
      'Cisco Cloud Controls Framework 3.0',
    ]);
    const known = new Set<string>(crosswalkSource.sources.map((s) => s.id));
    expect(pairs.every((p) => p.sources.every((s) => known.has(s)))).toBe(true);
  });

  describe('on the known practitioner pitfalls', () => {
    it('gives CC6.2 <-> A.8.5 no support: secure authentication belongs with CC6.1', () => {
      expect(findPair('CC6.2', 'A.8.5')).toBeUndefined();
      expect(counterparts('soc2-2017', 'CC6.2').map((c) => c.id)).not.toContain('A.8.5');
      expect(findPair('CC6.1', 'A.8.5')?.confidence).toBe('high');
    });

    it('pairs access control with A.5.17 (CC6.1) and A.5.18 (CC6.2, CC6.3)', () => {
      expect(findPair('CC6.1', 'A.5.17')?.supportCount).toBe(3);
      expect(findPair('CC6.2', 'A.5.18')?.supportCount).toBe(3);
      expect(findPair('CC6.3', 'A.5.18')?.supportCount).toBe(3);
    });

    it('maps encryption to A.8.24 from CC6.1 as well as CC6.7', () => {
      expect(findPair('CC6.1', 'A.8.24')).toBeDefined();
      expect(findPair('CC6.7', 'A.8.24')).toBeDefined();
    });

    it('supports incident response as CC7.4 <-> A.5.24-A.5.27 at high confidence', () => {
      for (const iso of ['A.5.24', 'A.5.25', 'A.5.26', 'A.5.27']) {
        expect(findPair('CC7.4', iso)?.confidence, iso).toBe('high');
      }
    });
  });
});

describe('counterparts', () => {
  it('of a SOC 2 criterion are its ISO 2022 pairs in ISO catalog order, with title, confidence and sources', () => {
    const found = counterparts('soc2', 'cc8.1');
    expect(found.every((c) => c.framework === 'iso27001-2022')).toBe(true);
    expect(found.find((c) => c.id === 'A.8.32')).toEqual({
      framework: 'iso27001-2022',
      id: 'A.8.32',
      title: 'Change management',
      confidence: 'high',
      supportCount: 3,
      sources: ['adobe-ccf-v5', 'scf-2025.2.2', 'cisco-ccf-v3.0'],
    });
    const ids = found.map((c) => c.id);
    expect(ids.indexOf('6.3') === -1 && ids.indexOf('A.5.8') < ids.indexOf('A.8.32')).toBe(true);
  });

  it('of an ISO 2022 control are its SOC 2 pairs', () => {
    const found = counterparts('iso27001-2022', 'A.5.18');
    expect(found.every((c) => c.framework === 'soc2-2017')).toBe(true);
    expect(found.map((c) => c.id)).toEqual(expect.arrayContaining(['CC6.1', 'CC6.2', 'CC6.3']));
  });

  it('of an ISMS clause are its SOC 2 pairs too', () => {
    expect(counterparts('iso', '6.1.2').map((c) => c.id)).toContain('CC3.2');
  });

  it('of a control nothing maps to are empty', () => {
    expect(counterparts('iso', 'A.8.4')).toEqual([]);
    expect(counterparts('soc2', 'P5.1')).toEqual([]);
  });

  it('of a 2013 control are its exact 2022 translations, then their SOC 2 pairs via the 2022 id', () => {
    const found = counterparts('iso27001-2013', 'A.9.4.2');
    expect(found[0]).toEqual({
      framework: 'iso27001-2022',
      id: 'A.8.5',
      title: 'Secure authentication',
      confidence: 'exact',
      supportCount: 1,
      sources: ['ISO/IEC 27002:2022 Annex B'],
    });
    expect(found.slice(1).every((c) => c.framework === 'soc2-2017' && c.via === 'A.8.5')).toBe(true);
    expect(found.slice(1).map((c) => c.id)).toEqual(counterparts('iso', 'A.8.5').map((c) => c.id));
  });

  it('of a 2013 control split in two follow both successors', () => {
    const found = counterparts('iso27001-2013', 'A.18.2.3');
    expect(found.filter((c) => c.confidence === 'exact').map((c) => c.id)).toEqual(['A.5.36', 'A.8.8']);
    expect(new Set(found.map((c) => c.via).filter(Boolean))).toEqual(new Set(['A.5.36', 'A.8.8']));
  });
});
