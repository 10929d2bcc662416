import type { GoogleClient } from './client.js';
import { REPORTS_RETENTION_DAYS } from './config.js';
import { DAY_MS } from './people.js';

/** A Reports API parameter (`Activity.events[].parameters[]`), the fields read. */
export interface ActivityParameter {
  name?: string;
  value?: string;
  boolValue?: boolean;
  intValue?: string;
  multiValue?: string[];
  multiIntValue?: string[];
  messageValue?: unknown;
  multiMessageValue?: unknown;
}

/** A Reports API `Activity`, the fields read. */
export interface Activity {
  id?: { time?: string; uniqueQualifier?: string; applicationName?: string; customerId?: string };
  actor?: { email?: string; profileId?: string; callerType?: string; key?: string };
  ipAddress?: string;
  events?: { type?: string; name?: string; parameters?: ActivityParameter[] }[];
}

/** A parameter's value whatever its type; nested messages are left out (null), their name is kept. */
export function parameterValue(parameter: ActivityParameter): string | boolean | (string | boolean)[] | null {
  if (typeof parameter.value === 'string') return parameter.value;
  if (typeof parameter.boolValue === 'boolean') return parameter.boolValue;
  if (typeof parameter.intValue === 'string') return parameter.intValue;
  if (Array.isArray(parameter.multiValue)) return parameter.multiValue.filter((v) => typeof v === 'string');
  if (Array.isArray(parameter.multiIntValue))
    return parameter.multiIntValue.filter((v) => typeof v === 'string');
  return null;
}

/** The parameter of that name as text (a list joined by commas), or null. */
export function parameterText(
  parameters: readonly ActivityParameter[] | undefined,
  name: string,
): string | null {
  const found = parameters?.find((p) => p.name === name);
  if (!found) return null;
  const value = parameterValue(found);
  if (value === null) return null;
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

/**
 * The earliest time the Reports API still serves at `now`: activities.list returns "the most recent 180 days"
 * when asked for more (its description, src/sandbox/spec/admin.reports_v1.discovery.json, `endTime`).
 */
export function retentionStart(now: Date): Date {
  return new Date(now.getTime() - REPORTS_RETENTION_DAYS * DAY_MS);
}

/** Every page of one application's activities for all users in [start, end), newest first as Google gives them. */
export function activityPages(
  client: GoogleClient,
  application: 'admin' | 'login',
  range: { start: string; end: string },
): AsyncGenerator<Activity[]> {
  return client.pages<Activity>(
    `/admin/reports/v1/activity/users/all/applications/${application}`,
    {
      customerId: client.customer === 'my_customer' ? undefined : client.customer,
      startTime: range.start,
      endTime: range.end,
      maxResults: client.settings.activitiesPageSize,
    },
    'items',
    `the ${application} activity report`,
  );
}
