import {
  createRedactor,
  HttpClient,
  jiraRateLimitRule,
  paginate,
  type RequestRecorder,
  requestPolicyOf,
  type SourceSaid,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import { configSecrets, type JiraConfig, type RequestSettings, requestSettings } from './config.js';
import { ATLASSIAN_TOKEN, jiraMessage } from './errors.js';
import { VERSION } from './version.js';

/** Jira Cloud's request id header: quoted in Atlassian support cases, and our provenance's `requestId`. */
const REQUEST_ID_HEADER = 'x-arequestid';

/** The fields of `POST /rest/api/3/search/jql` (SearchAndReconcileRequestBean) the connector sends. */
export interface SearchRequest {
  jql: string;
  fields: string[];
  expand?: string;
  maxResults?: number;
}

export interface JiraClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
}

/**
 * One Jira connection per collection, on the connector kit's client: credentials from the config, Jira's rate
 * limits (429, and 503 under load, with Retry-After) and transient failures waited out, every attempt recorded for
 * provenance, every failure a catalogued error without the credential.
 */
export class JiraClient {
  readonly http: HttpClient;
  readonly baseUrl: string;
  private readonly settings: RequestSettings;

  constructor(config: JiraConfig, options: JiraClientOptions) {
    this.baseUrl = config.siteUrl;
    this.settings = requestSettings(config);
    const authorization =
      config.auth.kind === 'basic'
        ? `Basic ${Buffer.from(`${config.auth.email}:${config.auth.apiToken}`).toString('base64')}`
        : `Bearer ${config.auth.accessToken}`;
    this.http = new HttpClient({
      source: 'Jira',
      baseUrl: config.siteUrl,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': `crosswalk-connector-jira/${VERSION}`,
      },
      policy: requestPolicyOf(this.settings),
      // A 429 is retried as often as any other failure: `requests.retries` is Jira's one retry budget.
      rateLimit: { ...jiraRateLimitRule, maxRetries: this.settings.retries },
      requestIdHeader: REQUEST_ID_HEADER,
      describeError: (body): SourceSaid => ({ text: jiraMessage(body, '') }),
      hints: {
        401: 'check the email and API token, or the OAuth access token',
        403: 'the account needs the Browse projects permission on the projects the JQL reads (OAuth: the read:jira-work scope)',
        404: 'it does not exist, or the credentials cannot see it',
      },
      redact: createRedactor(configSecrets(config), [ATLASSIAN_TOKEN]),
      log: options.log,
      signal: options.signal,
    });
  }

  get recorder(): RequestRecorder {
    return this.http.recorder;
  }

  get pageSize(): number {
    return this.settings.pageSize;
  }

  /**
   * Every page of an enhanced JQL search, following `nextPageToken` (in the body of a request to the same
   * configured site) until Jira says it was the last page; a token Jira repeats is refused.
   */
  search<Issue>(request: SearchRequest, what: string): AsyncGenerator<Issue[]> {
    return paginate<Issue>(
      this.http,
      {
        method: 'POST',
        url: '/rest/api/3/search/jql',
        body: { maxResults: this.settings.pageSize, ...request },
      },
      {
        type: 'token',
        items: 'issues',
        token: 'nextPageToken',
        param: 'nextPageToken',
        in: 'body',
        last: 'isLast',
      },
      { what, missingItemsAreEmpty: true },
    );
  }

  /**
   * An issue's whole changelog, oldest first. A `nextPage` link is followed only when it stays on the configured
   * site (same origin, under the same path); without one, the next page is asked for by `startAt`.
   */
  async changelog<History>(issueKey: string, startAt = 0): Promise<History[]> {
    const histories: History[] = [];
    const pages = paginate<History>(
      this.http,
      {
        url: `/rest/api/3/issue/${encodeURIComponent(issueKey)}/changelog`,
        query: { startAt, maxResults: this.settings.changelogPageSize },
      },
      { type: 'body-link', items: 'values', link: 'nextPage', last: 'isLast', offsetParam: 'startAt' },
      { what: `changelog of ${issueKey}`, maxPages: 10_000 },
    );
    for await (const page of pages) histories.push(...page);
    return histories;
  }
}
