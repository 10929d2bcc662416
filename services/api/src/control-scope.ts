import type { controlMappings } from '@crosswalk/assurance';
import { resolveFramework } from '@crosswalk/controls';
import { CrosswalkError, parseInstant } from '@crosswalk/core';

type KeyScope = { from: string | null; to: string | null; frameworks?: string[] | null };
type Mappings = ReturnType<typeof controlMappings>;
type Window = { from: string | null; to: string | null };

/** Why a window reaches outside a key's period (a window without a bound does, when the period has it), or null. */
function outsidePeriod(scope: KeyScope, window: Window): { which: 'from' | 'to'; reason: string } | null {
  if (scope.from !== null && (window.from === null || window.from < parseInstant(scope.from, 'scope.from'))) {
    return { which: 'from', reason: `the key's period starts at ${scope.from}` };
  }
  if (scope.to !== null && (window.to === null || window.to > parseInstant(scope.to, 'scope.to'))) {
    return { which: 'to', reason: `the key's period ends at ${scope.to}` };
  }
  return null;
}

function allowedFrameworks(frameworks: readonly string[]): Set<string> {
  return new Set(
    frameworks.flatMap((name) => {
      try {
        return [resolveFramework(name)];
      } catch {
        return [];
      }
    }),
  );
}

/** Whether a control is within a key's frameworks (every control is, for a key without a frameworks scope). */
export function mapsToScope(scope: KeyScope | null, mappings: Mappings): boolean {
  if (!scope?.frameworks) return true;
  const allowed = allowedFrameworks(scope.frameworks);
  return (
    (allowed.has('soc2-2017') && mappings['soc2-2017'].effective.length > 0) ||
    ((allowed.has('iso27001-2022') || allowed.has('iso27001-2013')) &&
      mappings['iso27001-2022'].effective.length > 0)
  );
}

/**
 * Why a register control over a window is outside a key's scope, or null when it is inside: the window must lie in
 * the key's period and the control must map to one of the key's frameworks. `which` says which part failed.
 */
export function outsideScope(
  scope: KeyScope | null,
  window: Window,
  mappings: Mappings,
): { which: 'from' | 'to' | 'control'; reason: string } | null {
  if (!scope) return null;
  const period = outsidePeriod(scope, window);
  if (period) return period;
  if (!mapsToScope(scope, mappings)) {
    const allowed = allowedFrameworks(scope.frameworks ?? []);
    return {
      which: 'control',
      reason: `the control maps to none of the key's frameworks (${[...allowed].join(', ')})`,
    };
  }
  return null;
}

function refuse(where: string, reason: string): CrosswalkError {
  return new CrosswalkError('CW_FORBIDDEN', `outside this key's scope: ${reason}`, {
    where,
    issues: [{ path: where, message: reason }],
  });
}

/** A window reaching outside a scoped key's period is refused, naming the field that reaches out. */
export function assertWindowWithin(
  scope: KeyScope | null,
  window: Window,
  fields: { from: string; to: string } = { from: 'query.from', to: 'query.to' },
): void {
  const outside = scope ? outsidePeriod(scope, window) : null;
  if (outside) throw refuse(fields[outside.which], outside.reason);
}

/**
 * A scoped auditor key tests (and flags) only inside its period, and only controls that map to one of its
 * frameworks: a request reaching outside is refused whole (403 naming the field), never trimmed, as for exports.
 */
export function assertControlWithin(
  scope: KeyScope | null,
  window: Window,
  mappings: Mappings,
  fields: { from: string; to: string; control: string } = {
    from: 'query.from',
    to: 'query.to',
    control: 'params.id',
  },
): void {
  const outside = outsideScope(scope, window, mappings);
  if (outside) throw refuse(fields[outside.which], outside.reason);
}
