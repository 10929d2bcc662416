import { sourceCodeOf, sourceStatusOf } from '@crosswalk/connector-kit';
import { z } from 'zod';

/**
 * Graph's answer when the tenant lacks the licence a feature needs: Conditional Access, sign-in logs and the
 * registration report need Microsoft Entra ID P1 or P2, access reviews P2 or ID Governance.
 */
const NOT_LICENSED = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

/** Whether Graph refused for want of a licence (403 with NOT_LICENSED) rather than for a permission. */
export function isUnlicensed(error: unknown): boolean {
  return sourceStatusOf(error) === 403 && sourceCodeOf(error) === NOT_LICENSED;
}

/**
 * The cursor of a collector whose feature needs a licence: whether the tenant had it when last checked, and why
 * not, so the state says why there are no records.
 */
export const licenceCursorShape = {
  licence: z.enum(['available', 'not_available']),
  checkedAt: z.string().min(1),
  reason: z.string().optional(),
};

/**
 * Reads what a tenant may lack as a limitation (403 for a licence or a permission, saying which), anything else as
 * a failure.
 */
export async function readOrLimit<T>(
  read: () => Promise<T>,
  what: string,
  limitations: string[],
  unlicensed = 'the tenant has no Microsoft Entra ID P1/P2 licence',
): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (sourceStatusOf(error) !== 403) throw error;
    const why = sourceCodeOf(error) === NOT_LICENSED ? unlicensed : 'not readable with these credentials';
    limitations.push(`${what}: ${why} (${(error as Error).message})`);
    return null;
  }
}
