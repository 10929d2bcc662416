import { outsideLimits, type ResolvedRequest, resolveRequest, type ScopeLimits } from '@crosswalk/assurance';
import { CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type { ApiKeyView } from '@crosswalk/runtime';

/** The request fields an export or coverage selection came from, for errors that name them. */
export interface SelectionFields {
  frameworks: string;
  controls: string;
  from: string;
  to: string;
}

export const BODY_FIELDS: SelectionFields = {
  frameworks: 'body.frameworks',
  controls: 'body.controls',
  from: 'body.from',
  to: 'body.to',
};

export const QUERY_FIELDS: SelectionFields = {
  frameworks: 'query.framework',
  controls: 'query.control',
  from: 'query.from',
  to: 'query.to',
};

/** One field for all of them (an export read back by id: its request is `params.id`). */
export function allAt(field: string): SelectionFields {
  return { frameworks: field, controls: field, from: field, to: field };
}

/**
 * resolveRequest, with its refusals pointed at the request field they concern: the export package names the
 * window bound (`from`) or the value itself (`CC99.9`), which a client cannot map back to its request.
 */
export function resolveSelection(
  selection: Parameters<typeof resolveRequest>[0],
  fields: SelectionFields,
): ResolvedRequest {
  try {
    return resolveRequest(selection);
  } catch (error) {
    if (!isCrosswalkError(error) || error.status >= 500) throw error;
    const field =
      error.code === 'CW_FRAMEWORK_UNKNOWN' || error.where === 'frameworks'
        ? fields.frameworks
        : error.where === 'from' || error.where === 'to'
          ? fields[error.where]
          : fields.controls; // the remaining refusals name a control value
    throw new CrosswalkError(error.code, error.message, {
      where: field,
      issues: [{ path: field, message: error.message }],
      cause: error,
    });
  }
}

/**
 * Exports and coverage reach over a whole period and framework at once, so a scoped key is checked against the
 * request as a whole: anything outside its period or frameworks is a 403 naming why and which field reaches
 * out, never a trimmed answer.
 */
export function assertExportWithin(
  key: ApiKeyView | null,
  request: ResolvedRequest,
  fields: SelectionFields,
): void {
  const limits = key?.scope;
  if (!limits) return;
  const checks: [string, ScopeLimits][] = [
    [fields.from, { from: limits.from }],
    [fields.to, { to: limits.to }],
    [fields.frameworks, { frameworks: limits.frameworks }],
  ];
  for (const [field, part] of checks) {
    let reason: string | undefined;
    try {
      reason = outsideLimits(request, part);
    } catch {
      // A scope this version cannot read (a framework it no longer knows) admits nothing rather than everything.
      reason = "this key's scope cannot be read";
    }
    if (reason) {
      throw new CrosswalkError('CW_FORBIDDEN', `outside this key's scope: ${reason}`, {
        where: field,
        issues: [{ path: field, message: reason }],
      });
    }
  }
}

/** Query values that may be repeated (`?framework=soc2&framework=iso`) or comma-separated (`soc2,iso`). */
export function listParam(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}
