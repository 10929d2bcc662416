import { CrosswalkError } from '@crosswalk/core';
import { debugStacks } from './env.js';

export type Format = 'table' | 'json';

/**
 * The `--format` value, checked: a typo (`--format jsn`) is an error naming the flag, never a silent table that
 * a script would then fail to parse.
 */
export function parseFormat(value: string): Format {
  if (value !== 'table' && value !== 'json') {
    throw new CrosswalkError('CW_INPUT_INVALID', `--format must be table or json, not "${value}"`, {
      where: '--format',
    });
  }
  return value;
}

/** The format asked for on a command line (`--format json` or `--format=json`), for reporting its errors. */
export function formatOf(argv: readonly string[]): Format {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--format=json' || (arg === '--format' && argv[i + 1] === 'json')) return 'json';
  }
  return 'table';
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Fixed-width columns, headers first; the last column is left unpadded so long titles don't wrap badly. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * A CrosswalkError becomes `code: message` and one line per bad field (or the error's JSON with --format json);
 * anything else is an internal error, reported without a stack unless CROSSWALK_DEBUG is set.
 */
export function reportError(error: unknown, format: Format, output: Output = stdio): number {
  const known =
    error instanceof CrosswalkError
      ? error
      : new CrosswalkError('CW_INTERNAL', `unexpected error: ${(error as Error)?.message ?? String(error)}`);
  if (format === 'json') {
    output.err(json({ error: known.toJSON() }));
  } else {
    const where = known.where && !known.message.includes(known.where) ? ` (${known.where})` : '';
    output.err(`error ${known.code}: ${known.message}${where}`);
    for (const issue of known.issues) output.err(`  - ${issue.path}: ${issue.message}`);
  }
  if (debugStacks() && error instanceof Error && error.stack) output.err(error.stack);
  return known.code === 'CW_INTERNAL' ? 70 : 1;
}
