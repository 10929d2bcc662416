/** What a credential reads in a connector view: the API never sends a stored secret back. */
export const WRITE_ONLY = '[write-only]';

/**
 * What an edited config sends as a JSON merge patch: credentials still reading "[write-only]" are left out (so they
 * stay as sealed), a new value replaces them, null removes a field.
 */
export function patchOf(edited: unknown): unknown {
  if (Array.isArray(edited)) return edited;
  if (typeof edited !== 'object' || edited === null) return edited;
  const patch: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(edited)) {
    if (value === WRITE_ONLY) continue;
    patch[name] = patchOf(value);
  }
  return patch;
}
