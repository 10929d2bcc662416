import type { CollectorDefinition } from '@crosswalk/core';
import { BambooHrClient } from '../client.js';
import type { BambooHrConfig } from '../config.js';
import { CUSTOM_REPORT_PATH, readEmployees } from '../employees.js';

/**
 * `bamboohr.employees_snapshot`: every employee on the day, active and terminated, with status, work email,
 * employee number, department, manager, hire and termination dates (the latter also as the UTC instant it takes
 * effect). The HR population a leaver or orphaned-account test starts from.
 */
export const employeesSnapshot: CollectorDefinition<BambooHrConfig> = {
  id: 'employees_snapshot',
  kind: 'bamboohr.employees_snapshot',
  description: 'Daily snapshot of employees: status, work email, department, manager, termination date',
  async collect(ctx) {
    const client = new BambooHrClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const now = ctx.clock.now();
    const day = new Date(now);
    day.setUTCHours(0, 0, 0, 0);
    const employees = await readEmployees(client, ctx.config.timeZone);
    const active = employees.filter((e) => e.status === 'Active').length;
    await ctx.emit({
      kind: 'bamboohr.employees_snapshot',
      occurredAt: day.toISOString(),
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'bamboohr',
        instance: client.company,
        ref: `${client.company}:employees`,
        url: client.url(CUSTOM_REPORT_PATH),
      },
      payload: {
        company: client.company,
        timeZone: ctx.config.timeZone,
        employees,
        counts: {
          employees: employees.length,
          active,
          inactive: employees.length - active,
          terminated: employees.filter(
            (e) => e.terminatedAt !== null && Date.parse(e.terminatedAt) <= new Date(now).getTime(),
          ).length,
        },
      },
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info({ company: client.company, employees: employees.length }, 'employees snapshot taken');
  },
};
