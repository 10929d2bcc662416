import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
/** A record the join read: its id (which names its locker key) and the hash of the exact bytes read. */
const joinedSchema = z.object({ evidenceId: z.string().min(1), sha256: sha256Schema }).strict();
const ruleSchema = z.enum(['alias', 'employee_id', 'email', 'email_local_part']);

const leaverSystemSchema = z
  .object({
    /** The connector type whose accounts were searched (`okta`, `github`, ...). */
    system: z.string().min(1),
    /**
     * `on_time`: access ended within the SLA of the termination. `late`: it ended after. `still_active`: the SLA has
     * passed and the latest snapshot still shows an active account. `pending`: active or unseen, the SLA not passed
     * yet. `unmatched`: the system's snapshots list no account the rules match to the person (they had none, or it
     * goes by a handle the rules do not link: see the orphaned accounts). `not_observed`: no snapshot or removal of
     * the system in the span searched.
     */
    status: z.enum(['on_time', 'late', 'still_active', 'pending', 'unmatched', 'not_observed']),
    /** The person's accounts found in the system (logins), and the rule that matched the first. */
    accounts: z.array(z.string()),
    matchedBy: ruleSchema.nullable(),
    /**
     * When access ended: a removal event's time, or the first snapshot that no longer showed an active account
     * (then the latest time it can have ended; `lastSeenActive` is the earliest).
     */
    endedAt: timestampSchema.nullable(),
    endedFrom: z.enum(['removal_event', 'snapshot']).nullable(),
    /** When a snapshot last showed an active account, in the span searched. */
    lastSeenActive: timestampSchema.nullable(),
    /** Whole minutes from the termination to endedAt, rounded up; negative when access ended before. */
    minutesFromTermination: z.number().int().nullable(),
    /** The record that shows the end (a removal event or a snapshot); null when access has not ended. */
    evidence: joinedSchema.nullable(),
    /** The span of snapshot and removal times searched: [from, until). */
    searched: z.object({ from: timestampSchema, until: timestampSchema }).strict(),
  })
  .strict();

/**
 * One HR termination joined to each configured system's accounts and removals: when the leaver's access ended
 * there, against the SLA. Recomputed as more is known; `supersedes` names the answer it replaces and `final` says
 * it can no longer change. occurredAt is the termination's (when it takes effect).
 */
export const leaverTimelinessSchema = z
  .object({
    termination: z
      .object({
        evidenceId: z.string().min(1),
        sha256: sha256Schema,
        /** The HR system (connector type) that recorded it. */
        system: z.string().min(1),
        employeeId: z.string().min(1),
        email: z.string().nullable(),
        person: personSchema,
        /** When the employment ended, in UTC: minutes are counted from here. */
        terminatedAt: timestampSchema,
      })
      .strict(),
    slaMinutes: z.number().int().positive(),
    lookaheadDays: z.number().int().positive(),
    systems: z.array(leaverSystemSchema).min(1),
    /** Computed: access ended within the SLA in every system where an account was found. */
    onTime: z.boolean(),
    /** Computed: the systems where the leaver still had access after the SLA. */
    stillActiveIn: z.array(z.string()),
    /** Computed: the systems where no account of the leaver could be matched. */
    unmatchedIn: z.array(z.string()),
    final: z.boolean(),
    supersedes: z.string().nullable(),
  })
  .strict();

const orphanSchema = z
  .object({
    login: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    /** `terminated`: the person HR matched had left when the snapshot was read. `unknown`: no one HR lists matched. */
    reason: z.enum(['terminated', 'unknown']),
    /** The HR person it matched (for `terminated`), and by which rule. */
    employeeId: z.string().nullable(),
    matchedBy: ruleSchema.nullable(),
    terminatedAt: timestampSchema.nullable(),
  })
  .strict();

/**
 * One UTC day's orphaned accounts: every account an access system's snapshot of that day lists as active whose
 * person HR lists as terminated (at the time the snapshot was read), or whom no one HR lists matches. The day's
 * population for CC6.2/CC6.3 and A.5.18; a later snapshot or roster for the day supersedes the answer.
 */
export const orphanedAccountsSchema = z
  .object({
    /** The day, `yyyy-mm-dd` (UTC), whose snapshots were judged. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** The HR roster judged against (the latest read by the day's end); null when none was found. */
    roster: joinedSchema
      .extend({ system: z.string().min(1), readAt: timestampSchema, people: z.number().int() })
      .strict()
      .nullable(),
    systems: z.array(
      z
        .object({
          system: z.string().min(1),
          /** The day's snapshots (the latest per connector); empty when the system was not observed that day. */
          snapshots: z.array(
            joinedSchema.extend({ connectorId: z.string().min(1), readAt: timestampSchema }).strict(),
          ),
          accounts: z.number().int().nonnegative(),
          active: z.number().int().nonnegative(),
          orphaned: z.array(orphanSchema),
        })
        .strict(),
    ),
    /** Computed: orphaned accounts across the systems. */
    orphanedCount: z.number().int().nonnegative(),
    supersedes: z.string().nullable(),
  })
  .strict();
