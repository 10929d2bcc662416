import { CrosswalkError, parseInstant } from '@crosswalk/core';

export { parseInstant };

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
