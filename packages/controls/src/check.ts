import { CrosswalkError } from '@crosswalk/core';

/**
 * Guards for the committed data files. They run once at import: a hand-edited data file that breaks a rule
 * fails loudly at start-up instead of putting a wrong id on evidence.
 */
export function dataError(file: string, message: string): CrosswalkError {
  return new CrosswalkError('CW_INTERNAL', `controls data ${file}: ${message}`, { where: file });
}

export function oneOf<T extends string>(file: string, value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw dataError(file, `${what} "${value}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
