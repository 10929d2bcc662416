import {
  createRedactor,
  HttpClient,
  type HttpRequest,
  paginate,
  type RateLimitRule,
  RequestRecorder,
  type SourceSaid,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import { configSecrets, type GitLabConfig, type RequestSettings, requestSettings } from './config.js';
import { VERSION } from './version.js';

/**
 * GitLab's throttling: 429 with Retry-After (seconds) and RateLimit-Reset (epoch seconds).
 * https://docs.gitlab.com/ee/user/gitlab_com/index.html#gitlabcom-specific-rate-limits
 */
export const gitlabRateLimitRule: RateLimitRule = {
  statuses: [429],
  wait: [
    { header: 'retry-after', format: 'seconds' },
    { header: 'ratelimit-reset', format: 'epoch-seconds' },
  ],
  remaining: 'ratelimit-remaining',
};

/** GitLab's error bodies: `{ message }` (a string, or field errors as an object) or OAuth's `{ error }`. */
export function describeGitLabError(body: unknown): SourceSaid {
  if (!body || typeof body !== 'object') return { text: '' };
  const { message, error } = body as { message?: unknown; error?: unknown };
  const said = message ?? error;
  return { text: (typeof said === 'string' ? said : JSON.stringify(said ?? '')).slice(0, 300) };
}

/** A path parameter GitLab takes as an id or a URL-encoded full path (`acme%2Fapi`). */
export function encodeId(id: string | number): string {
  return encodeURIComponent(String(id));
}

type Query = Record<string, string | number | boolean>;

/**
 * One GitLab connection per collection, on the connector kit's client: pinned to `<baseUrl>/api/v4`, the token as
 * PRIVATE-TOKEN, GitLab's throttling waited out, 5xx retried, every attempt recorded (with GitLab's X-Request-Id),
 * every failure a catalogued error without the token.
 */
export class GitLabClient {
  readonly recorder = new RequestRecorder();
  readonly settings: RequestSettings;
  private readonly http: HttpClient;

  constructor(config: GitLabConfig, options: { log: CollectorLogger; signal?: AbortSignal }) {
    this.settings = requestSettings(config);
    this.http = new HttpClient({
      source: 'GitLab',
      baseUrl: `${config.baseUrl.replace(/\/+$/, '')}/api/v4`,
      headers: {
        'private-token': config.token,
        accept: 'application/json',
        'user-agent': `crosswalk-connector-gitlab/${VERSION}`,
      },
      policy: {
        timeoutMs: this.settings.timeoutMs,
        retries: this.settings.retries,
        backoffMs: this.settings.backoffMs,
        maxRateLimitWaitSeconds: this.settings.maxRateLimitWaitSeconds,
      },
      rateLimit: gitlabRateLimitRule,
      requestIdHeader: 'x-request-id',
      describeError: describeGitLabError,
      hints: {
        401: 'check the access token (it may have expired or been revoked)',
        403: 'the token needs the read_api scope and at least Reporter access (audit events: Owner)',
      },
      redact: createRedactor(configSecrets(config), [/\bglpat-[A-Za-z0-9_-]{20,}\b/g]),
      log: options.log,
      signal: options.signal,
      recorder: this.recorder,
    });
  }

  get<T>(path: string, query: Query = {}, what = path): Promise<T> {
    return this.http.json<T>({ url: path, query: query, what });
  }

  /**
   * GET one resource, answering null for a 403 or 404 instead of failing: how GitLab says a Premium feature is not
   * in this tier, or this token may not see it. Any other failure throws.
   */
  async getIfAvailable<T>(path: string, query: Query = {}, what = path): Promise<T | null> {
    const request: HttpRequest = { url: path, query: query, what };
    const answer = await this.http.send(request);
    if (answer.status >= 200 && answer.status < 300) return answer.body as T;
    if (answer.status === 403 || answer.status === 404) return null;
    throw this.http.error(answer, request);
  }

  /** Every page of a list, following GitLab's Link headers (only under the configured API URL). */
  pages<T>(path: string, query: Query = {}, what = path): AsyncGenerator<T[]> {
    const first = { url: path, query: { per_page: this.settings.pageSize, ...query } };
    return paginate<T>(this.http, first, { type: 'link-header' }, { what });
  }

  async all<T>(path: string, query: Query = {}, what = path): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(path, query, what)) items.push(...page);
    return items;
  }

  /** An absolute URL on the instance's API: where an auditor can read the same thing again. */
  url(path: string, query: Query = {}): string {
    return this.http.resolve(path, query).href;
  }
}
