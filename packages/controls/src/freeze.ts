/**
 * Freezes a value and everything reachable from it. The catalogs are shared by every caller in the process,
 * so one caller's edit would silently change what another stamps on evidence; freezing makes that a TypeError.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
