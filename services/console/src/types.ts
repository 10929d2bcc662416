/** The shapes the console reads from the API (a subset of what the OpenAPI document at /docs describes). */

export type Role = 'auditor' | 'operator' | 'admin';

export interface KeyScope {
  from: string | null;
  to: string | null;
  frameworks?: string[] | null;
}

export interface Session {
  key: { id: string; name: string; role: Role; scope: KeyScope | null };
  csrfToken: string;
  expiresAt: string;
}

export interface Window {
  from: string;
  to: string;
}

export interface PopulationRow {
  id: string;
  kind: string;
  occurredAt: string;
  ref: string | null;
  url: string | null;
  people: string;
  actors: string;
  outcome: 'pass' | 'fail' | 'pending';
  failed: string[];
  sha256: string;
}

export interface Remediation {
  type?: string;
  text?: string;
  by?: string;
  at?: string;
  [field: string]: unknown;
}

export interface ControlException {
  item: string;
  occurredAt: string | null;
  ref: string | null;
  failed: string[];
  remediations: Remediation[];
  status: string;
}

export interface OperationPeriod {
  period: string;
  start: string;
  end: string;
  items: number;
  passed: number;
  failed: number;
  status: string;
}

export interface SampleItem {
  rank: number;
  id: string;
  key: string;
  occurredAt: string | null;
  ref: string | null;
  outcome: string;
}

export interface ControlTest {
  control: { id: string; title: string; description?: string; owner?: string; frequency: string };
  window: Window;
  summary: {
    items: number;
    passed: number;
    failed: number;
    pending: number;
    periodsExpected: number | null;
    periodsOperated: number | null;
    gaps: number | null;
    exceptions: number;
    exceptionsOpen: number;
    exceptionsRemediated: number;
  };
  population: {
    records: number;
    sha256: string;
    rows: PopulationRow[];
    /** With `limit`: which page of the (filtered) population `rows` is. */
    page?: { offset: number; limit: number; matched: number };
  };
  operation: OperationPeriod[];
  exceptions: ControlException[];
  sample: { seed: string; size: number; method: string; populationSha256: string; items: SampleItem[] };
}

export interface RegisterControl {
  id: string;
  title: string;
  description?: string;
  owner?: string;
  frequency: string;
  evidence: { kind: string }[];
  test: unknown;
}

export interface Flag {
  id: string;
  control: string;
  item: string;
  comment: string;
  status?: string;
  by?: string;
  at?: string;
  answers?: { type: string; text: string; by?: string; at?: string }[];
  [field: string]: unknown;
}
