/**
 * What the fake Jira knows: one site with users and issues, each with its changelog, and which issues each JQL
 * selects. Tests build it with the helpers below; the server renders it in Jira Cloud v3 shapes.
 */

export interface FakeUser {
  accountId: string;
  displayName: string;
  /** null: hidden by the user's privacy settings, as Jira Cloud usually does for API tokens. */
  emailAddress: string | null;
}

export interface FakeChangeItem {
  field: string;
  fieldId?: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface FakeHistory {
  id: string;
  /** UTC timestamp. */
  at: string;
  author: FakeUser | null;
  items: FakeChangeItem[];
}

export interface FakeIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  summary: string;
  status: string;
  statusCategory: 'new' | 'indeterminate' | 'done';
  resolution: string | null;
  /** UTC timestamps. */
  created: string;
  resolved: string | null;
  reporter: FakeUser | null;
  assignee: FakeUser | null;
  /** Custom field values as Jira returns them (a user object, a string, an option, an array). */
  custom: Record<string, unknown>;
  histories: FakeHistory[];
}

export interface FakeSite {
  users: FakeUser[];
  issues: FakeIssue[];
  /** The JQL each ticket kind is configured with, and the keys it selects (before the resolution bounds). */
  queries: Record<string, string[]>;
  /** JQL Jira refuses with a 400, as it does for an unknown field or project. */
  invalidQueries: string[];
  /** The searching account's time zone, as minutes east of UTC: JQL dates and answer times use it. */
  utcOffsetMinutes: number;
  /** The most issues Jira puts on one search page, whatever maxResults asks for. */
  maxPageSize: number;
  /** How many changelog entries the search answer includes per issue before one must page the changelog. */
  changelogInSearch: number;
}

let nextId = 10_000;

export function user(handle: string, displayName: string, emailAddress: string | null = null): FakeUser {
  const accountId = `5b10ac8d82e05b22cc7d${Buffer.from(handle).toString('hex').padEnd(8, '0').slice(0, 8)}`;
  return { accountId, displayName, emailAddress };
}

export interface TicketSpec {
  project?: string;
  issueType?: string;
  summary: string;
  created: string;
  reporter?: FakeUser | null;
  assignee?: FakeUser | null;
  custom?: Record<string, unknown>;
  /** Status transitions after creation (the ticket starts in `Open`), in order. */
  transitions?: { to: string; at: string; by: FakeUser | null }[];
  /** Resolved by the last transition, with this resolution; unset leaves the ticket unresolved. */
  resolution?: string;
  /** Unrelated edits (a comment, a label), to pad the changelog. */
  edits?: { at: string; by: FakeUser | null }[];
}

const CATEGORY: Record<string, FakeIssue['statusCategory']> = {
  open: 'new',
  'to do': 'new',
  'in progress': 'indeterminate',
  'waiting for approval': 'indeterminate',
  approved: 'indeterminate',
  done: 'done',
  closed: 'done',
  declined: 'done',
};

/** A ticket and the changelog Jira would have written for it. */
export function ticket(key: string, spec: TicketSpec): FakeIssue {
  const histories: FakeHistory[] = [];
  let status = 'Open';
  let resolved: string | null = null;
  const transitions = spec.transitions ?? [];
  const events = [
    ...transitions.map((t, index) => ({ kind: 'transition' as const, index, ...t })),
    ...(spec.edits ?? []).map((e) => ({ kind: 'edit' as const, index: -1, to: '', ...e })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const event of events) {
    const id = String(nextId++);
    if (event.kind === 'edit') {
      histories.push({
        id,
        at: event.at,
        author: event.by,
        items: [
          { field: 'labels', fieldId: 'labels', from: null, fromString: '', to: null, toString: 'access' },
        ],
      });
      continue;
    }
    const items: FakeChangeItem[] = [
      {
        field: 'status',
        fieldId: 'status',
        from: String(statusId(status)),
        fromString: status,
        to: String(statusId(event.to)),
        toString: event.to,
      },
    ];
    const last = event.index === transitions.length - 1;
    if (last && spec.resolution) {
      items.push({
        field: 'resolution',
        fieldId: 'resolution',
        from: null,
        fromString: null,
        to: '10000',
        toString: spec.resolution,
      });
      resolved = event.at;
    }
    histories.push({ id, at: event.at, author: event.by, items });
    status = event.to;
  }
  return {
    id: String(nextId++),
    key,
    project: spec.project ?? key.split('-')[0]!,
    issueType: spec.issueType ?? 'Task',
    summary: spec.summary,
    status,
    statusCategory: CATEGORY[status.toLowerCase()] ?? 'indeterminate',
    resolution: resolved ? (spec.resolution ?? null) : null,
    created: spec.created,
    resolved,
    reporter: spec.reporter ?? null,
    assignee: spec.assignee ?? null,
    custom: spec.custom ?? {},
    histories,
  };
}

function statusId(name: string): number {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.charCodeAt(0)) % 9000;
  return 10_000 + hash;
}

export function site(spec: Partial<FakeSite> & Pick<FakeSite, 'issues' | 'queries'>): FakeSite {
  return {
    users: [],
    invalidQueries: [],
    utcOffsetMinutes: 0,
    maxPageSize: 100,
    changelogInSearch: 100,
    ...spec,
  };
}

/** A UTC timestamp in the shape Jira writes it, in the given zone: `2026-03-02T05:15:30.123-0500`. */
export function jiraTimeText(utc: string, offsetMinutes: number): string {
  // Not a time at all: sent as it is, to play a site that returns garbage.
  if (Number.isNaN(Date.parse(utc))) return utc;
  const local = new Date(Date.parse(utc) + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
