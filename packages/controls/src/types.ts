import type { FrameworkId } from './frameworks.js';

export type IsoTheme = 'organizational' | 'people' | 'physical' | 'technological';
export type IsoPart = 'annexA' | 'clause';
/** How far SOC 2 covers an ISMS clause: some clauses (scope, the Statement of Applicability) are ISO-only. */
export type Soc2Equivalence = 'direct' | 'partial' | 'none';
export type Soc2Category =
  | 'Security (Common Criteria)'
  | 'Availability'
  | 'Confidentiality'
  | 'Processing Integrity'
  | 'Privacy';

interface ControlBase {
  readonly framework: FrameworkId;
  /** Canonical id: `CC8.1`, `A.8.32`, `9.3`, `A.9.2.6`. */
  readonly id: string;
  /** A short summary of the control, not the standard's wording. */
  readonly title: string;
  /**
   * What reports group by: the theme of an Annex A control, the series of a SOC 2 criterion
   * (`CC6 Logical and Physical Access Controls`), the top-level clause of an ISMS clause
   * (`9 Performance evaluation`), the domain of a 2013 control (`A.9 Access control`).
   */
  readonly group: string;
  readonly part?: IsoPart | undefined;
}

export interface Soc2Criterion extends ControlBase {
  readonly framework: 'soc2-2017';
  readonly part?: undefined;
  readonly category: Soc2Category;
  readonly series: string;
  /** The COSO principle a common criterion restates (CC1-CC5 only). */
  readonly cosoPrinciple: string | null;
}

export interface IsoAnnexAControl extends ControlBase {
  readonly framework: 'iso27001-2022';
  readonly part: 'annexA';
  readonly theme: IsoTheme;
  readonly newIn2022: boolean;
  /** The 2013 controls this one replaces (ISO/IEC 27002:2022 Annex B); empty when new in 2022. */
  readonly predecessors2013: readonly string[];
}

export interface IsoClause extends ControlBase {
  readonly framework: 'iso27001-2022';
  readonly part: 'clause';
  readonly level: 1 | 2 | 3;
  readonly parent: string | null;
  /** True for a clause whose requirements sit in its sub-clauses (4, 6.1, 9.3, ...). */
  readonly isHeading: boolean;
  /** Null for headings, which are not assessed on their own. */
  readonly soc2Equivalence: Soc2Equivalence | null;
  readonly note: string | null;
}

export interface Iso2013Control extends ControlBase {
  readonly framework: 'iso27001-2013';
  readonly part?: undefined;
  readonly domain: string;
  /** The 2022 control(s) that replace it (ISO/IEC 27002:2022 Annex B). */
  readonly successors2022: readonly string[];
}

export type Iso2022Control = IsoAnnexAControl | IsoClause;
export type Control = Soc2Criterion | Iso2022Control | Iso2013Control;
export type ControlOf<F extends FrameworkId> = Extract<Control, { framework: F }>;
