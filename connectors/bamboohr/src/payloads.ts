import { personSchema, timestampSchema } from '@crosswalk/core';
import { z } from 'zod';

/** A calendar day as BambooHR keeps it, in the company's time zone (no time, no offset). */
const calendarDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar day, yyyy-mm-dd');

const employeeSchema = z
  .object({
    /** Work email as login and email, BambooHR's employee id as id, the display name. */
    person: personSchema,
    /** BambooHR's internal employee id (what its API and URLs use). */
    employeeId: z.string().min(1),
    /** The company's own employee number; null when HR leaves it empty. */
    employeeNumber: z.string().nullable(),
    /** BambooHR's `status`: `Active` or `Inactive` (an inactive employee is no longer employed or not yet). */
    status: z.string().nullable(),
    /** The latest employment status (`Full-Time`, `Contractor`, `Terminated` ...). */
    employmentStatus: z.string().nullable(),
    workEmail: z.string().nullable(),
    department: z.string().nullable(),
    /** The manager (BambooHR's supervisor) by employee id and work email; null when none is set. */
    manager: z
      .object({ employeeId: z.string().nullable(), email: z.string().nullable() })
      .strict()
      .nullable(),
    hireDate: calendarDaySchema.nullable(),
    /** The termination date as HR entered it, in the company's zone; null for someone never terminated. */
    terminationDate: calendarDaySchema.nullable(),
    /** When that termination takes effect in UTC: the end of terminationDate in the company's zone. */
    terminatedAt: timestampSchema.nullable(),
  })
  .strict();

export const bamboohrEmployeesSnapshotSchema = z
  .object({
    /** The company's BambooHR subdomain. */
    company: z.string().min(1),
    /** The configured company time zone every date here is read in. */
    timeZone: z.string().min(1),
    /** Every employee BambooHR lists, active and inactive (terminated ones included), by employee id. */
    employees: z.array(employeeSchema),
    counts: z
      .object({
        employees: z.number().int().nonnegative(),
        active: z.number().int().nonnegative(),
        inactive: z.number().int().nonnegative(),
        /** Employees whose termination had taken effect (terminatedAt) when the snapshot was taken. */
        terminated: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();

export const bamboohrTerminationSchema = z
  .object({
    company: z.string().min(1),
    timeZone: z.string().min(1),
    /** The person who left, from the employee's fields (work email, name); `id` is BambooHR's employee id. */
    person: personSchema,
    employeeId: z.string().min(1),
    employeeNumber: z.string().nullable(),
    workEmail: z.string().nullable(),
    department: z.string().nullable(),
    /** The employmentStatus table row that records the termination (BambooHR's row id). */
    rowId: z.string().min(1),
    /** The termination date as HR entered it: a day in the company's zone. */
    terminationDate: calendarDaySchema,
    /** The instant it takes effect: 00:00 on the next day in the company's zone, in UTC (README, time zone rule). */
    terminatedAt: timestampSchema,
    /** BambooHR's ids for the termination's reason, type, rehire eligibility and regrettable flag, as given. */
    terminationReasonId: z.string().nullable(),
    terminationTypeId: z.string().nullable(),
    terminationRehireId: z.string().nullable(),
    terminationRegrettableId: z.string().nullable(),
    comment: z.string().nullable(),
    /**
     * The HR change's own time as far as BambooHR gives it: the employee record's `lastChanged` from
     * `GET /api/v1/employees/changed/tables/employmentStatus`. BambooHR keeps no time per table row; any later
     * edit of the same employee moves it, so it is the latest time the termination can have been entered.
     */
    hrLastChanged: timestampSchema.nullable(),
  })
  .strict();
