import type { KeyScope, Window } from './types.js';

const day = (at: Date) => at.toISOString().slice(0, 10);

/** A scope bound as a day (the API's bounds are instants; the console's pickers are days). */
export const scopeDay = (bound: string | null | undefined) => (bound ? bound.slice(0, 10) : null);

/**
 * The window a page opens on: the key's period when it has one (a scoped auditor's whole engagement), else the four
 * whole quarters before the current one (the usual SOC 2 type II year).
 */
export function defaultWindow(scope: KeyScope | null, now = new Date()): Window {
  const quarterStart = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1));
  const yearBefore = new Date(Date.UTC(quarterStart.getUTCFullYear() - 1, quarterStart.getUTCMonth(), 1));
  return {
    from: scopeDay(scope?.from) ?? day(yearBefore),
    to: scopeDay(scope?.to) ?? day(quarterStart),
  };
}

/** The window named by the URL (?from=&to=), falling back to the default for what is missing. */
export function windowFrom(search: URLSearchParams, scope: KeyScope | null): Window {
  const fallback = defaultWindow(scope);
  return { from: search.get('from') || fallback.from, to: search.get('to') || fallback.to };
}

/** Why a window reaches outside the key's period, or null when it does not. */
export function outsideScope(window: Window, scope: KeyScope | null): string | null {
  const from = scopeDay(scope?.from);
  const to = scopeDay(scope?.to);
  if (from && window.from < from) return `this key's period starts on ${from}`;
  if (to && window.to > to) return `this key's period ends on ${to} (exclusive)`;
  if (window.from >= window.to) return 'the window must end after it starts';
  return null;
}

/** The frameworks a key may read: those of its scope, else every framework the console knows. */
export const scopeFrameworks = (scope: KeyScope | null): string[] =>
  scope?.frameworks?.length ? scope.frameworks : ['soc2', 'iso27001'];

export const windowQuery = (window: Window) => `from=${window.from}&to=${window.to}`;
