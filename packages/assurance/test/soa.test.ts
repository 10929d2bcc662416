import { listControls } from '@crosswalk/controls';
import { describe, expect, it } from 'vitest';
import {
  controlMappings,
  parseRegister,
  soaCsv,
  starterRegister,
  statementOfApplicability,
} from '../src/index.js';

describe('the Statement of Applicability draft', () => {
  it('lists every Annex A control; the starter register decides only what its controls cover', () => {
    const rows = statementOfApplicability(starterRegister());
    expect(rows.map((r) => r.control)).toEqual(
      listControls('iso27001-2022')
        .filter((c) => c.part === 'annexA')
        .map((c) => c.id),
    );
    const included = rows.filter((r) => r.status === 'included');
    expect(included.length).toBeGreaterThan(0);
    expect(rows.find((r) => r.control === 'A.8.32')).toMatchObject({
      status: 'included',
      implementation: 'tested by Crosswalk',
      registerControls: expect.arrayContaining([expect.stringMatching(/^CHG-01 /)]),
    });
    // No justification is invented: without the team's word, an uncovered control is an open decision.
    expect(rows.filter((r) => r.status === 'excluded')).toEqual([]);
    expect(rows.every((r) => r.status !== 'open decision' || r.justification === '')).toBe(true);
    expect(rows.find((r) => r.control === 'A.7.4')!.status).toBe('open decision');
  });

  it("uses the register's exclusions and outside implementations, and flags a contradiction", () => {
    const register = starterRegister();
    register.soa = {
      excluded: [
        { control: 'A.7.4', justification: 'No premises: the company is fully remote.' },
        { control: 'A.8.32', justification: 'Contradiction on purpose in this test.' },
      ],
      implementedElsewhere: [
        { control: 'A.5.1', implementedBy: 'Information security policy v3, approved by the board' },
      ],
    };
    const rows = statementOfApplicability(parseRegister(register));
    expect(rows.find((r) => r.control === 'A.7.4')).toMatchObject({
      status: 'excluded',
      justification: 'No premises: the company is fully remote.',
    });
    expect(rows.find((r) => r.control === 'A.5.1')).toMatchObject({
      status: 'included',
      implementation: 'outside Crosswalk: Information security policy v3, approved by the board',
    });
    expect(rows.find((r) => r.control === 'A.8.32')!.status).toBe('open decision');
    const csv = soaCsv(rows);
    expect(csv.split('\r\n')[0]).toBe(
      'control,title,theme,status,justification,implementation,registerControls,evidenceKinds',
    );
    expect(csv.split('\r\n')).toHaveLength(93 + 2);
  });

  it('shows mapping changes as differences from the defaults', () => {
    const register = starterRegister();
    register.controls[0]!.mappings = {
      add: { 'soc2-2017': ['CC5.2'] },
      remove: { 'iso27001-2022': ['A.5.3'] },
    };
    const mappings = controlMappings(parseRegister(register).controls[0]!);
    expect(mappings['soc2-2017']).toMatchObject({
      defaults: ['CC8.1'],
      added: ['CC5.2'],
      effective: ['CC5.2', 'CC8.1'],
    });
    expect(mappings['iso27001-2022'].removed).toEqual(['A.5.3']);
    expect(mappings['iso27001-2022'].effective).not.toContain('A.5.3');
  });
});
