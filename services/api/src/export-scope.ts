import { CrosswalkError } from '@crosswalk/core';
import { outsideLimits, type ResolvedRequest } from '@crosswalk/export';
import type { ApiKeyView } from '@crosswalk/runtime';

/**
 * Exports and coverage reach over a whole period and framework at once, so a scoped key is checked against the
 * request as a whole: anything outside its period or frameworks is a 403 naming why, never a trimmed answer.
 */
export function assertExportWithin(key: ApiKeyView | null, request: ResolvedRequest, where: string): void {
  const limits = key?.scope;
  if (!limits) return;
  let reason: string | undefined;
  try {
    reason = outsideLimits(request, limits);
  } catch {
    // A scope this version cannot read (a framework it no longer knows) admits nothing rather than everything.
    reason = "this key's scope cannot be read";
  }
  if (reason) throw new CrosswalkError('CW_FORBIDDEN', `outside this key's scope: ${reason}`, { where });
}

/** Query values that may be repeated (`?framework=soc2&framework=iso`) or comma-separated (`soc2,iso`). */
export function listParam(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
