import {
  createRedactor,
  HttpClient,
  type RateLimitRule,
  RequestRecorder,
  requestPolicyOf,
  type SourceSaid,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import {
  type BambooHrConfig,
  baseUrlOf,
  basicAuthorization,
  configSecrets,
  type RequestSettings,
  requestSettings,
} from './config.js';
import { VERSION } from './version.js';

/**
 * BambooHR's throttling: 429, or 503 from its older gateway, with Retry-After in seconds.
 * https://documentation.bamboohr.com/docs/api-details (Rate limiting)
 */
export const bamboohrRateLimitRule: RateLimitRule = {
  statuses: [429, 503],
  wait: [{ header: 'retry-after', format: 'seconds' }],
  maxRetries: 6,
};

/** BambooHR says what went wrong in a header, `X-BambooHR-Error-Message`, and rarely in the body. */
export function describeBambooHrError(body: unknown, headers: Headers): SourceSaid {
  const header = headers.get('x-bamboohr-error-message');
  const message =
    body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : undefined;
  return { text: (header ?? message ?? '').slice(0, 300) };
}

/**
 * One BambooHR connection per collection, on the connector kit's client: pinned to the company's host, HTTP Basic
 * with the API key, BambooHR's throttling waited out, 5xx retried, every attempt recorded, every failure a catalogued
 * error without the key.
 */
export class BambooHrClient {
  readonly recorder = new RequestRecorder();
  readonly settings: RequestSettings;
  readonly company: string;
  private readonly http: HttpClient;

  constructor(config: BambooHrConfig, options: { log: CollectorLogger; signal?: AbortSignal }) {
    this.settings = requestSettings(config);
    this.company = config.companyDomain.toLowerCase();
    this.http = new HttpClient({
      source: 'BambooHR',
      baseUrl: baseUrlOf(config),
      headers: {
        authorization: basicAuthorization(config.apiKey),
        accept: 'application/json',
        'user-agent': `crosswalk-connector-bamboohr/${VERSION}`,
      },
      policy: requestPolicyOf(this.settings),
      rateLimit: bamboohrRateLimitRule,
      requestIdHeader: 'x-request-id',
      describeError: describeBambooHrError,
      hints: {
        401: 'check the API key (BambooHR: your name, API Keys) and the company subdomain',
        403: "the API key's user needs access to every employee's job and employment status fields (see the README)",
      },
      redact: createRedactor(configSecrets(config)),
      log: options.log,
      signal: options.signal,
      recorder: this.recorder,
    });
  }

  get<T>(path: string, query: Record<string, string>, what: string): Promise<T> {
    return this.http.json<T>({ url: path, query, what });
  }

  post<T>(path: string, query: Record<string, string>, body: unknown, what: string): Promise<T> {
    return this.http.json<T>({ method: 'POST', url: path, query, body, what });
  }

  /** An absolute URL on the company's API: where an auditor can read the same thing again. */
  url(path: string, query: Record<string, string> = {}): string {
    return this.http.resolve(path, query).href;
  }
}
