import { listControls } from '@crosswalk/controls';
import { csvText } from './csv.js';
import { controlMappings } from './mappings.js';
import type { Register } from './register/schema.js';

/**
 * The Statement of Applicability draft (ISO/IEC 27001:2022 6.1.3 d) from the register: every Annex A control,
 * included (a register control maps to it, or the register names what implements it outside Crosswalk), excluded
 * (with the justification the register holds), or an open decision (nothing covers it and the register says
 * nothing, or the register both excludes and implements it). The product writes no justification of its own.
 */
export interface SoaRow {
  control: string;
  title: string;
  theme: string;
  status: 'included' | 'excluded' | 'open decision';
  justification: string;
  implementation: string;
  registerControls: string[];
  evidenceKinds: string[];
}

export function statementOfApplicability(register: Register): SoaRow[] {
  const byAnnex = new Map<string, { controls: string[]; kinds: Set<string> }>();
  for (const control of register.controls) {
    for (const id of controlMappings(control)['iso27001-2022'].effective) {
      const entry = byAnnex.get(id) ?? { controls: [], kinds: new Set<string>() };
      entry.controls.push(`${control.id} ${control.title}`);
      for (const e of control.evidence) entry.kinds.add(e.kind);
      byAnnex.set(id, entry);
    }
  }
  const excluded = new Map(
    (register.soa?.excluded ?? []).map((e) => [canonical(e.control), e.justification]),
  );
  const elsewhere = new Map(
    (register.soa?.implementedElsewhere ?? []).map((e) => [canonical(e.control), e.implementedBy]),
  );
  return listControls('iso27001-2022')
    .filter((c) => c.part === 'annexA')
    .map((c) => {
      const covered = byAnnex.get(c.id);
      const justification = excluded.get(c.id);
      const outside = elsewhere.get(c.id);
      const implementations = [
        ...(covered ? ['tested by Crosswalk'] : []),
        ...(outside ? [`outside Crosswalk: ${outside}`] : []),
      ];
      const included = covered !== undefined || outside !== undefined;
      const status: SoaRow['status'] =
        included && justification === undefined
          ? 'included'
          : !included && justification !== undefined
            ? 'excluded'
            : 'open decision';
      return {
        control: c.id,
        title: c.title,
        theme: c.group,
        status,
        justification:
          justification !== undefined
            ? included
              ? `register excludes it ("${justification}") but also implements it: decide`
              : justification
            : '',
        implementation: implementations.join('; '),
        registerControls: covered?.controls ?? [],
        evidenceKinds: [...(covered?.kinds ?? [])].sort(),
      };
    });
}

function canonical(id: string): string {
  const compact = id.replace(/\s+/g, '').toUpperCase();
  return compact.replace(/^A(?=\d)/, 'A.');
}

export function soaCsv(rows: readonly SoaRow[]): string {
  return csvText(
    [
      'control',
      'title',
      'theme',
      'status',
      'justification',
      'implementation',
      'registerControls',
      'evidenceKinds',
    ],
    rows.map((r) => [
      r.control,
      r.title,
      r.theme,
      r.status,
      r.justification,
      r.implementation,
      r.registerControls.join('; '),
      r.evidenceKinds.join('; '),
    ]),
  );
}
