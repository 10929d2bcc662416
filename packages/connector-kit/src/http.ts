import {
  type CollectorLogger,
  CrosswalkError,
  RATE_LIMIT_WAIT_EVENT,
  sourceUnreachable,
  unresolvedHost,
} from '@crosswalk/core';
import { type ErrorHints, httpSourceError, networkSourceError, type SourceSaid } from './errors.js';
import { provenancePath, RequestRecorder } from './provenance.js';
import {
  bodyLimit,
  budgetExhausted,
  isLimited,
  type RateLimitRule,
  rateLimitWaitMs,
  readsBody,
  retryAfterRule,
} from './rate-limit.js';
import type { Redactor } from './redact.js';

/** How hard a connection tries: one shape for every connector's `requests` settings. */
export interface RequestPolicy {
  /** Each attempt is cut off after this long. @defaultValue 30_000 */
  timeoutMs: number;
  /** Network failures and 5xx answers are retried this many times. @defaultValue 4 */
  retries: number;
  /** The first retry waits this long, each next one twice as long. @defaultValue 1_000 */
  backoffMs: number;
  /** A rate limit that resets later than this fails the request instead of stalling the run. @defaultValue 900 */
  maxRateLimitWaitSeconds: number;
}

export const DEFAULT_REQUEST_POLICY: RequestPolicy = {
  timeoutMs: 30_000,
  retries: 4,
  backoffMs: 1_000,
  maxRateLimitWaitSeconds: 900,
};

/** Everything a connection to one source needs; the connector says it once, as data. */
export interface HttpClientOptions {
  /** The source's name for people: `Jira`. */
  source: string;
  /**
   * Where the API lives. Every request, first pages and followed links alike, must stay on its origin and under
   * its path: a link elsewhere is refused before anything is sent, so the credential never leaves.
   */
  baseUrl: string;
  /** Headers sent with every request (the Authorization value, Accept, User-Agent). */
  headers: Record<string, string>;
  /**
   * Headers asked for before each request, for credentials that change during a run (a GitHub App installation
   * token renewed before it expires); they win over `headers`.
   */
  credentials?: () => Promise<Record<string, string>>;
  policy: RequestPolicy;
  rateLimit?: RateLimitRule;
  /** The source's request id header (`x-arequestid`), cited in provenance. */
  requestIdHeader: string;
  /** Reads a failed answer into the source's own code and words, and a hint of its own when it gives one. */
  describeError?: (body: unknown, headers: Headers) => SourceSaid;
  hints?: ErrorHints;
  redact: Redactor;
  log: CollectorLogger;
  signal?: AbortSignal | undefined;
  recorder?: RequestRecorder;
  /** Injected in tests; real waits otherwise. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An absolute URL, or a path below the base URL (empty: the base URL itself). */
  url: string;
  /** Query parameters added to the URL; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON-encoded unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** What is being read, for people and for the error's `where`. */
  what?: string;
}

/** A source's answer, read whole: status, headers, the body as JSON (or text when it is not JSON). */
export interface HttpAnswer {
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  body: unknown;
  /** Set when the answer is a rate limit not waited out (it resets too late, or it outlasted the retries). */
  rateLimitWaitMs?: number;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

/** A response read whole: its body as JSON, or as text when it is not JSON (a proxy's HTML page), absent when empty. */
export async function readAnswer(url: URL, response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // Not JSON: the text is the detail.
  }
  return {
    url: url.href,
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    text,
    body,
  };
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One HTTP client for every connector, on Node's fetch:
 * - pins every request to the base URL (origin and path), redirects are not followed;
 * - cuts each attempt off after `timeoutMs`;
 * - waits out rate limits as the source's rule says, from its headers or its body (bounded by
 *   `maxRateLimitWaitSeconds`), including before a request to an endpoint whose budget an earlier answer reported
 *   used up;
 * - retries network failures and 5xx answers with exponential backoff, except a host name that does not resolve
 *   (CW_SOURCE_UNREACHABLE at once);
 * - records every attempt that got an answer (method, path without secrets, status, request id);
 * - turns failures into the catalogued errors, redacted.
 */
export class HttpClient {
  readonly recorder: RequestRecorder;
  readonly base: URL;
  private readonly basePath: string;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly rule: RateLimitRule;
  /** Endpoint -> when (our clock, ms) its used-up budget resets. */
  private readonly exhausted = new Map<string, number>();

  constructor(readonly options: HttpClientOptions) {
    this.base = new URL(options.baseUrl);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.recorder = options.recorder ?? new RequestRecorder();
    this.sleep = options.sleep ?? abortableSleep;
    this.rule = options.rateLimit ?? retryAfterRule;
  }

  /** The URL a request names, refused (CW_SOURCE_DATA) when it leaves the base URL. */
  resolve(url: string, query?: HttpRequest['query'], what?: string): URL {
    let resolved: URL;
    try {
      resolved = /^[a-z][a-z0-9+.-]*:/i.test(url)
        ? new URL(url)
        : url === ''
          ? new URL(this.basePath || '/', this.base)
          : new URL(`${this.basePath}${url.startsWith('/') ? '' : '/'}${url}`, this.base);
    } catch {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `${this.options.source} gave a link that is not a URL${what ? ` for ${what}` : ''}`,
        {
          where: what,
        },
      );
    }
    const onBase =
      resolved.origin === this.base.origin &&
      (this.basePath === '' ||
        resolved.pathname === this.basePath ||
        resolved.pathname.startsWith(`${this.basePath}/`));
    if (!onBase) {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `refusing to send a request to ${resolved.host}${provenancePath(resolved).split('?')[0]}${what ? ` (${what})` : ''}: ` +
          `it is outside the configured ${this.options.source} URL ${this.base.host}${this.basePath} (the credential would go there)`,
        { where: what ?? resolved.host },
      );
    }
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) resolved.searchParams.set(name, String(value));
    }
    return resolved;
  }

  /** One request, with rate limits waited out and failures retried; any final status is returned. */
  async send(request: HttpRequest): Promise<HttpAnswer> {
    const { policy, log, signal, source } = this.options;
    const method = request.method ?? 'GET';
    const url = this.resolve(request.url, request.query, request.what);
    const path = provenancePath(url);
    const label = `${method} ${path}`;
    const endpoint = `${method} ${url.pathname}`;
    await this.waitForBudget(endpoint, path);
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const headers = {
      ...this.options.headers,
      ...(await this.options.credentials?.()),
      ...(body !== undefined && typeof request.body !== 'string'
        ? { 'content-type': 'application/json' }
        : {}),
      ...request.headers,
    };
    let failures = 0;
    let limited = 0;
    for (;;) {
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(policy.timeoutMs);
        response = await fetch(url, {
          method,
          headers,
          body,
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        // A name that does not resolve is not retried (the rule: packages/core/src/network.ts).
        const unresolved = unresolvedHost(error);
        if (unresolved !== undefined && !signal?.aborted)
          throw sourceUnreachable(source, unresolved, request.what);
        const failure = networkSourceError(
          error,
          { source, host: url.host, request: label, what: request.what },
          this.options.redact,
        );
        if (signal?.aborted || failures >= policy.retries) throw failure;
        failures += 1;
        await this.wait(
          policy.backoffMs * 2 ** (failures - 1),
          `${failure.message}; retrying`,
          path,
          failures,
        );
        continue;
      }
      this.recorder.record({
        method,
        path,
        status: response.status,
        requestId: response.headers.get(this.options.requestIdHeader),
      });
      if (budgetExhausted(this.rule, response.headers)) {
        const wait = rateLimitWaitMs(this.rule, response.headers);
        if (wait !== undefined) this.exhausted.set(endpoint, Date.now() + wait);
      }
      // Some limits are said only in the body (GitHub's secondary limit, its GraphQL RATE_LIMITED): read it first.
      const early = readsBody(this.rule, response.status) ? await readAnswer(url, response) : undefined;
      const named = early && bodyLimit(this.rule, response.status, early.text);
      if (named || isLimited(this.rule, response.status, response.headers)) {
        const wait =
          rateLimitWaitMs(this.rule, response.headers) ??
          named?.fallbackMs ??
          policy.backoffMs * 2 ** limited;
        if (limited < (this.rule.maxRetries ?? 10) && wait <= policy.maxRateLimitWaitSeconds * 1000) {
          limited += 1;
          if (!early) await response.body?.cancel();
          await this.wait(
            wait,
            `${source} ${named ? named.name : 'rate limit'} (${response.status}) for ${endpoint}`,
            path,
            limited,
            true,
          );
          continue;
        }
        log.warn(
          { path, waitMs: wait, attempt: limited + 1 },
          `${source} rate limit outlasts the allowed wait or retries; giving up`,
        );
        return { ...(early ?? (await readAnswer(url, response))), rateLimitWaitMs: wait };
      }
      if (RETRYABLE_STATUS.has(response.status) && failures < policy.retries) {
        failures += 1;
        if (!early) await response.body?.cancel();
        await this.wait(
          policy.backoffMs * 2 ** (failures - 1),
          `${source} failed (${response.status}); retrying`,
          path,
          failures,
        );
        continue;
      }
      return early ?? readAnswer(url, response);
    }
  }

  /** One request whose answer must be a success: its JSON body, or the catalogued error for what came back. */
  async json<T>(request: HttpRequest): Promise<T> {
    const answer = await this.send(request);
    if (answer.status >= 200 && answer.status < 300) {
      if (answer.text !== '' && answer.body === answer.text) {
        throw new CrosswalkError(
          'CW_SOURCE_DATA',
          `${this.options.source} answered ${request.method ?? 'GET'} ${provenancePath(answer.url)} with something other than JSON`,
          { where: request.what },
        );
      }
      return answer.body as T;
    }
    throw this.error(answer, request);
  }

  /** The catalogued error for an answer that was not a success. */
  error(answer: HttpAnswer, request: Pick<HttpRequest, 'method' | 'what'>) {
    const said = this.options.describeError?.(answer.body, answer.headers) ?? { text: answer.statusText };
    return httpSourceError(
      {
        source: this.options.source,
        method: request.method ?? 'GET',
        path: provenancePath(answer.url),
        status: answer.status,
        said: said.text ? said : { ...said, text: answer.statusText },
        what: request.what,
        hints: this.options.hints,
        ...(answer.rateLimitWaitMs === undefined
          ? {}
          : {
              rateLimit: {
                waitMs: answer.rateLimitWaitMs,
                maxWaitSeconds: this.options.policy.maxRateLimitWaitSeconds,
              },
            }),
      },
      this.options.redact,
    );
  }

  /** Before a request to an endpoint whose budget is used up, wait for its reset (when that is within bounds). */
  private async waitForBudget(endpoint: string, path: string): Promise<void> {
    const resetAt = this.exhausted.get(endpoint);
    if (resetAt === undefined) return;
    this.exhausted.delete(endpoint);
    const wait = resetAt - Date.now();
    if (wait <= 0 || wait > this.options.policy.maxRateLimitWaitSeconds * 1000) return;
    await this.wait(wait, `${this.options.source} rate limit for ${endpoint} is used up`, path, 0, true);
  }

  private async wait(
    ms: number,
    reason: string,
    path: string,
    attempt: number,
    limit = false,
  ): Promise<void> {
    this.options.log.warn(
      { path, attempt, waitMs: ms, ...(limit ? { event: RATE_LIMIT_WAIT_EVENT } : {}) },
      this.options.redact(`${reason}; waiting ${Math.round(ms / 100) / 10}s`),
    );
    try {
      await this.sleep(ms, this.options.signal);
    } catch {
      throw new CrosswalkError(
        'CW_SOURCE_UNAVAILABLE',
        `request to ${this.options.source} was aborted while waiting (${path})`,
        {
          where: path,
        },
      );
    }
  }
}
