import { CrosswalkError } from '@crosswalk/core';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import type { credentialRowSchema } from './payloads.js';

export type CredentialRow = z.output<typeof credentialRowSchema>;

/**
 * The credential report's columns, in IAM's order
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format).
 * A report with other columns, or these in another order, is refused: a column IAM adds or renames must be read on
 * purpose, not guessed at.
 */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

type Column = (typeof CREDENTIAL_REPORT_COLUMNS)[number];
const ROOT = '<root_account>';
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** One report, read strictly: every value must be one IAM documents for its column, or the report is refused. */
export function parseCredentialReport(
  csv: string,
  accountId: string,
): { root: CredentialRow; users: CredentialRow[] } {
  const where = `the credential report of account ${accountId}`;
  const refuse = (text: string) =>
    new CrosswalkError('CW_SOURCE_DATA', `AWS IAM returned ${where} with ${text}`, { where });
  let records: string[][];
  try {
    records = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw refuse(`CSV that cannot be read (${(error as Error).message.slice(0, 120)})`);
  }
  const [header, ...rows] = records;
  const expected = CREDENTIAL_REPORT_COLUMNS.join(',');
  if (header?.join(',') !== expected) {
    const index = CREDENTIAL_REPORT_COLUMNS.findIndex((column, i) => header?.[i] !== column);
    throw refuse(
      `an unexpected header: column ${index + 1} is ${JSON.stringify(header?.[index] ?? null)}, expected ` +
        `${JSON.stringify(CREDENTIAL_REPORT_COLUMNS[index] ?? null)} (${header?.length ?? 0} columns, expected ${CREDENTIAL_REPORT_COLUMNS.length})`,
    );
  }
  const parsed = rows.map((values, index) => readRow(values, index + 2, refuse));
  const roots = parsed.filter((row) => row.user === ROOT);
  if (roots.length !== 1) throw refuse(`${roots.length} root account rows (expected one)`);
  return { root: roots[0]!, users: parsed.filter((row) => row.user !== ROOT) };
}

function readRow(values: string[], line: number, refuse: (text: string) => CrosswalkError): CredentialRow {
  const cell = (column: Column) => values[CREDENTIAL_REPORT_COLUMNS.indexOf(column)]!;
  const bad = (column: Column, expected: string) =>
    refuse(`line ${line}, column ${column}: ${JSON.stringify(cell(column).slice(0, 40))} is not ${expected}`);
  const bool = (column: Column): boolean => {
    const value = cell(column);
    if (value !== 'true' && value !== 'false') throw bad(column, 'true or false');
    return value === 'true';
  };
  /** A time, or null for one of the words IAM writes when there is none. */
  const time = (column: Column, none: readonly string[]): string | null => {
    const value = cell(column);
    if (none.includes(value)) return null;
    if (!ISO_WITH_OFFSET.test(value) || Number.isNaN(Date.parse(value)))
      throw bad(column, `a time${none.length > 0 ? ` or ${none.join(', ')}` : ''}`);
    return new Date(value).toISOString();
  };
  const text = (column: Column): string | null => {
    const value = cell(column);
    return value === 'N/A' || value === '' ? null : value;
  };
  const user = cell('user');
  const arn = cell('arn');
  if (user === '') throw bad('user', 'a user name');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+)$/.test(arn)) throw bad('arn', 'an IAM user or root ARN');
  const root = user === ROOT;
  const passwordEnabled = cell('password_enabled');
  if (root ? passwordEnabled !== 'not_supported' : passwordEnabled !== 'true' && passwordEnabled !== 'false')
    throw bad('password_enabled', root ? 'not_supported' : 'true or false');
  const accessKeys = ([1, 2] as const).flatMap((slot) => {
    const prefix = `access_key_${slot}` as const;
    const active = bool(`${prefix}_active`);
    const lastRotated = time(`${prefix}_last_rotated`, ['N/A']);
    if (lastRotated === null) {
      if (active) throw bad(`${prefix}_last_rotated`, 'a time for an active key');
      return [];
    }
    return [
      {
        slot,
        active,
        lastRotated,
        lastUsed: time(`${prefix}_last_used_date`, ['N/A']),
        lastUsedRegion: text(`${prefix}_last_used_region`),
        lastUsedService: text(`${prefix}_last_used_service`),
      },
    ];
  });
  const certificates = ([1, 2] as const).flatMap((slot) => {
    const active = bool(`cert_${slot}_active`);
    const lastRotated = time(`cert_${slot}_last_rotated`, ['N/A']);
    return lastRotated === null ? [] : [{ slot, active, lastRotated }];
  });
  const createdAt = time('user_creation_time', []);
  return {
    person: { login: user, id: arn },
    user,
    arn,
    createdAt: createdAt!,
    passwordEnabled: root ? null : passwordEnabled === 'true',
    passwordLastUsed: time('password_last_used', ['N/A', 'no_information']),
    passwordLastChanged: time('password_last_changed', ['N/A', 'not_supported']),
    passwordNextRotation: time('password_next_rotation', ['N/A', 'not_supported']),
    mfaActive: bool('mfa_active'),
    accessKeys,
    certificates,
  };
}
