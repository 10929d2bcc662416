import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import {
  frameworks,
  getControl,
  type IsoAnnexAControl,
  type IsoClause,
  isFrameworkId,
  listControls,
  resolveFramework,
  translate2013,
} from '../src/index.js';
import { thrown } from './thrown.js';

const annexA = listControls('iso27001-2022').filter((c): c is IsoAnnexAControl => c.part === 'annexA');
const clauses = listControls('iso27001-2022').filter((c): c is IsoClause => c.part === 'clause');

describe('the frameworks', () => {
  it('are SOC 2 2017 and ISO 27001 2022 as primary, with ISO 27001 2013 input-only', () => {
    expect(frameworks.map((f) => [f.id, f.primary])).toEqual([
      ['soc2-2017', true],
      ['iso27001-2022', true],
      ['iso27001-2013', false],
    ]);
  });

  it('resolve ids and friendly aliases case-insensitively', () => {
    expect(resolveFramework('soc2-2017')).toBe('soc2-2017');
    expect(resolveFramework('SOC2')).toBe('soc2-2017');
    expect(resolveFramework('iso27001')).toBe('iso27001-2022');
    expect(resolveFramework(' ISO ')).toBe('iso27001-2022');
    expect(resolveFramework('ISO27001-2013')).toBe('iso27001-2013');
    expect(isFrameworkId('soc2')).toBe(false);
    expect(isFrameworkId('iso27001-2022')).toBe(true);
  });

  it('reject an unknown framework with CW_FRAMEWORK_UNKNOWN naming it and the valid ids', () => {
    const error = thrown(() => resolveFramework('pci-dss'));
    expect(isCrosswalkError(error, 'CW_FRAMEWORK_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('"pci-dss"');
    expect((error as Error).message).toContain('soc2-2017, iso27001-2022, iso27001-2013');
    expect(
      isCrosswalkError(
        thrown(() => listControls('nist')),
        'CW_FRAMEWORK_UNKNOWN',
      ),
    ).toBe(true);
  });
});

describe('the ISO 27001:2022 catalog', () => {
  it('has 93 Annex A controls: 37 organizational, 8 people, 14 physical, 34 technological', () => {
    expect(annexA).toHaveLength(93);
    const count = (theme: string) => annexA.filter((c) => c.theme === theme).length;
    expect(count('organizational')).toBe(37);
    expect(count('people')).toBe(8);
    expect(count('physical')).toBe(14);
    expect(count('technological')).toBe(34);
    expect(annexA.every((c) => c.group === c.theme)).toBe(true);
  });

  it('numbers each theme from 1 without gaps (A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34)', () => {
    const sizes: [number, number][] = [
      [5, 37],
      [6, 8],
      [7, 14],
      [8, 34],
    ];
    const ids = sizes.flatMap(([theme, size]) =>
      Array.from({ length: size }, (_, i) => `A.${theme}.${i + 1}`),
    );
    expect(annexA.map((c) => c.id)).toEqual(ids);
  });

  it('marks the 11 controls new in 2022, which alone have no 2013 predecessor', () => {
    const fresh = annexA.filter((c) => c.newIn2022).map((c) => c.id);
    expect(fresh).toEqual([
      'A.5.7',
      'A.5.23',
      'A.5.30',
      'A.7.4',
      'A.8.9',
      'A.8.10',
      'A.8.11',
      'A.8.12',
      'A.8.16',
      'A.8.23',
      'A.8.28',
    ]);
    for (const c of annexA) expect(c.predecessors2013.length === 0).toBe(c.newIn2022);
  });

  it('has 41 clause rows covering clauses 4 to 10, grouped by their top-level clause', () => {
    expect(clauses).toHaveLength(41);
    expect(clauses.filter((c) => c.level === 1).map((c) => c.id)).toEqual([
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    expect(getControl('iso27001-2022', '9.3.2')).toMatchObject({
      part: 'clause',
      parent: '9.3',
      group: '9 Performance evaluation',
      soc2Equivalence: 'none',
    });
    for (const c of clauses.filter((c) => c.parent !== null)) {
      expect(getControl('iso27001-2022', c.parent!).part).toBe('clause');
    }
  });

  it('marks clause headings, which carry no SOC 2 equivalence of their own', () => {
    const headings = clauses.filter((c) => c.isHeading).map((c) => c.id);
    expect(headings).toEqual(['4', '5', '6', '6.1', '7', '7.5', '8', '9', '9.2', '9.3', '10']);
    for (const c of clauses) if (c.isHeading) expect(c.soc2Equivalence).toBeNull();
  });

  it('finds controls by case and spacing variants of their id', () => {
    expect(getControl('iso27001-2022', 'a.8.32').id).toBe('A.8.32');
    expect(getControl('iso', ' A 8.32 ').id).toBe('A.8.32');
    expect(getControl('iso', 'A8.32').id).toBe('A.8.32');
    expect(getControl('iso', '9.3')).toMatchObject({ id: '9.3', part: 'clause', title: 'Management review' });
  });

  it('does not read a bare Annex A number as a control, and says what was probably meant', () => {
    const error = thrown(() => getControl('iso27001-2022', '8.32'));
    expect(isCrosswalkError(error, 'CW_CONTROL_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('A.8.32');
  });

  it('rejects a 2013 id with CW_CONTROL_UNKNOWN and points to its translation', () => {
    const error = thrown(() => getControl('iso27001-2022', 'A.9.2.6'));
    expect(isCrosswalkError(error, 'CW_CONTROL_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('iso27001-2022');
    expect((error as Error).message).toContain('A.9.2.6');
    expect((error as Error).message).toContain('A.5.18');
  });
});

describe('the SOC 2 catalog', () => {
  const criteria = listControls('soc2-2017');

  it('has 61 criteria: 33 common, 3 availability, 2 confidentiality, 5 processing integrity, 18 privacy', () => {
    expect(criteria).toHaveLength(61);
    const count = (category: string) => criteria.filter((c) => c.category === category).length;
    expect(count('Security (Common Criteria)')).toBe(33);
    expect(count('Availability')).toBe(3);
    expect(count('Confidentiality')).toBe(2);
    expect(count('Processing Integrity')).toBe(5);
    expect(count('Privacy')).toBe(18);
  });

  it('runs from CC1.1 to P8.1 and groups criteria by series', () => {
    expect(criteria[0]?.id).toBe('CC1.1');
    expect(criteria.at(-1)?.id).toBe('P8.1');
    expect(getControl('soc2-2017', 'CC8.1').group).toBe('CC8 Change Management');
  });

  it('finds criteria by case and spacing variants of their id', () => {
    expect(getControl('soc2-2017', 'cc8.1').id).toBe('CC8.1');
    expect(getControl('soc2', ' cc 6.1').id).toBe('CC6.1');
    expect(getControl('soc2', 'a1.2').id).toBe('A1.2');
  });

  it('rejects an unknown criterion with CW_CONTROL_UNKNOWN naming the framework and the id', () => {
    const error = thrown(() => getControl('soc2', 'CC10.1'));
    expect(isCrosswalkError(error, 'CW_CONTROL_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('"CC10.1"');
    expect((error as Error).message).toContain('soc2-2017');
  });
});

describe('the ISO 27001:2013 catalog', () => {
  const old = listControls('iso27001-2013');

  it('has 114 controls', () => {
    expect(old).toHaveLength(114);
    expect(new Set(old.map((c) => c.id)).size).toBe(114);
  });

  it('translates every 2013 id to at least one existing 2022 Annex A control', () => {
    for (const c of old) {
      const successors = translate2013(c.id);
      expect(successors.length, c.id).toBeGreaterThan(0);
      for (const id of successors)
        expect(getControl('iso27001-2022', id).part, `${c.id} -> ${id}`).toBe('annexA');
    }
  });

  it('is the mirror image of the 2022 predecessors', () => {
    const forward = old.flatMap((c) => c.successors2022.map((s) => `${c.id}>${s}`)).sort();
    const backward = annexA.flatMap((c) => c.predecessors2013.map((p) => `${p}>${c.id}`)).sort();
    expect(forward).toEqual(backward);
  });

  it('translates the well-known access control ids, including the one split in two', () => {
    expect(translate2013('A.9.2.5')).toEqual(['A.5.18']);
    expect(translate2013('a.9.4.2')).toEqual(['A.8.5']);
    expect(translate2013('A.18.2.3')).toEqual(['A.5.36', 'A.8.8']);
  });

  it('rejects an unknown 2013 id with CW_CONTROL_UNKNOWN naming it', () => {
    const error = thrown(() => translate2013('A.9.9.9'));
    expect(isCrosswalkError(error, 'CW_CONTROL_UNKNOWN')).toBe(true);
    expect((error as Error).message).toContain('"A.9.9.9"');
    expect((error as Error).message).toContain('iso27001-2013');
  });
});
