import {
  CrosswalkError,
  type EmittedDraft,
  type PayloadOf,
  type Person,
  type ProvenanceRequest,
  toTimestamp,
} from '@crosswalk/core';
import {
  compileSubjectPattern,
  type TicketKindConfig,
  type TicketKindKey,
  type ticketKinds,
} from './config.js';

type Payload = PayloadOf<'jira.deprovisioning_ticket'>;
type TicketKind = (typeof ticketKinds)[TicketKindKey];

/** A Jira user as the v3 API returns it (UserDetails); `emailAddress` is often hidden by privacy settings. */
export interface JiraUser {
  accountId?: string;
  displayName?: string;
  emailAddress?: string;
  accountType?: string;
  active?: boolean;
}

/** One changelog entry (Changelog) with its items (ChangeDetails). */
export interface JiraHistory {
  id?: string;
  author?: JiraUser | null;
  created?: string;
  items?: {
    field?: string;
    fieldId?: string;
    from?: string | null;
    fromString?: string | null;
    to?: string | null;
    toString?: string | null;
  }[];
}

/** An issue from the JQL search (IssueBean) with the fields the connector asks for. */
export interface JiraIssue {
  id?: string;
  key?: string;
  fields?: Record<string, unknown>;
  changelog?: { startAt?: number; maxResults?: number; total?: number; histories?: JiraHistory[] };
}

/** The fields every ticket search asks for, plus the configured subject field. */
export function searchFields(kind: TicketKindConfig): string[] {
  const fields = [
    'summary',
    'status',
    'created',
    'resolutiondate',
    'resolution',
    'reporter',
    'assignee',
    'issuetype',
    'project',
  ];
  if (kind.subjectField && !fields.includes(kind.subjectField)) fields.push(kind.subjectField);
  return fields;
}

/**
 * Jira writes times as `2026-03-02T10:15:30.123+0000`; records use fixed-width UTC. Anything else is a data error
 * naming the ticket and the field.
 */
export function jiraTime(value: unknown, item: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new CrosswalkError('CW_SOURCE_DATA', `Jira returned ${item} without ${field}`, { where: item });
  }
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  const unreadable = () =>
    new CrosswalkError(
      'CW_SOURCE_DATA',
      `Jira returned ${item} with an unreadable ${field.replace(/^an? /, '')}: ${JSON.stringify(value.slice(0, 40))}`,
      { where: item },
    );
  if (!match) throw unreadable();
  const zone = match[2] === 'Z' ? 'Z' : match[2]!.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  try {
    return toTimestamp(`${match[1]}${zone}`);
  } catch {
    throw unreadable();
  }
}

/** A Jira account as a record's person; null when Jira gave no account (automation, anonymous, deleted). */
export function personOf(user: JiraUser | null | undefined): Person | null {
  if (!user || typeof user !== 'object') return null;
  const person: Person = {};
  if (user.accountId) person.id = user.accountId;
  if (user.emailAddress && user.emailAddress.length >= 3) person.email = user.emailAddress;
  if (user.displayName) person.name = user.displayName;
  return person.id || person.email || person.name ? person : null;
}

/** An email address or a login typed into a text field or a summary. */
function personFromText(text: string): Person | null {
  const value = text.trim();
  if (value === '') return null;
  return value.includes('@') && value.length >= 3 ? { email: value.toLowerCase() } : { login: value };
}

export function samePerson(a: Person | null, b: Person | null): boolean {
  if (!a || !b) return false;
  if (a.id && b.id) return a.id === b.id;
  if (a.email && b.email) return a.email.toLowerCase() === b.email.toLowerCase();
  if (a.login && b.login) return a.login.toLowerCase() === b.login.toLowerCase();
  return false;
}

export interface Subject {
  person: Person | null;
  source: Payload['subjectSource'];
  /** Why no subject could be read, when none could; for the log. */
  problem?: string;
}

/**
 * The user a ticket is about: from the configured field (a user picker, a single-user list, a text field or a
 * select option holding an email or login), else from the summary by the configured pattern.
 */
export function subjectOf(fields: Record<string, unknown>, kind: TicketKindConfig): Subject {
  let problem: string | undefined;
  if (kind.subjectField) {
    const value = fields[kind.subjectField];
    const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    if (values.length > 1) {
      problem = `field ${kind.subjectField} names ${values.length} users; a ticket must be about one`;
    } else if (values.length === 1) {
      const only = values[0];
      const person =
        typeof only === 'string'
          ? personFromText(only)
          : only && typeof only === 'object' && 'accountId' in only
            ? personOf(only as JiraUser)
            : only && typeof only === 'object' && typeof (only as { value?: unknown }).value === 'string'
              ? personFromText((only as { value: string }).value)
              : null;
      if (person) return { person, source: 'field' };
      problem = `field ${kind.subjectField} holds nothing that names a user`;
    } else {
      problem = `field ${kind.subjectField} is empty`;
    }
  }
  if (kind.subjectPattern) {
    const summary = typeof fields.summary === 'string' ? fields.summary : '';
    const captured = compileSubjectPattern(kind.subjectPattern).exec(summary)?.groups?.subject;
    const person = captured === undefined ? null : personFromText(captured);
    if (person) return { person, source: 'summary' };
    problem = `${problem ? `${problem}; ` : ''}the summary does not match subjectPattern`;
  }
  return { person: null, source: null, ...(problem ? { problem } : {}) };
}

interface Transition {
  historyId: string;
  at: string;
  by: Person | null;
  from: string | null;
  to: string;
}

function historyOrder(a: { at: string; historyId: string }, b: { at: string; historyId: string }): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return Number(a.historyId) - Number(b.historyId) || a.historyId.localeCompare(b.historyId);
}

/** Status transitions and resolution changes from the changelog, oldest first. */
export function readHistory(
  histories: readonly JiraHistory[],
  item: string,
): {
  statuses: Transition[];
  resolutions: (Transition & { cleared: boolean })[];
} {
  const statuses: Transition[] = [];
  const resolutions: (Transition & { cleared: boolean })[] = [];
  for (const history of histories) {
    const at = jiraTime(history.created, `${item} changelog ${history.id ?? '(no id)'}`, 'a time');
    const by = personOf(history.author);
    const historyId = history.id ?? '';
    for (const change of history.items ?? []) {
      const field = change.fieldId ?? change.field;
      if (field === 'status') {
        if (!change.toString) {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `Jira returned ${item} changelog ${historyId} with a status change to no status`,
            { where: item },
          );
        }
        statuses.push({ historyId, at, by, from: change.fromString ?? null, to: change.toString });
      } else if (field === 'resolution') {
        const cleared = !change.to && !change.toString;
        resolutions.push({
          historyId,
          at,
          by,
          from: change.fromString ?? null,
          to: change.toString ?? '',
          cleared,
        });
      }
    }
  }
  statuses.sort(historyOrder);
  resolutions.sort(historyOrder);
  return { statuses, resolutions };
}

const nameOf = (value: unknown): string | null =>
  value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string'
    ? (value as { name: string }).name
    : null;

/** Builds the draft of one resolved ticket, failing loudly on a ticket that lacks what every ticket has. */
export function ticketDraft(input: {
  kind: TicketKind;
  kindConfig: TicketKindConfig;
  issue: JiraIssue;
  histories: readonly JiraHistory[];
  resolvedAt: string;
  instance: string;
  webUrl: string;
  controlOwner: string | null;
  requests: ProvenanceRequest[];
}): EmittedDraft {
  const { issue, kindConfig } = input;
  const key = issue.key!;
  const item = `ticket ${key}`;
  const fields = issue.fields ?? {};
  if (typeof fields.summary !== 'string') {
    throw new CrosswalkError('CW_SOURCE_DATA', `Jira returned ${item} without a summary`, { where: item });
  }
  const status = nameOf(fields.status);
  if (status === null) {
    throw new CrosswalkError('CW_SOURCE_DATA', `Jira returned ${item} without a status`, { where: item });
  }
  const createdAt = jiraTime(fields.created, item, 'a created time');
  const { statuses, resolutions } = readHistory(input.histories, item);
  // A tolerance of a second: the resolution and the changelog entry that set it are written together, but Jira
  // has been seen to stamp them a few milliseconds apart.
  const horizon = new Date(Date.parse(input.resolvedAt) + 1000).toISOString();
  const resolution = resolutions.filter((r) => !r.cleared && r.at <= horizon).at(-1) ?? null;
  const resolvedBy = resolution?.by ?? null;

  let approval: Transition | null = null;
  if (kindConfig.approvedStatuses) {
    const approved = new Set(kindConfig.approvedStatuses.map((s) => s.toLowerCase()));
    approval = statuses.filter((s) => s.at <= horizon && approved.has(s.to.toLowerCase())).at(-1) ?? null;
  } else if (resolution) {
    // Unconfigured: the approver is whoever resolved it, and the status it moved to in that same change.
    const same = statuses.filter((s) => s.historyId === resolution.historyId).at(-1);
    approval = same ?? { ...resolution, to: status };
  }
  const reporter = personOf(fields.reporter as JiraUser | null);
  const assignee = personOf(fields.assignee as JiraUser | null);
  const subject = subjectOf(fields, kindConfig);
  const approver = approval?.by ?? null;

  const payload: Payload = {
    key,
    project:
      fields.project && typeof fields.project === 'object'
        ? ((fields.project as { key?: string }).key ?? null)
        : null,
    issueType: nameOf(fields.issuetype),
    summary: fields.summary,
    status,
    statusCategory:
      (fields.status as { statusCategory?: { key?: string } } | undefined)?.statusCategory?.key ?? null,
    resolution: nameOf(fields.resolution),
    createdAt,
    resolvedAt: input.resolvedAt,
    reporter,
    assignee,
    resolvedBy,
    approver,
    approvedAt: approval?.at ?? null,
    approvedStatus: approval?.to ?? null,
    approvedByReporter: approver ? samePerson(approver, reporter) : null,
    approvedBySubject: approver && subject.person ? samePerson(approver, subject.person) : null,
    subject: subject.person,
    subjectSource: subject.source,
    statusHistory: statuses.map(({ from, to, at, by }) => ({ from, to, at, by })),
    // What the ticket's configured process covers, stated on the record so the A.5.11 claim rests on it.
    ...(input.kind === 'jira.deprovisioning_ticket' ? { assetReturn: kindConfig.assetReturn ?? false } : {}),
  };

  const owners: Person[] = [];
  for (const person of [approver, resolvedBy]) {
    if (person && !owners.some((known) => samePerson(known, person))) owners.push(person);
  }
  if (owners.length === 0 && assignee) owners.push(assignee);
  const actors: EmittedDraft['actors'] = [];
  const add = (role: string, person: Person | null) => {
    if (person) actors.push({ role, person });
  };
  add('reporter', reporter);
  add('assignee', assignee);
  add('subject', subject.person);
  add('approver', approver);
  add('resolver', resolvedBy);

  return {
    kind: input.kind,
    occurredAt: input.resolvedAt,
    owner: { people: owners, controlOwner: input.controlOwner },
    actors,
    source: { system: 'jira', instance: input.instance, ref: key, url: `${input.webUrl}/browse/${key}` },
    payload,
    requests: input.requests,
  } as EmittedDraft;
}
