import { describe, expect, it } from 'vitest';
import {
  type Control,
  controlsFor,
  counterparts,
  crosswalkPairs,
  crosswalkSource,
  evidenceCategories,
  frameworks,
  getControl,
  kindCategories,
  kindsFor,
  listControls,
  manualControls,
  parseControlRef,
  translate2013,
} from '../src/index.js';

describe('the catalog objects', () => {
  it('cannot be mutated through a listed control', () => {
    const control = getControl('iso27001-2022', 'A.8.32');
    expect(() => {
      (control as { title: string }).title = 'Anything goes';
    }).toThrow(TypeError);
    expect(() => {
      (control as unknown as { predecessors2013: string[] }).predecessors2013.push('A.1.1.1');
    }).toThrow(TypeError);
    expect(getControl('iso27001-2022', 'A.8.32').title).toBe('Change management');
  });

  it('cannot be mutated through a returned list', () => {
    const lists: readonly (readonly unknown[])[] = [
      listControls('soc2-2017'),
      listControls('iso27001-2022'),
      listControls('iso27001-2013'),
      manualControls('iso27001-2022'),
      crosswalkPairs(),
      counterparts('soc2', 'CC6.1'),
      counterparts('iso27001-2013', 'A.9.4.2'),
      kindsFor('soc2', 'CC6.1'),
      kindsFor('iso27001-2013', 'A.9.2.6'),
      translate2013('A.18.2.3'),
      frameworks,
      evidenceCategories,
    ];
    for (const list of lists) {
      expect(() => (list as unknown[]).push('x')).toThrow(TypeError);
      expect(Object.isFrozen(list[0])).toBe(true);
    }
    expect(listControls('soc2-2017')).toHaveLength(61);
  });

  it('cannot be mutated through a crosswalk pair, a counterpart or the source description', () => {
    expect(() => {
      (crosswalkPairs()[0] as { confidence: string }).confidence = 'high';
    }).toThrow(TypeError);
    expect(() => {
      (counterparts('soc2', 'CC8.1')[0]!.sources as string[]).push('made-up');
    }).toThrow(TypeError);
    expect(() => {
      (crosswalkSource as { id: string }).id = 'aicpa';
    }).toThrow(TypeError);
    expect(() => {
      (kindCategories()['okta.policy'] as unknown as string[]).push('secret_scanning');
    }).toThrow(TypeError);
    expect(() => {
      (parseControlRef('soc2:CC8.1') as { id: string }).id = 'CC1.1';
    }).toThrow(TypeError);
  });

  it('hand out a fresh copy from controlsFor, so editing one record leaves the mapping alone', () => {
    const first = controlsFor('okta.policy');
    first['soc2-2017'].push('CC9.9');
    first['iso27001-2022'].length = 0;
    expect(controlsFor('okta.policy')['soc2-2017']).not.toContain('CC9.9');
    expect(controlsFor('okta.policy')['iso27001-2022']).toContain('A.8.5');
  });

  it('keep their identity across calls, so a control found twice is the same object', () => {
    const fromList: Control | undefined = listControls('soc2').find((c) => c.id === 'CC8.1');
    expect(fromList).toBe(getControl('soc2-2017', 'CC8.1'));
  });
});
