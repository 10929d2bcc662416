import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CollectorLogger,
  CrosswalkError,
  isCrosswalkError,
  RATE_LIMIT_WAIT_EVENT,
  sourceUnreachable,
  unresolvedHost,
} from '@crosswalk/core';
import { configSecrets, type JiraConfig, type RequestSettings, requestSettings } from './config.js';
import { httpError, redact } from './errors.js';
import { provenancePath, RequestRecorder } from './provenance.js';
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

/** One page of `POST /rest/api/3/search/jql` (SearchAndReconcileResults), the fields we read. */
export interface SearchPage<Issue> {
  issues?: Issue[];
  nextPageToken?: string | null;
  isLast?: boolean;
}

/** One page of `GET /rest/api/3/issue/{key}/changelog` (PageBeanChangelog). */
export interface ChangelogPage<History> {
  values?: History[];
  isLast?: boolean;
  nextPage?: string;
  startAt?: number;
  total?: number;
}

export interface JiraClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
}

/** Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * One Jira client per collection: credentials from the config, rate limits and transient failures waited out,
 * every attempt recorded for provenance, every failure turned into a catalogued error without the credential.
 */
export class JiraClient {
  readonly recorder = new RequestRecorder();
  readonly baseUrl: string;
  private readonly authorization: string;
  private readonly secrets: string[];
  private readonly settings: RequestSettings;
  private readonly log: CollectorLogger;
  private readonly signal: AbortSignal | undefined;

  constructor(config: JiraConfig, options: JiraClientOptions) {
    this.baseUrl = config.siteUrl;
    this.settings = requestSettings(config);
    this.secrets = configSecrets(config);
    this.log = options.log;
    this.signal = options.signal;
    this.authorization =
      config.auth.kind === 'basic'
        ? `Basic ${Buffer.from(`${config.auth.email}:${config.auth.apiToken}`).toString('base64')}`
        : `Bearer ${config.auth.accessToken}`;
  }

  get pageSize(): number {
    return this.settings.pageSize;
  }

  /**
   * Every page of an enhanced JQL search, following `nextPageToken` until Jira says it was the last page. The
   * token goes back in the body of a request to the same configured site, so it can never send the credential to
   * another host; a token Jira repeats would loop forever and is refused.
   */
  async *search<Issue>(request: SearchRequest, what: string): AsyncGenerator<Issue[]> {
    let nextPageToken: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.request<SearchPage<Issue>>(
        'POST',
        `${this.baseUrl}/rest/api/3/search/jql`,
        what,
        { maxResults: this.settings.pageSize, ...request, ...(nextPageToken ? { nextPageToken } : {}) },
      );
      if (!page || typeof page !== 'object' || (page.issues !== undefined && !Array.isArray(page.issues))) {
        throw new CrosswalkError('CW_SOURCE_DATA', `Jira answered ${what} with something other than a page`, {
          where: what,
        });
      }
      yield page.issues ?? [];
      const token = page.nextPageToken ?? undefined;
      if (page.isLast === true || token === undefined || token === '') return;
      if (seen.has(token)) {
        throw new CrosswalkError('CW_SOURCE_DATA', `Jira repeated a nextPageToken for ${what}`, {
          where: what,
        });
      }
      seen.add(token);
      nextPageToken = token;
    }
  }

  /**
   * An issue's whole changelog, oldest first, page by page. A `nextPage` link is followed only when it stays on
   * the configured site (same origin, under the same path); otherwise the next page is asked for by `startAt`.
   */
  async changelog<History>(issueKey: string, startAt = 0): Promise<History[]> {
    const what = `changelog of ${issueKey}`;
    const histories: History[] = [];
    let url = `${this.baseUrl}/rest/api/3/issue/${encodeURIComponent(issueKey)}/changelog?startAt=${startAt}&maxResults=${this.settings.changelogPageSize}`;
    for (let pages = 0; ; pages++) {
      const page = await this.request<ChangelogPage<History>>('GET', url, what);
      if (!page || typeof page !== 'object' || !Array.isArray(page.values)) {
        throw new CrosswalkError('CW_SOURCE_DATA', `Jira answered the ${what} without a list of values`, {
          where: what,
        });
      }
      histories.push(...page.values);
      if (page.isLast === true || page.values.length === 0) return histories;
      if (pages > 10_000) {
        throw new CrosswalkError('CW_SOURCE_DATA', `Jira's ${what} does not end`, { where: what });
      }
      if (page.nextPage) {
        this.assertOnSite(page.nextPage, what);
        url = page.nextPage;
      } else {
        url = `${this.baseUrl}/rest/api/3/issue/${encodeURIComponent(issueKey)}/changelog?startAt=${startAt + histories.length}&maxResults=${this.settings.changelogPageSize}`;
      }
    }
  }

  /** One request, with waits and retries for 429, 5xx and network failures; each attempt is recorded. */
  async request<T>(method: 'GET' | 'POST', url: string, what: string, body?: unknown): Promise<T> {
    const path = provenancePath(url);
    const label = `${method} ${path}`;
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = attempt < this.settings.retries;
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.settings.timeoutMs)];
        if (this.signal) signals.push(this.signal);
        response = await fetch(url, {
          method,
          headers: {
            authorization: this.authorization,
            accept: 'application/json',
            'user-agent': `crosswalk-connector-jira/${VERSION}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any(signals),
          redirect: 'manual',
        });
      } catch (error) {
        if (this.signal?.aborted) {
          throw new CrosswalkError('CW_SOURCE_UNAVAILABLE', `request to Jira was aborted (${what})`, {
            where: what,
          });
        }
        // A name that does not resolve is not retried (the rule: packages/core/src/network.ts).
        const unresolved = unresolvedHost(error);
        if (unresolved !== undefined) throw sourceUnreachable('Jira', unresolved, what);
        const reason = redact(
          `${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}${causeOf(error)}`,
          this.secrets,
        );
        if (!retriesLeft) {
          throw new CrosswalkError('CW_SOURCE_UNAVAILABLE', `could not reach Jira for ${label}: ${reason}`, {
            where: what,
          });
        }
        await this.wait(this.backoff(attempt), `could not reach Jira (${reason}); retrying`, label, attempt);
        continue;
      }
      const requestId = response.headers.get(REQUEST_ID_HEADER);
      this.recorder.record({ method, path, status: response.status, requestId });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
        if (response.ok) {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `Jira answered ${label} with something other than JSON`,
            {
              where: what,
            },
          );
        }
      }
      if (response.ok) return parsed as T;
      const status = response.status;
      const error = httpError({
        status,
        request: label,
        body: parsed,
        statusText: response.statusText,
        what,
        secrets: this.secrets,
      });
      if (status === 429 || status === 503) {
        // Jira Cloud's rate limits answer 429 (and 503 under load) with Retry-After in seconds.
        // https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
        const header = retryAfterSeconds(response.headers.get('retry-after'));
        const waitSeconds = header ?? this.backoff(attempt) / 1000;
        if (waitSeconds > this.settings.maxRateLimitWaitSeconds) {
          throw new CrosswalkError(
            'CW_SOURCE_UNAVAILABLE',
            `Jira's rate limit did not reset within the allowed wait (${status}, Retry-After ${waitSeconds}s > ` +
              `${this.settings.maxRateLimitWaitSeconds}s) for ${label}`,
            { where: what },
          );
        }
        if (!retriesLeft) {
          throw new CrosswalkError(
            'CW_SOURCE_UNAVAILABLE',
            `Jira kept answering ${status} after ${attempt + 1} attempts for ${label}`,
            { where: what },
          );
        }
        await this.wait(waitSeconds * 1000, `Jira rate limit (${status})`, label, attempt, true);
        continue;
      }
      if (status >= 500 && retriesLeft) {
        await this.wait(this.backoff(attempt), `Jira failed (${status}); retrying`, label, attempt);
        continue;
      }
      throw error;
    }
  }

  private backoff(attempt: number): number {
    return this.settings.backoffMs * 2 ** attempt;
  }

  private async wait(
    ms: number,
    reason: string,
    request: string,
    attempt: number,
    limit = false,
  ): Promise<void> {
    this.log.warn(
      { request, attempt: attempt + 1, waitMs: ms, ...(limit ? { event: RATE_LIMIT_WAIT_EVENT } : {}) },
      `${reason}; waiting ${Math.round(ms / 100) / 10}s before retrying`,
    );
    try {
      await sleep(ms, undefined, this.signal ? { signal: this.signal } : undefined);
    } catch (error) {
      if (isCrosswalkError(error)) throw error;
      throw new CrosswalkError(
        'CW_SOURCE_UNAVAILABLE',
        `request to Jira was aborted while waiting (${request})`,
      );
    }
  }

  private assertOnSite(link: string, what: string): void {
    const base = new URL(this.baseUrl);
    let next: URL;
    try {
      next = new URL(link);
    } catch {
      throw new CrosswalkError('CW_SOURCE_DATA', `Jira returned an unparseable next-page link for ${what}`, {
        where: what,
      });
    }
    const basePath = base.pathname.replace(/\/+$/, '');
    const onSite =
      next.origin === base.origin && (basePath === '' || next.pathname.startsWith(`${basePath}/`));
    if (!onSite) {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `Jira's next-page link for ${what} points to ${next.host}${next.pathname}, outside the configured site ` +
          `${base.host}${basePath}; refusing to follow it (the credential would go there)`,
        { where: what },
      );
    }
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (!cause) return '';
  return ` (${String(cause.code ?? cause.message ?? cause)})`;
}
