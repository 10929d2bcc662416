import {
  type CollectorLogger,
  CrosswalkError,
  RATE_LIMIT_WAIT_EVENT,
  sourceUnreachable,
  unresolvedHost,
} from '@crosswalk/core';
import type { RequestSettings } from './config.js';
import { networkError, redact } from './errors.js';
import { provenancePath, type RequestRecorder } from './provenance.js';

/** A request as the Okta SDK hands it to its request executor (`requestExecutor.fetch(request)`). */
export interface TransportRequest {
  url: string;
  method?: string;
  headers?: Record<string, unknown>;
  body?: unknown;
}

export interface TransportOptions {
  /** The configured org origin: no request leaves it. */
  origin: string;
  settings: RequestSettings;
  recorder: RequestRecorder;
  log: CollectorLogger;
  secrets: readonly string[];
  signal?: AbortSignal;
  /** Injected in tests; real waits otherwise. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The last answer that was not a success, kept so a token failure can be explained (the SDK drops its body). */
export interface FailedAnswer {
  url: string;
  status: number;
  body: unknown;
  wwwAuthenticate: string | null;
}

/** A 429 is retried at most this many times in a row; each wait is bounded by maxRateLimitWaitSeconds. */
const MAX_RATE_LIMIT_RETRIES = 10;
/** The shortest wait before retrying a 429, so clock skew between us and Okta cannot turn it into a busy loop. */
const MIN_RATE_LIMIT_WAIT_MS = 100;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

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

function headerNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  // Okta documents duplicated headers (comma-joined) as a fault (OKTA-112507): such a value is not trusted.
  if (value === null || value.includes(',')) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * How long until Okta's limit resets. `X-Rate-Limit-Reset` is an epoch second on Okta's clock, so the wait is
 * measured against Okta's own `Date` header, not ours: a skewed local clock neither hammers Okta nor stalls.
 */
export function rateLimitWaitMs(headers: Headers, now = Date.now()): number | undefined {
  const reset = headerNumber(headers, 'x-rate-limit-reset');
  if (reset !== undefined) {
    const date = Date.parse(headers.get('date') ?? '');
    return Math.max(reset * 1000 - (Number.isNaN(date) ? now : date), MIN_RATE_LIMIT_WAIT_MS);
  }
  const retryAfter = headerNumber(headers, 'retry-after');
  return retryAfter === undefined ? undefined : Math.max(retryAfter * 1000, MIN_RATE_LIMIT_WAIT_MS);
}

/**
 * The HTTP behaviour of the Okta connector, in one place: every request Crosswalk or the Okta SDK sends (API calls
 * and the OAuth token exchange) goes through `fetch` here. It
 * - refuses any URL outside the configured org, so a credential never leaves it;
 * - waits out Okta's rate limits: a 429 until `X-Rate-Limit-Reset` (bounded), and before the next request to an
 *   endpoint whose `X-Rate-Limit-Remaining` reached 0, so the run is not failed by a limit that resets;
 * - retries 5xx answers and network failures with exponential backoff;
 * - records each attempt (method, path without secrets, status, `X-Okta-Request-Id`) for provenance.
 *
 * It has the shape of the SDK's request executor (`fetch(request)` resolving to a fetch Response), which is how the
 * SDK is told to use it, and uses Node's own fetch rather than the SDK's node-fetch.
 */
export class OktaTransport {
  lastFailure: FailedAnswer | undefined;
  private readonly origin: string;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Endpoint -> when (our clock, ms) its exhausted limit resets. */
  private readonly exhausted = new Map<string, number>();

  constructor(private readonly options: TransportOptions) {
    this.origin = new URL(options.origin).origin;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async fetch(request: TransportRequest): Promise<Response> {
    const url = new URL(request.url);
    const method = (request.method ?? 'GET').toUpperCase();
    const path = provenancePath(url);
    if (url.origin !== this.origin) {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `refusing to send ${method} ${path} to ${url.host}: it is outside the configured orgUrl ${new URL(this.origin).host}`,
        { where: path },
      );
    }
    const { settings, log, signal } = this.options;
    const endpoint = `${method} ${url.pathname}`;
    await this.waitForEndpoint(endpoint, path);
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {})
        .filter(([, value]) => value !== undefined && value !== null)
        .map(([name, value]) => [name, String(value)]),
    );
    let failures = 0;
    let limited = 0;
    for (;;) {
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(settings.timeoutMs);
        response = await fetch(url, {
          method,
          headers,
          body: typeof request.body === 'string' ? request.body : undefined,
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        // A name that does not resolve is not retried (the rule: packages/core/src/network.ts).
        const unresolved = unresolvedHost(error);
        if (unresolved !== undefined) throw sourceUnreachable('Okta', unresolved, path);
        if (signal?.aborted || failures >= settings.retries) {
          throw networkError(error, url.host, path, this.options.secrets);
        }
        failures += 1;
        const delay = settings.retryBaseDelayMs * 2 ** (failures - 1);
        log.warn({ path, attempt: failures, delayMs: delay }, 'Okta could not be reached; retrying');
        await this.sleep(delay, signal);
        continue;
      }
      this.options.recorder.record({
        method,
        path,
        status: response.status,
        requestId: response.headers.get('x-okta-request-id'),
      });
      this.noteRemaining(endpoint, response.headers);

      if (response.status === 429 && limited < MAX_RATE_LIMIT_RETRIES) {
        const wait = rateLimitWaitMs(response.headers) ?? settings.retryBaseDelayMs * 2 ** limited;
        if (wait <= settings.maxRateLimitWaitSeconds * 1000) {
          limited += 1;
          await response.body?.cancel();
          log.warn(
            {
              event: RATE_LIMIT_WAIT_EVENT,
              path,
              waitMs: wait,
              attempt: limited,
              limit: response.headers.get('x-rate-limit-limit'),
            },
            `Okta rate limit reached for ${endpoint}; waiting ${Math.ceil(wait / 1000)}s for it to reset`,
          );
          await this.sleep(wait, signal);
          continue;
        }
        log.warn({ path, waitMs: wait }, 'Okta rate limit resets later than the allowed wait; giving up');
      }
      if (RETRYABLE_STATUS.has(response.status) && failures < settings.retries) {
        failures += 1;
        await response.body?.cancel();
        const delay = settings.retryBaseDelayMs * 2 ** (failures - 1);
        log.warn(
          { path, status: response.status, attempt: failures, delayMs: delay },
          'Okta failed; retrying',
        );
        await this.sleep(delay, signal);
        continue;
      }
      return response.ok ? response : this.keepFailure(url, response);
    }
  }

  /** Before a request to an endpoint whose limit is used up, wait for its reset (when that is within bounds). */
  private async waitForEndpoint(endpoint: string, path: string): Promise<void> {
    const resetAt = this.exhausted.get(endpoint);
    if (resetAt === undefined) return;
    this.exhausted.delete(endpoint);
    const wait = resetAt - Date.now();
    if (wait <= 0 || wait > this.options.settings.maxRateLimitWaitSeconds * 1000) return;
    this.options.log.info(
      { event: RATE_LIMIT_WAIT_EVENT, path, waitMs: wait },
      `Okta rate limit for ${endpoint} is used up; waiting ${Math.ceil(wait / 1000)}s for it to reset`,
    );
    await this.sleep(wait, this.options.signal);
  }

  private noteRemaining(endpoint: string, headers: Headers): void {
    if (headerNumber(headers, 'x-rate-limit-remaining') !== 0) return;
    const wait = rateLimitWaitMs(headers);
    if (wait !== undefined) this.exhausted.set(endpoint, Date.now() + wait);
  }

  /** Reads a failed answer's body once, keeps it for the error message, and hands on an equivalent Response. */
  private async keepFailure(url: URL, response: Response): Promise<Response> {
    const text = redact(await response.text(), this.options.secrets);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page): the text is the detail.
    }
    this.lastFailure = {
      url: url.href,
      status: response.status,
      body,
      wwwAuthenticate: response.headers.get('www-authenticate'),
    };
    return new Response(text === '' ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
}
