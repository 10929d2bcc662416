/**
 * A Jira Cloud on loopback: the enhanced JQL search (`POST /rest/api/3/search/jql`, `nextPageToken` paging) and
 * the issue changelog (`GET /rest/api/3/issue/{key}/changelog`, `startAt` paging with `nextPage` links), answered
 * from a FakeSite in Jira Cloud v3 shapes. Every request body and every answer is checked against Atlassian's
 * OpenAPI description; anything that does not match is collected in `violations`, which tests require to be empty.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeHistory, type FakeIssue, type FakeSite, type FakeUser, jiraTimeText } from './model.js';
import { jiraOpenApi } from './openapi.js';

export * from './model.js';

export interface FakeJiraOptions {
  site: FakeSite;
  /** Basic credentials (`email:apiToken`) the server accepts. */
  basic?: { email: string; apiToken: string };
  /** An OAuth 2.0 bearer token the server accepts. */
  bearer?: string;
  /** Serve under a path, as `https://api.atlassian.com/ex/jira/<cloudId>` does for OAuth apps. */
  prefix?: string;
}

/** An answer to give instead of the real one, `times` times, to requests whose path matches. */
export interface Fault {
  method?: string;
  path: string | RegExp;
  times?: number;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  requestId: string;
  authorization: string | undefined;
  body: unknown;
}

const SEARCH = '/rest/api/3/search/jql';
const CHANGELOG = /^\/rest\/api\/3\/issue\/([^/]+)\/changelog$/;
const BOUNDS =
  /^\((.*)\) AND resolved >= "(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})" AND resolved < "(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})" ORDER BY resolved ASC, key ASC$/s;
/** The configured JQL narrowed to one ticket, as a webhook-triggered collection asks for it. */
const KEYED = /^\((.*)\) AND key = "([^"]+)" ORDER BY key ASC$/s;

/** Jira Cloud's 429: Retry-After in seconds and the rate-limit headers of its points-based limits. */
export function tooManyRequests(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 429,
    headers: {
      'retry-after': String(retryAfterSeconds),
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '0',
      'ratelimit-reason': 'jira-quota-global-based',
    },
    body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
  };
}

export class FakeJira {
  readonly requests: ReceivedRequest[] = [];
  readonly violations: string[] = [];
  /** Where changelog `nextPage` links point; set it to another origin to play a site that links elsewhere. */
  linkOrigin: string | undefined;
  url = '';
  origin = '';
  private readonly server: Server;
  private readonly faults: (Fault & { remaining: number })[] = [];
  private requestCount = 0;

  private constructor(readonly options: FakeJiraOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.violations.push(`server error: ${(error as Error).stack ?? String(error)}`);
        response.writeHead(500).end();
      });
    });
  }

  static async start(options: FakeJiraOptions): Promise<FakeJira> {
    const fake = new FakeJira(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.origin = `http://127.0.0.1:${port}`;
    fake.url = `${fake.origin}${options.prefix ?? ''}`;
    return fake;
  }

  get site(): FakeSite {
    return this.options.site;
  }

  fault(fault: Fault): this {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
    return this;
  }

  received(path: string | RegExp): ReceivedRequest[] {
    return this.requests.filter((r) =>
      typeof path === 'string' ? r.path.startsWith(path) : path.test(r.path),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    const prefix = this.options.prefix ?? '';
    const context = { request, response, method, body, route: '' };
    if (!url.pathname.startsWith(`${prefix}/`)) {
      return this.send(context, url.pathname, 404, { errorMessages: ['Not Found'], errors: {} });
    }
    const path = url.pathname.slice(prefix.length);
    if (method === 'POST' && path === SEARCH) context.route = SEARCH;
    if (method === 'GET' && CHANGELOG.test(path))
      context.route = '/rest/api/3/issue/{issueIdOrKey}/changelog';
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method === method) &&
        (typeof f.path === 'string' ? path === f.path : f.path.test(path)),
    );
    if (fault) {
      fault.remaining -= 1;
      return this.send(context, path, fault.status, fault.body, fault.headers);
    }
    if (!this.authorized(request.headers.authorization)) {
      // Jira Cloud's answer to a bad API token or an expired OAuth token.
      return this.send(context, path, 401, {
        errorMessages: ['Client must be authenticated to access this resource.'],
        errors: {},
      });
    }
    if (method === 'POST' && path === SEARCH) return this.search(context, body);
    const changelog = CHANGELOG.exec(path);
    if (method === 'GET' && changelog) {
      return this.changelog(context, decodeURIComponent(changelog[1]!), url.searchParams);
    }
    this.violations.push(`the fake Jira has no route for ${method} ${path}`);
    return this.send(context, path, 404, { errorMessages: ['Not Found'], errors: {} });
  }

  private authorized(header: string | undefined): boolean {
    const { basic, bearer } = this.options;
    if (basic && header === `Basic ${Buffer.from(`${basic.email}:${basic.apiToken}`).toString('base64')}`) {
      return true;
    }
    return bearer !== undefined && header === `Bearer ${bearer}`;
  }

  private search(context: Context, body: unknown) {
    const problems = jiraOpenApi().checkRequest('POST', SEARCH, body);
    this.violations.push(...problems);
    const request = body as {
      jql?: string;
      fields?: string[];
      expand?: string;
      maxResults?: number;
      nextPageToken?: string;
    };
    const jql = request.jql ?? '';
    const keyed = KEYED.exec(jql);
    if (keyed) return this.searchKey(context, keyed[1]!, keyed[2]!, request);
    const bounds = BOUNDS.exec(jql);
    if (!bounds) {
      this.violations.push(`the fake Jira cannot read the JQL ${JSON.stringify(jql)}`);
      return this.send(context, SEARCH, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
    }
    const inner = bounds[1]!;
    if (this.site.invalidQueries.includes(inner)) {
      return this.send(context, SEARCH, 400, {
        errorMessages: [`Error in the JQL Query: Expecting operator but got 'IS'. The query was: ${inner}`],
        errors: {},
      });
    }
    const keys = this.site.queries[inner];
    if (!keys) {
      this.violations.push(`the fake Jira was not told what ${JSON.stringify(inner)} selects`);
      return this.send(context, SEARCH, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
    }
    // JQL dates are minutes in the searching account's time zone.
    const local = (parts: string[]) =>
      Date.UTC(+parts[0]!, +parts[1]! - 1, +parts[2]!, +parts[3]!, +parts[4]!) -
      this.site.utcOffsetMinutes * 60_000;
    const from = local(bounds.slice(2, 7));
    const to = local(bounds.slice(7, 12));
    const matching = this.site.issues
      .filter((issue) => keys.includes(issue.key) && issue.resolved !== null)
      .filter((issue) => {
        const minute = Math.floor(Date.parse(issue.resolved!) / 60_000) * 60_000;
        return minute >= from && minute < to;
      })
      .sort((a, b) =>
        a.resolved! < b.resolved! ? -1 : a.resolved! > b.resolved! ? 1 : a.key < b.key ? -1 : 1,
      );
    const offset = request.nextPageToken
      ? Number(JSON.parse(Buffer.from(request.nextPageToken, 'base64url').toString('utf8')).offset)
      : 0;
    const size = Math.min(request.maxResults ?? 50, this.site.maxPageSize);
    const page = matching.slice(offset, offset + size);
    const last = offset + size >= matching.length;
    const fields = request.fields ?? ['id'];
    const withChangelog = (request.expand ?? '').split(',').includes('changelog');
    return this.send(context, SEARCH, 200, {
      issues: page.map((issue) => this.issueBean(issue, fields, withChangelog)),
      isLast: last,
      ...(last
        ? {}
        : {
            nextPageToken: Buffer.from(JSON.stringify({ offset: offset + size, jql: jql.length })).toString(
              'base64url',
            ),
          }),
    });
  }

  /**
   * `(<jql>) AND key = "K"`: the ticket if the JQL selects it, resolved or not and whenever. A key no issue has is
   * Jira's 400 naming it, as Jira Cloud answers JQL with an unknown issue key.
   */
  private searchKey(
    context: Context,
    inner: string,
    key: string,
    request: { fields?: string[]; expand?: string },
  ) {
    const keys = this.site.queries[inner];
    if (!keys) {
      this.violations.push(`the fake Jira was not told what ${JSON.stringify(inner)} selects`);
      return this.send(context, SEARCH, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
    }
    const issue = this.site.issues.find((i) => i.key === key);
    if (!issue) {
      return this.send(context, SEARCH, 400, {
        errorMessages: [`An issue with key '${key}' does not exist for field 'key'.`],
        errors: {},
      });
    }
    const fields = request.fields ?? ['id'];
    const withChangelog = (request.expand ?? '').split(',').includes('changelog');
    return this.send(context, SEARCH, 200, {
      issues: keys.includes(key) ? [this.issueBean(issue, fields, withChangelog)] : [],
      isLast: true,
    });
  }

  private changelog(context: Context, key: string, query: URLSearchParams) {
    const issue = this.site.issues.find((i) => i.key === key || i.id === key);
    if (!issue) {
      return this.send(context, `/rest/api/3/issue/${key}/changelog`, 404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
    }
    const startAt = Number(query.get('startAt') ?? 0);
    const maxResults = Math.min(Number(query.get('maxResults') ?? 100), 100);
    const values = issue.histories.slice(startAt, startAt + maxResults);
    const isLast = startAt + maxResults >= issue.histories.length;
    const base = `${this.linkOrigin ?? this.origin}${this.options.prefix ?? ''}/rest/api/3/issue/${issue.key}/changelog`;
    return this.send(context, `/rest/api/3/issue/${key}/changelog`, 200, {
      self: `${base}?startAt=${startAt}&maxResults=${maxResults}`,
      ...(isLast ? {} : { nextPage: `${base}?startAt=${startAt + maxResults}&maxResults=${maxResults}` }),
      maxResults,
      startAt,
      total: issue.histories.length,
      isLast,
      values: values.map((history) => this.history(history)),
    });
  }

  private time(utc: string): string {
    return jiraTimeText(utc, this.site.utcOffsetMinutes);
  }

  private userBean(user: FakeUser | null): unknown {
    if (!user) return null;
    return {
      self: `${this.url}/rest/api/3/user?accountId=${user.accountId}`,
      accountId: user.accountId,
      ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}),
      avatarUrls: {
        '48x48': `https://avatar-management.example/${user.accountId}/48`,
        '24x24': `https://avatar-management.example/${user.accountId}/24`,
        '16x16': `https://avatar-management.example/${user.accountId}/16`,
        '32x32': `https://avatar-management.example/${user.accountId}/32`,
      },
      displayName: user.displayName,
      active: true,
      timeZone: 'Etc/UTC',
      accountType: 'atlassian',
    };
  }

  private history(history: FakeHistory): unknown {
    return {
      id: history.id,
      ...(history.author ? { author: this.userBean(history.author) } : {}),
      created: this.time(history.at),
      // The description types from/to as strings; an empty side is left out rather than sent as null.
      items: history.items.map((item) => {
        const change: Record<string, string> = { field: item.field, fieldtype: 'jira' };
        if (item.fieldId) change.fieldId = item.fieldId;
        for (const side of ['from', 'fromString', 'to', 'toString'] as const) {
          const value = item[side];
          if (value !== null) change[side] = value;
        }
        return change;
      }),
    };
  }

  private issueBean(issue: FakeIssue, fields: string[], withChangelog: boolean): unknown {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      status: {
        self: `${this.url}/rest/api/3/status/1`,
        description: '',
        iconUrl: `${this.url}/images/icons/statuses/generic.png`,
        name: issue.status,
        id: '1',
        statusCategory: {
          self: `${this.url}/rest/api/3/statuscategory/3`,
          id: { new: 2, indeterminate: 4, done: 3 }[issue.statusCategory],
          key: issue.statusCategory,
          colorName: { new: 'blue-gray', indeterminate: 'yellow', done: 'green' }[issue.statusCategory],
          name: { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.statusCategory],
        },
      },
      created: this.time(issue.created),
      resolutiondate: issue.resolved ? this.time(issue.resolved) : null,
      resolution: issue.resolution
        ? {
            self: `${this.url}/rest/api/3/resolution/10000`,
            id: '10000',
            description: 'Work has been completed on this issue.',
            name: issue.resolution,
          }
        : null,
      reporter: this.userBean(issue.reporter),
      assignee: this.userBean(issue.assignee),
      issuetype: {
        self: `${this.url}/rest/api/3/issuetype/10001`,
        id: '10001',
        description: '',
        iconUrl: `${this.url}/images/icons/issuetypes/task.png`,
        name: issue.issueType,
        subtask: false,
        avatarId: 10318,
        hierarchyLevel: 0,
      },
      project: {
        self: `${this.url}/rest/api/3/project/10000`,
        id: '10000',
        key: issue.project,
        name: `${issue.project} project`,
        projectTypeKey: 'service_desk',
        simplified: false,
      },
      ...issue.custom,
    };
    const selected: Record<string, unknown> = {};
    for (const field of fields) {
      if (Object.hasOwn(all, field)) selected[field] = all[field];
    }
    const histories = issue.histories.slice(0, this.site.changelogInSearch);
    return {
      expand: 'operations,versionedRepresentations,editmeta,changelog,renderedFields',
      id: issue.id,
      self: `${this.url}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: selected,
      ...(withChangelog
        ? {
            changelog: {
              startAt: 0,
              maxResults: histories.length,
              total: issue.histories.length,
              histories: histories.map((history) => this.history(history)),
            },
          }
        : {}),
    };
  }

  private send(
    context: Context,
    path: string,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.requestCount += 1;
    const requestId = `${600 + this.requestCount}x${1_000_000 + this.requestCount}x1`;
    if (context.route) {
      this.violations.push(...jiraOpenApi().checkResponse(context.method, context.route, status, body));
    }
    this.requests.push({
      method: context.method,
      path,
      status,
      requestId,
      authorization: context.request.headers.authorization,
      body: context.body,
    });
    context.response.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'x-arequestid': requestId,
      ...headers,
    });
    context.response.end(body === undefined ? '' : JSON.stringify(body));
  }
}

interface Context {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  body: unknown;
  route: string;
}
