/**
 * A Jira Cloud on loopback: the enhanced JQL search (`POST /rest/api/3/search/jql`, `nextPageToken` paging) and
 * the issue changelog (`GET /rest/api/3/issue/{key}/changelog`, `startAt` paging with `nextPage` links), answered
 * from a FakeSite in Jira Cloud v3 shapes. Every request body and every answer is checked against Atlassian's
 * OpenAPI description; anything that does not match is collected in `violations`, which tests require to be empty.
 */
import { FakeApi, type FakeRequest, type Fault } from '@crosswalk/sandbox';
import { type FakeHistory, type FakeIssue, type FakeSite, type FakeUser, jiraTimeText } from './model.js';
import { jiraOpenApi } from './openapi.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
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

export class FakeJira extends FakeApi {
  private constructor(readonly options: FakeJiraOptions) {
    super(options.prefix ?? '', 'x-arequestid');
  }

  static start(options: FakeJiraOptions): Promise<FakeJira> {
    return new FakeJira(options).listen();
  }

  get site(): FakeSite {
    return this.options.site;
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    return jiraOpenApi().checkResponse(request.method, request.operation!, status, body);
  }

  /** Jira's `X-AREQUESTID` shape. */
  protected override requestId(n: number): string {
    return `${600 + n}x${1_000_000 + n}x1`;
  }

  protected override notFound(request: FakeRequest): void {
    this.send(request, 404, { errorMessages: ['Not Found'], errors: {} });
  }

  protected override route(context: FakeRequest) {
    const { method, path, body } = context;
    if (method === 'POST' && path === SEARCH) context.operation = SEARCH;
    if (method === 'GET' && CHANGELOG.test(path))
      context.operation = '/rest/api/3/issue/{issueIdOrKey}/changelog';
    if (!this.authorized(context.request.headers.authorization)) {
      return this.send(context, 401, {
        errorMessages: ['Client must be authenticated to access this resource.'],
        errors: {},
      });
    }
    if (method === 'POST' && path === SEARCH) return this.search(context, body);
    const changelog = CHANGELOG.exec(path);
    if (method === 'GET' && changelog) {
      return this.changelog(context, decodeURIComponent(changelog[1]!), context.url.searchParams);
    }
    this.violations.push(`the fake Jira has no route for ${method} ${path}`);
    return this.notFound(context);
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
      return this.send(context, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
    }
    const inner = bounds[1]!;
    if (this.site.invalidQueries.includes(inner)) {
      return this.send(context, 400, {
        errorMessages: [`Error in the JQL Query: Expecting operator but got 'IS'. The query was: ${inner}`],
        errors: {},
      });
    }
    const keys = this.site.queries[inner];
    if (!keys) {
      this.violations.push(`the fake Jira was not told what ${JSON.stringify(inner)} selects`);
      return this.send(context, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
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
    return this.send(context, 200, {
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
      return this.send(context, 400, { errorMessages: ['Error in the JQL Query'], errors: {} });
    }
    const issue = this.site.issues.find((i) => i.key === key);
    if (!issue) {
      return this.send(context, 400, {
        errorMessages: [`An issue with key '${key}' does not exist for field 'key'.`],
        errors: {},
      });
    }
    const fields = request.fields ?? ['id'];
    const withChangelog = (request.expand ?? '').split(',').includes('changelog');
    return this.send(context, 200, {
      issues: keys.includes(key) ? [this.issueBean(issue, fields, withChangelog)] : [],
      isLast: true,
    });
  }

  private changelog(context: Context, key: string, query: URLSearchParams) {
    const issue = this.site.issues.find((i) => i.key === key || i.id === key);
    if (!issue) {
      return this.send(context, 404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
    }
    const startAt = Number(query.get('startAt') ?? 0);
    const maxResults = Math.min(Number(query.get('maxResults') ?? 100), 100);
    const values = issue.histories.slice(startAt, startAt + maxResults);
    const isLast = startAt + maxResults >= issue.histories.length;
    const base = `${this.linkBase}/rest/api/3/issue/${issue.key}/changelog`;
    return this.send(context, 200, {
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
}

type Context = FakeRequest;
