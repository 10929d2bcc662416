import { CrosswalkError } from '@crosswalk/core';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` is UTC midnight; a full ISO timestamp with a zone is taken as given. */
export function parseInstant(value: string, flag: string): string {
  const candidate = DAY.test(value) ? `${value}T00:00:00.000Z` : value;
  const date = new Date(candidate);
  if (Number.isNaN(date.getTime()) || !(DAY.test(value) || /(Z|[+-]\d{2}:\d{2})$/.test(value))) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${flag} "${value}" must be YYYY-MM-DD or an ISO timestamp with a zone`,
      {
        where: flag,
      },
    );
  }
  if (DAY.test(value) && date.toISOString().slice(0, 10) !== value) {
    throw new CrosswalkError('CW_INPUT_INVALID', `${flag} "${value}" is not a calendar date`, {
      where: flag,
    });
  }
  return date.toISOString();
}

/** A half-open window [from, to): from inclusive, to exclusive. */
export function parseWindow(from: string, to: string): { from: string; to: string } {
  const window = { from: parseInstant(from, '--from'), to: parseInstant(to, '--to') };
  if (window.from >= window.to) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `--from (${window.from}) must be before --to (${window.to})`,
      { where: '--from' },
    );
  }
  return window;
}
