import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const statusChangeSchema = z
  .object({
    /** Status names as Jira showed them at the time of the change. */
    from: z.string().nullable(),
    to: z.string(),
    at: timestampSchema,
    /** Who made the transition; null for an automation or an account Jira no longer shows. */
    by: personSchema.nullable(),
  })
  .strict();

/**
 * The three ticket kinds share one shape; which tickets belong to which kind is a configured JQL. A ticket is
 * recorded once it is resolved: occurredAt is `resolvedAt`, and a ticket reopened and resolved again is a new record.
 */
export const jiraTicketSchema = z
  .object({
    key: z.string().min(1),
    project: z.string().nullable(),
    issueType: z.string().nullable(),
    summary: z.string(),
    /** The status when collected, and its category (`new`, `indeterminate`, `done`). */
    status: z.string(),
    statusCategory: z.string().nullable(),
    /** The resolution's name: `Done`, `Won't Do`, `Duplicate`, ... An auditor checks it was not declined. */
    resolution: z.string().nullable(),
    /** When the request was made: the start of any timeliness measure. */
    createdAt: timestampSchema,
    resolvedAt: timestampSchema,
    reporter: personSchema.nullable(),
    assignee: personSchema.nullable(),
    /** Who set the resolution, from the changelog; null when the history does not show it. */
    resolvedBy: personSchema.nullable(),
    /**
     * Who approved: the last person to move the ticket into a configured approved status before it was resolved;
     * without configured statuses, whoever resolved it. null when the history shows no such transition.
     */
    approver: personSchema.nullable(),
    approvedAt: timestampSchema.nullable(),
    /** The status the approver moved the ticket into. */
    approvedStatus: z.string().nullable(),
    /** Computed: the approver is the reporter (someone approved their own request). null without an approver. */
    approvedByReporter: z.boolean().nullable(),
    /** Computed: the approver is the user the ticket is about. null without an approver or a subject. */
    approvedBySubject: z.boolean().nullable(),
    /** The user the ticket is about (the leaver, joiner or reviewed account). */
    subject: personSchema.nullable(),
    /** Where `subject` came from: the configured field, or the summary by the configured pattern. */
    subjectSource: z.enum(['field', 'summary']).nullable(),
    /** Every status transition, oldest first. */
    statusHistory: z.array(statusChangeSchema),
    /**
     * Deprovisioning tickets: whether the ticket's configured process covers the return of assets
     * (`kinds.deprovisioning.assetReturn`); only then does the record claim ISO 27001 A.5.11. Absent on other kinds
     * and on records stored before it was stated.
     */
    assetReturn: z.boolean().optional(),
  })
  .strict();
