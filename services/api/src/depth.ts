import { CrosswalkError } from '@crosswalk/core';

/**
 * How deeply a JSON body may nest. Connector configs and webhook envelopes go a few levels deep; a body nested
 * thousands deep only exists to overflow a recursive walk (a merge patch, a validator, JSON.stringify of a job).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * CW_INPUT_INVALID naming `where` when `value` nests deeper than `max`. Walks with a stack of its own, so the
 * check itself cannot overflow, and stops at the first branch too deep: run it before any recursive work.
 */
export function assertJsonDepth(value: unknown, where: string, max = MAX_JSON_DEPTH): void {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) {
      throw new CrosswalkError('CW_INPUT_INVALID', `${where} is nested deeper than ${max} levels`, {
        where,
        issues: [{ path: where, message: `is nested deeper than ${max} levels` }],
      });
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
}
