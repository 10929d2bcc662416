import { sourceTime } from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, type PayloadOf } from '@crosswalk/core';
import { BambooHrClient } from '../client.js';
import type { BambooHrConfig } from '../config.js';
import { readEmployees } from '../employees.js';
import { isCalendarDay, terminationInstant } from '../time-zone.js';

type Termination = PayloadOf<'bamboohr.termination'>;

export const CHANGED_STATUS_PATH = '/api/v1/employees/changed/tables/employmentStatus';
const DAY_MS = 86_400_000;

/** A row of the employmentStatus table; BambooHR's description leaves rows untyped beyond `id` and `employeeId`. */
interface StatusRow {
  id?: unknown;
  employeeId?: unknown;
  date?: unknown;
  employmentStatus?: unknown;
  terminationReasonId?: unknown;
  terminationTypeId?: unknown;
  terminationRehireId?: unknown;
  terminationRegrettableId?: unknown;
  comment?: unknown;
}

interface ChangedTable {
  employees?: Record<string, { lastChanged?: string; rows?: StatusRow[] }>;
}

const idText = (value: unknown): string | null =>
  typeof value === 'number'
    ? String(value)
    : typeof value === 'string' && value.trim() !== ''
      ? value.trim()
      : null;

/**
 * `bamboohr.termination`: one record per employmentStatus row `Terminated` whose date, read in the company's time
 * zone, takes effect inside the window (at the end of that day: README, "Time zone rule"). The rows come from the
 * employees changed since `lookbackDays` before the window, with each employee's `lastChanged` as the HR change's
 * time; the employee's work email, name and department from the custom report.
 */
export const terminations: CollectorDefinition<BambooHrConfig> = {
  id: 'terminations',
  kind: 'bamboohr.termination',
  description: 'Terminations taking effect in the window, with the HR change time',
  async collect(ctx) {
    const client = new BambooHrClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const zone = ctx.config.timeZone;
    const lookbackDays = ctx.config.collectors?.terminations?.lookbackDays ?? 400;
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    const changed = await client.get<ChangedTable>(
      CHANGED_STATUS_PATH,
      { since: new Date(since - lookbackDays * DAY_MS).toISOString().replace('.000Z', 'Z') },
      'employment status changes',
    );
    if (!changed || typeof changed.employees !== 'object' || changed.employees === null) {
      throw new CrosswalkError('CW_SOURCE_DATA', 'BambooHR returned changed table data without employees', {
        where: 'employment status changes',
      });
    }
    const found: Omit<Termination, 'person' | 'workEmail' | 'department' | 'employeeNumber'>[] = [];
    for (const [key, entry] of Object.entries(changed.employees)) {
      const item = `employee ${key}`;
      const lastChanged = entry.lastChanged
        ? sourceTime('BambooHR', entry.lastChanged, item, 'lastChanged')
        : null;
      for (const row of entry.rows ?? []) {
        if (String(row.employmentStatus ?? '').toLowerCase() !== 'terminated') continue;
        const date = typeof row.date === 'string' ? row.date : '';
        const rowId = idText(row.id);
        if (!isCalendarDay(date) || rowId === null) {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `BambooHR returned a termination of ${item} without a date or row id`,
            {
              where: item,
            },
          );
        }
        const terminatedAt = terminationInstant(date, zone);
        const at = Date.parse(terminatedAt);
        if (at < since || at >= until) continue;
        found.push({
          company: client.company,
          timeZone: zone,
          employeeId: idText(row.employeeId) ?? key,
          rowId,
          terminationDate: date,
          terminatedAt,
          terminationReasonId: idText(row.terminationReasonId),
          terminationTypeId: idText(row.terminationTypeId),
          terminationRehireId: idText(row.terminationRehireId),
          terminationRegrettableId: idText(row.terminationRegrettableId),
          comment: typeof row.comment === 'string' && row.comment !== '' ? row.comment : null,
          hrLastChanged: lastChanged,
        });
      }
    }
    if (found.length === 0) {
      ctx.log.info({ company: client.company }, 'no terminations in the window');
      return;
    }
    const ids = [...new Set(found.map((t) => t.employeeId))];
    const employees = new Map((await readEmployees(client, zone, ids)).map((e) => [e.employeeId, e]));
    found.sort((a, b) => a.terminatedAt.localeCompare(b.terminatedAt) || a.rowId.localeCompare(b.rowId));
    for (const termination of found) {
      const employee = employees.get(termination.employeeId);
      await ctx.emit({
        kind: 'bamboohr.termination',
        occurredAt: termination.terminatedAt,
        owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
        actors: [],
        source: {
          system: 'bamboohr',
          instance: client.company,
          ref: `${client.company}:employee/${termination.employeeId}/employmentStatus/${termination.rowId}`,
          url: client.url(`/api/v1/employees/${termination.employeeId}/tables/employmentStatus`),
        },
        payload: {
          ...termination,
          person: employee?.person ?? { id: termination.employeeId },
          employeeNumber: employee?.employeeNumber ?? null,
          workEmail: employee?.workEmail ?? null,
          department: employee?.department ?? null,
        },
        requests: client.recorder.entries.slice(),
      });
    }
    ctx.log.info({ company: client.company, terminations: found.length }, 'terminations collected');
  },
};
