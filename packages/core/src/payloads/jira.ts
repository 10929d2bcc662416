import { z } from 'zod';
import { timestampSchema } from '../time.js';
import { personSchema } from './common.js';

/** The three ticket kinds share one shape; which tickets belong to which kind is a configured JQL. */
export const jiraTicketSchema = z
  .object({
    key: z.string().min(1),
    summary: z.string(),
    status: z.string(),
    createdAt: timestampSchema,
    resolvedAt: timestampSchema.nullable(),
    reporter: personSchema.nullable(),
    assignee: personSchema.nullable(),
    approver: personSchema.nullable(),
    approvedAt: timestampSchema.nullable(),
    subject: personSchema.nullable(),
    statusHistory: z.array(
      z
        .object({
          from: z.string().nullable(),
          to: z.string(),
          at: timestampSchema,
          by: personSchema.nullable(),
        })
        .strict(),
    ),
  })
  .strict();
