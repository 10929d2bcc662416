import { z } from 'zod';
import { timestampSchema } from '../time.js';
import { personSchema } from './common.js';

const systemResultSchema = z
  .object({
    system: z.string(),
    /** Id of the record this result was joined from; null when no matching record was found. */
    evidenceId: z.string().nullable(),
    deprovisionedAt: timestampSchema.nullable(),
    minutesToDeprovision: z.number().nullable(),
    status: z.enum(['on_time', 'late', 'not_found']),
  })
  .strict();

export const deprovisioningTimelinessSchema = z
  .object({
    ticket: z.object({ key: z.string(), evidenceId: z.string(), requestedAt: timestampSchema }).strict(),
    subject: personSchema,
    slaMinutes: z.number().int().positive(),
    systems: z.array(systemResultSchema),
  })
  .strict();
