import { z } from 'zod';

/**
 * The timing both deprovisioning joins share. "The start" is what each join times from: a ticket's creation (the
 * ticket join) or a termination taking effect (the leaver join).
 */
export const timingFields = {
  /** How long from the start access may take to end, e.g. 1440 for a day. */
  slaMinutes: z.number().int().positive(),
  /** How long after the start an end of access is looked for; once this has passed, the answer is final. @defaultValue 14 */
  lookaheadDays: z.number().int().min(1).max(365).default(14),
  /**
   * How long before the start an end of access still counts (HR-driven deactivations often precede the ticket, and
   * a leaver may be removed on their last day); earlier ones belong to someone's previous departure.
   * @defaultValue 1
   */
  lookbehindDays: z.number().int().min(0).max(30).default(1),
};

/** A list of systems (connector types), none repeated. */
export const systemListSchema = z
  .array(z.string().min(1))
  .min(1)
  .refine((systems) => new Set(systems).size === systems.length, 'must not repeat a system');

/** The SLA must end within the lookahead, or no answer could ever be late. */
export function checkSlaWithinLookahead(
  config: { slaMinutes: number; lookaheadDays: number },
  issues: z.RefinementCtx,
): void {
  if (config.slaMinutes > config.lookaheadDays * 1440) {
    issues.addIssue({
      code: 'custom',
      path: ['slaMinutes'],
      message: `must not exceed lookaheadDays (${config.lookaheadDays} days = ${config.lookaheadDays * 1440} minutes)`,
    });
  }
}
