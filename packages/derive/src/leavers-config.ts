import { z } from 'zod';
import { accountSources } from './accounts.js';
import { checkSlaWithinLookahead, systemListSchema, timingFields } from './timing-config.js';

/**
 * How an account is matched to a person HR lists, tried in order per system. `employee_id`: the account carries
 * the person's employee id. `email`: its email, or its login, is the person's work email. `email_local_part`: its
 * login is the part of the work email before the @ (code hosts whose logins follow the email).
 */
export const matchRuleSchema = z.enum(['employee_id', 'email', 'email_local_part']);
export type MatchRule = z.infer<typeof matchRuleSchema>;

/** The rules a system is matched by unless configured: an employee id, then the work email. */
export const DEFAULT_RULES: readonly MatchRule[] = ['employee_id', 'email'];

const aliasSchema = z
  .object({
    /** The person, by HR's employee id (the company's employee number where HR keeps one) ... */
    employeeId: z.string().trim().min(1).optional(),
    /** ... or by work email. */
    email: z.string().trim().toLowerCase().includes('@', { message: 'must be an email address' }).optional(),
    /** Per system, the person's logins there. They replace the rules for this person in that system. */
    logins: z.record(z.string().min(1), z.array(z.string().trim().toLowerCase().min(1)).min(1)),
  })
  .strict()
  .refine(
    (a) => a.employeeId !== undefined || a.email !== undefined,
    'must name the person by employeeId or email',
  );

/** The HR-driven joins: leaver timeliness and orphaned accounts (README, "Leavers from HR"). */
export const leaversConfigSchema = z
  .object({
    ...timingFields,
    /**
     * The systems a leaver must lose: connector types whose kinds declare `accounts` that give access. Unset, every
     * such system registered (a new connector that declares its accounts joins with no change).
     */
    systems: systemListSchema.optional(),
    /** Per system, the matching rules in order, instead of `employee_id` then `email`. */
    rules: z.record(z.string().min(1), z.array(matchRuleSchema).min(1)).default({}),
    /** People whose logins the rules cannot find. */
    aliases: z.array(aliasSchema).default([]),
    /** How many days back the orphaned-accounts join looks for the latest HR roster. @defaultValue 7 */
    rosterLookbackDays: z.number().int().min(0).max(90).default(7),
  })
  .strict()
  .superRefine((config, issues) => {
    const known = accountSources('access');
    const names = [...known.keys()].join(', ');
    const check = (system: string, path: (string | number)[]) => {
      if (!known.has(system)) {
        issues.addIssue({
          code: 'custom',
          path,
          message: `must be one of ${names} (systems whose evidence lists accounts)`,
        });
      }
    };
    for (const [index, system] of (config.systems ?? []).entries()) check(system, ['systems', index]);
    for (const system of Object.keys(config.rules)) check(system, ['rules', system]);
    for (const [index, alias] of config.aliases.entries()) {
      for (const system of Object.keys(alias.logins)) check(system, ['aliases', index, 'logins', system]);
    }
    checkSlaWithinLookahead(config, issues);
  });

export type LeaversConfig = z.output<typeof leaversConfigSchema>;
