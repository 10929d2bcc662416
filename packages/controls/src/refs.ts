import { CrosswalkError } from '@crosswalk/core';
import { getControl } from './catalog.js';
import { type FrameworkId, resolveFramework } from './frameworks.js';

/** A control named across frameworks, written `<framework>:<id>` (e.g. `soc2-2017:CC8.1`). */
export interface ControlRef {
  readonly framework: FrameworkId;
  readonly id: string;
}

/**
 * Parses `<framework>:<id>`. The framework may be an alias and the id a case or spacing variant; the result
 * is canonical and names a control that exists. Control ids never contain ':', so the last one separates
 * (which also admits `iso27001:2022:A.8.32`).
 *
 * @example parseControlRef('soc2:cc8.1') // { framework: 'soc2-2017', id: 'CC8.1' }
 * @throws CrosswalkError CW_INPUT_INVALID when malformed, CW_FRAMEWORK_UNKNOWN, CW_CONTROL_UNKNOWN
 */
export function parseControlRef(ref: string): ControlRef {
  const text = typeof ref === 'string' ? ref.trim() : '';
  const cut = text.lastIndexOf(':');
  if (cut <= 0 || cut === text.length - 1) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `Malformed control reference "${String(ref)}": expected <framework>:<control id>, e.g. soc2-2017:CC8.1`,
      { where: String(ref) },
    );
  }
  const framework = resolveFramework(text.slice(0, cut));
  const control = getControl(framework, text.slice(cut + 1));
  return Object.freeze({ framework, id: control.id });
}

/** The canonical text form, the inverse of parseControlRef. */
export function formatControlRef(ref: ControlRef): string {
  return `${ref.framework}:${ref.id}`;
}
