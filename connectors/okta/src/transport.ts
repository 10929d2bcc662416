import {
  HttpClient,
  oktaRateLimitRule,
  type RequestRecorder,
  requestPolicyOf,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import type { RequestSettings } from './config.js';
import { oktaRedactor } from './errors.js';

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

/** Statuses whose Response may not carry a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The HTTP behaviour of the Okta connector: every request Crosswalk or the Okta SDK sends (API calls and the OAuth
 * token exchange) goes through the connector kit's client, with Okta's rate-limit rule (a 429 waited out until
 * `X-Rate-Limit-Reset` measured on Okta's clock, and a pause before an endpoint whose `X-Rate-Limit-Remaining`
 * reached 0), pinned to the configured org, 5xx and network failures retried, each attempt recorded with its
 * `X-Okta-Request-Id`.
 *
 * It has the shape of the SDK's request executor (`fetch(request)` resolving to a fetch Response), which is how the
 * SDK is told to use it.
 */
export class OktaTransport {
  lastFailure: FailedAnswer | undefined;
  readonly http: HttpClient;
  private readonly redact: (text: string) => string;

  constructor(options: TransportOptions) {
    this.redact = oktaRedactor(options.secrets);
    this.http = new HttpClient({
      source: 'Okta',
      baseUrl: new URL(options.origin).origin,
      headers: {},
      policy: requestPolicyOf(options.settings),
      rateLimit: oktaRateLimitRule,
      requestIdHeader: 'x-okta-request-id',
      redact: this.redact,
      log: options.log,
      signal: options.signal,
      recorder: options.recorder,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  }

  async fetch(request: TransportRequest): Promise<Response> {
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {})
        .filter(([, value]) => value !== undefined && value !== null)
        .map(([name, value]) => [name, String(value)]),
    );
    const answer = await this.http.send({
      method: (request.method ?? 'GET').toUpperCase() as 'GET',
      url: request.url,
      headers,
      ...(typeof request.body === 'string' ? { body: request.body } : {}),
    });
    const ok = answer.status >= 200 && answer.status < 300;
    const text = ok ? answer.text : this.redact(answer.text);
    if (!ok) {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a proxy's HTML page): the text is the detail.
      }
      this.lastFailure = {
        url: answer.url,
        status: answer.status,
        body,
        wwwAuthenticate: answer.headers.get('www-authenticate'),
      };
    }
    return new Response(text === '' || NO_BODY.has(answer.status) ? null : text, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  }
}
