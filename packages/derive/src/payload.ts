import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

/** A record the join read: its id (which names its locker key) and the hash of the exact bytes read. */
const joinedSchema = z.object({ evidenceId: z.string().min(1), sha256: sha256Schema }).strict();

const systemResultSchema = z
  .object({
    /** `okta` (a deactivation or suspension), `github` (an organization removal). */
    system: z.string().min(1),
    /**
     * `on_time`: removed within the SLA of the request. `late`: removed, after the SLA. `not_found`: no removal
     * found and the SLA has passed. `pending`: no removal found yet, and the SLA has not passed.
     */
    status: z.enum(['on_time', 'late', 'not_found', 'pending']),
    /** The removal record joined; null when none was found. */
    removal: joinedSchema.nullable(),
    deprovisionedAt: timestampSchema.nullable(),
    /**
     * Whole minutes from the request (the ticket's creation) to the removal, rounded up, so a value above
     * `slaMinutes` is exactly a late one. Negative when access was removed before the ticket was filed.
     */
    minutesToDeprovision: z.number().int().nullable(),
    /** Who removed the access, as the removal record names them. */
    removedBy: personSchema.nullable(),
    /** The handle the removal matched on, e.g. `login:dave-gh` or `email:dave@acme.example`. */
    matchedOn: z.string().nullable(),
    /** The span of removal times searched: [from, until). `until` is the end of the lookahead or the computation. */
    searched: z.object({ from: timestampSchema, until: timestampSchema }).strict(),
  })
  .strict();

/**
 * One deprovisioning ticket joined to the removals it asked for. A ticket gets a new record each time what is known
 * about it changes (a removal arrives, the SLA or the lookahead passes); `supersedes` points at the one before, and
 * `final` says the answer can no longer change; the record's collectedAt is when it was known. occurredAt is the
 * ticket's own occurredAt (its resolution), so the join sits in the same audit period as the ticket.
 */
export const deprovisioningTimelinessSchema = z
  .object({
    ticket: z
      .object({
        key: z.string().min(1),
        evidenceId: z.string().min(1),
        sha256: sha256Schema,
        /** When the removal was asked for: the ticket's creation. */
        requestedAt: timestampSchema,
        resolvedAt: timestampSchema,
        url: z.string().nullable(),
      })
      .strict(),
    /** The user concerned, as the ticket names them; null when the ticket names no one (every system not found). */
    subject: personSchema.nullable(),
    /** The handles searched for, from the subject and the configured identity map. */
    identity: z
      .object({
        email: z.string().nullable(),
        oktaLogins: z.array(z.string()),
        githubLogins: z.array(z.string()),
        mapped: z.boolean(),
      })
      .strict(),
    slaMinutes: z.number().int().positive(),
    lookaheadDays: z.number().int().positive(),
    systems: z.array(systemResultSchema).min(1),
    /** Computed: every system's access was removed within the SLA. */
    onTime: z.boolean(),
    /** Computed: the answer can no longer change (every removal found, or the lookahead has passed). */
    final: z.boolean(),
    /** The earlier record for this ticket whose answer this one replaces; null for the first. */
    supersedes: z.string().nullable(),
  })
  .strict();
