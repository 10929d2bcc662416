import { controlsFor, type FrameworkId, resolveFramework } from '@crosswalk/controls';
import { CrosswalkError, type EvidenceKind } from '@crosswalk/core';
import type { ApiKeyView } from '@crosswalk/runtime';
import { MAX_INSTANT, MIN_INSTANT, toInstant } from './time.js';

/**
 * What a scoped key may read: evidence that occurred in [from, to) and is indexed under one of its frameworks.
 * A query reaching outside gets 403 (never a clamped answer: an auditor who asked for more than the key allows
 * should learn that, not receive a quietly smaller population). Omitted query bounds default to the scope.
 */
export interface KeyScope {
  from: string;
  to: string;
  frameworks: ReadonlySet<FrameworkId> | null;
}

/** The key's scope, normalized; null for an unscoped key. A bound that cannot be read closes the scope. */
export function scopeOf(key: ApiKeyView | null): KeyScope | null {
  const scope = key?.scope;
  if (!scope) return null;
  const frameworks = scope.frameworks?.flatMap((name) => {
    try {
      return [resolveFramework(name)];
    } catch {
      return [];
    }
  });
  return {
    from: scope.from === null ? MIN_INSTANT : (toInstant(scope.from) ?? MAX_INSTANT),
    to: scope.to === null ? MAX_INSTANT : (toInstant(scope.to) ?? MIN_INSTANT),
    frameworks: frameworks ? new Set(frameworks) : null,
  };
}

/** The frameworks a kind's records are indexed under (ISO 27001:2013 through its 2022 successors). */
export function frameworksOfKind(kind: EvidenceKind): FrameworkId[] {
  const controls = controlsFor(kind);
  const found: FrameworkId[] = [];
  if (controls['soc2-2017'].length > 0) found.push('soc2-2017');
  if (controls['iso27001-2022'].length > 0) found.push('iso27001-2022', 'iso27001-2013');
  return found;
}

export function allowsKind(scope: KeyScope | null, kind: EvidenceKind): boolean {
  const frameworks = scope?.frameworks;
  return !frameworks || frameworksOfKind(kind).some((framework) => frameworks.has(framework));
}

function forbidden(message: string, where: string): CrosswalkError {
  return new CrosswalkError('CW_FORBIDDEN', message, { where });
}

function frameworkList(scope: KeyScope): string {
  return [...(scope.frameworks ?? [])].join(', ') || 'none';
}

export function assertFramework(scope: KeyScope | null, framework: FrameworkId): void {
  if (scope?.frameworks && !scope.frameworks.has(framework)) {
    throw forbidden(`this key may read ${frameworkList(scope)} only, not ${framework}`, 'query.framework');
  }
}

export function assertKinds(scope: KeyScope | null, kinds: readonly EvidenceKind[]): void {
  if (!scope) return;
  const outside = kinds.find((kind) => !allowsKind(scope, kind));
  if (outside) {
    throw forbidden(
      `${outside} evidence is not indexed under ${frameworkList(scope)}, the frameworks this key may read`,
      'query.kind',
    );
  }
}

export function assertWindow(scope: KeyScope | null, window: { from: string; to: string }): void {
  if (scope && (window.from < scope.from || window.to > scope.to)) {
    throw forbidden(
      `this key may read evidence from ${scope.from} to ${scope.to} only; the query asks for ${window.from} to ${window.to}`,
      'query',
    );
  }
}

export function assertInstant(scope: KeyScope | null, at: string, where: string): void {
  if (scope && (at < scope.from || at >= scope.to)) {
    throw forbidden(`this key may read evidence from ${scope.from} to ${scope.to} only`, where);
  }
}
