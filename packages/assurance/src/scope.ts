import {
  type Control,
  type FrameworkId,
  findControl,
  getControl,
  inCatalogOrder,
  kindsFor,
  listControls,
  parseControlRef,
  resolveFramework,
  translate2013,
} from '@crosswalk/controls';
import { CrosswalkError, type EvidenceKind, evidenceKindIds, parseInstant } from '@crosswalk/core';
import { z } from 'zod';

/** The frameworks evidence is indexed against; ISO 27001:2013 ids are input only (translated to 2022). */
export type ExportFramework = Exclude<FrameworkId, 'iso27001-2013'>;

/** An export or coverage window: occurredAt in [from, to), both fixed-width UTC timestamps. */
export interface Window {
  from: string;
  to: string;
}

export interface ScopeControl {
  framework: ExportFramework;
  id: string;
  title: string;
  /** Kinds whose evidence satisfies it under the current mapping; empty = a manual control. */
  kinds: readonly EvidenceKind[];
}

export interface Scope {
  frameworks: ExportFramework[];
  /** null when the whole of each framework was asked for. */
  requestedControls: string[] | null;
  /** In framework order, then catalog order. Manual controls included. */
  controls: ScopeControl[];
  /** Every kind any control in scope maps to, in @crosswalk/core's kind order. */
  kinds: EvidenceKind[];
}

/** The longest window one export or coverage report may span. */
export const MAX_WINDOW_YEARS = 2;

/**
 * One end of a window: core's `parseInstant` (a UTC date, or a timestamp with its zone), or a valid `Date`.
 * Returns the fixed-width UTC form (`2026-01-01T00:00:00.000Z`).
 */
export function parseBound(value: string | Date, name: 'from' | 'to'): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new CrosswalkError('CW_INPUT_INVALID', `${name} is not a valid date`, { where: name });
    }
    return parseInstant(value.toISOString(), name);
  }
  return parseInstant(value, name);
}

/**
 * The window [from, to): from inclusive, to exclusive. Throws CW_INPUT_INVALID when from >= to or when it
 * spans more than MAX_WINDOW_YEARS calendar years.
 */
export function resolveWindow(from: string | Date, to: string | Date): Window {
  const window = { from: parseBound(from, 'from'), to: parseBound(to, 'to') };
  if (window.from >= window.to) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `from (${window.from}) must be before to (${window.to}): the window is [from, to), to exclusive`,
      { where: 'from' },
    );
  }
  const limit = new Date(window.from);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_WINDOW_YEARS);
  if (window.to > limit.toISOString()) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `the window ${window.from} .. ${window.to} is longer than ${MAX_WINDOW_YEARS} years ` +
        `(to may be at most ${limit.toISOString()}): export long periods in parts`,
      { where: 'to' },
    );
  }
  return window;
}

/**
 * What an export or coverage report covers: the frameworks (aliases accepted), and optionally some controls
 * (`CC6.1`, `A.5.15`, `soc2:CC6.1`, or a 2013 id such as `iso27001:2013:A.9.2.6`, which means its 2022
 * successors). Throws CW_FRAMEWORK_UNKNOWN, CW_CONTROL_UNKNOWN or CW_INPUT_INVALID naming the bad value.
 */
export function resolveScope(frameworks: readonly string[], controls?: readonly string[] | null): Scope {
  if (!Array.isArray(frameworks) || frameworks.length === 0) {
    throw new CrosswalkError('CW_INPUT_INVALID', 'name at least one framework (soc2-2017, iso27001-2022)', {
      where: 'frameworks',
    });
  }
  const selected: ExportFramework[] = [];
  for (const name of frameworks) {
    const id = resolveFramework(name);
    if (id === 'iso27001-2013') {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `"${name}" is ISO/IEC 27001:2013, whose certificates lapsed in October 2025: export iso27001-2022 ` +
          '(2013 control ids are still accepted and translated)',
        { where: 'frameworks' },
      );
    }
    if (!selected.includes(id)) selected.push(id);
  }

  let picked: Map<ExportFramework, Set<string>>;
  if (controls && controls.length > 0) {
    picked = new Map(selected.map((f) => [f, new Set<string>()]));
    for (const raw of controls) {
      for (const { framework, id } of resolveControl(String(raw), selected)) picked.get(framework)!.add(id);
    }
  } else {
    picked = new Map(selected.map((f) => [f, new Set(listControls(f).map((c: Control) => c.id))]));
  }

  const scopeControls: ScopeControl[] = [];
  for (const framework of selected) {
    for (const id of inCatalogOrder(framework, picked.get(framework)!)) {
      const control = getControl(framework, id);
      scopeControls.push({ framework, id, title: control.title, kinds: kindsFor(framework, id) });
    }
  }
  const wanted = new Set(scopeControls.flatMap((c) => c.kinds));
  return {
    frameworks: selected,
    requestedControls: controls && controls.length > 0 ? [...controls] : null,
    controls: scopeControls,
    kinds: evidenceKindIds().filter((kind) => wanted.has(kind)),
  };
}

function resolveControl(
  raw: string,
  selected: ExportFramework[],
): { framework: ExportFramework; id: string }[] {
  const text = raw.trim();
  if (text.lastIndexOf(':') > 0) {
    const ref = parseControlRef(text);
    if (ref.framework === 'iso27001-2013') {
      if (!selected.includes('iso27001-2022')) {
        throw new CrosswalkError(
          'CW_INPUT_INVALID',
          `control ${text} is an ISO 27001:2013 id (it means ${translate2013(ref.id).join(', ')} in 2022): ` +
            'add the framework iso27001-2022',
          { where: text },
        );
      }
      return translate2013(ref.id).map((id) => ({ framework: 'iso27001-2022' as const, id }));
    }
    if (!selected.includes(ref.framework)) {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `control ${text} is in ${ref.framework}, which is not among the frameworks asked for (${selected.join(', ')})`,
        { where: text },
      );
    }
    return [{ framework: ref.framework, id: ref.id }];
  }
  const found = selected
    .map((framework) => ({ framework, control: findControl(framework, text) }))
    .filter((m) => m.control !== undefined)
    .map((m) => ({ framework: m.framework, id: m.control!.id }));
  if (found.length > 0) return found;
  // Let the catalog explain (it knows "did you mean A.8.32?" and 2013 ids), then name every framework tried.
  let hint = '';
  try {
    getControl(selected[0]!, text);
  } catch (error) {
    hint = (error as Error).message.replace(/^Unknown control "[^"]*" in [^;]*/, '');
  }
  throw new CrosswalkError(
    'CW_CONTROL_UNKNOWN',
    `Unknown control "${text}" in ${selected.join(' or ')}${hint}`,
    { where: text },
  );
}

/** The body of `POST /v1/exports` (and the query of `GET /v1/coverage`, with one framework or several). */
export const exportRequestSchema = z
  .object({
    frameworks: z.array(z.string().min(1)).min(1),
    controls: z.array(z.string().min(1)).optional(),
    from: z.string().min(1),
    to: z.string().min(1),
  })
  .strict();

export type ExportRequest = z.infer<typeof exportRequestSchema>;

export interface ResolvedRequest {
  scope: Scope;
  window: Window;
}

/**
 * Validates a request completely (frameworks, controls, window) without touching the locker: what the API
 * calls before it queues an export job, so bad input is a 400 and nothing is queued or written.
 */
export function resolveRequest(request: {
  frameworks: readonly string[];
  controls?: readonly string[] | null | undefined;
  from: string | Date;
  to: string | Date;
}): ResolvedRequest {
  const window = resolveWindow(request.from, request.to);
  return { scope: resolveScope(request.frameworks, request.controls ?? null), window };
}

/** What an auditor's API key may read: a period and frameworks, each unlimited when null. */
export interface ScopeLimits {
  from?: string | null;
  to?: string | null;
  frameworks?: readonly string[] | null;
}

/**
 * Why a resolved request reaches outside an auditor key's limits, or undefined when it stays inside: the
 * check behind "an auditor key limited to a period or framework cannot export outside it". The caller turns a
 * reason into its own 403.
 */
export function outsideLimits(request: ResolvedRequest, limits: ScopeLimits): string | undefined {
  const { window, scope } = request;
  if (limits.from && window.from < parseBound(limits.from, 'from')) {
    return `the period starts at ${window.from}, before this key's ${parseBound(limits.from, 'from')}`;
  }
  if (limits.to && window.to > parseBound(limits.to, 'to')) {
    return `the period ends at ${window.to}, after this key's ${parseBound(limits.to, 'to')}`;
  }
  if (limits.frameworks) {
    const allowed = new Set(limits.frameworks.map((f) => resolveFramework(f)));
    const outside = scope.frameworks.filter((f) => !allowed.has(f));
    if (outside.length > 0) return `this key may not read ${outside.join(', ')}`;
  }
  return undefined;
}
