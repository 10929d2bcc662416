import {
  HttpClient,
  paginate,
  type RateLimitRule,
  type RequestRecorder,
  requestPolicyOf,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import { configSecrets, type EntraConfig, type RequestSettings, requestSettings } from './config.js';
import { describeGraphError, entraRedactor } from './errors.js';
import { authorityClient, TokenSource } from './token.js';
import { VERSION } from './version.js';

/**
 * Graph throttles with 429 and, under load, 503, each with Retry-After in seconds.
 * https://learn.microsoft.com/graph/throttling
 */
export const graphRateLimitRule: RateLimitRule = {
  statuses: [429, 503],
  wait: [{ header: 'retry-after', format: 'seconds' }],
};

export interface GraphClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
  /** The application permissions the collector's reads need: a 403 names them. */
  permissions: readonly string[];
  /** Injected in tests; real waits otherwise. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

type Query = Record<string, string | number | undefined>;

/**
 * One Microsoft Graph connection per collection, on the connector kit's client: an app-only token from the tenant's
 * token endpoint (`TokenSource`), every request and `@odata.nextLink` pinned under the configured Graph URL,
 * throttling waited out by Retry-After, transient failures retried, every attempt (the token exchange too) recorded
 * for provenance with Graph's `request-id`, every failure a catalogued error without the credential.
 */
export class GraphClient {
  readonly http: HttpClient;
  readonly settings: RequestSettings;
  /** The tenant as configured (id or domain): the source instance of every record. */
  readonly tenant: string;
  readonly graphUrl: string;

  constructor(config: EntraConfig, options: GraphClientOptions) {
    this.settings = requestSettings(config);
    this.tenant = config.tenantId.toLowerCase();
    this.graphUrl = config.graphUrl.replace(/\/+$/, '');
    const redact = entraRedactor(configSecrets(config));
    const policy = requestPolicyOf(this.settings);
    const shared = {
      policy,
      redact,
      log: options.log,
      signal: options.signal,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    };
    const authority = authorityClient(config, shared);
    const tokens = new TokenSource(config, authority);
    const permissions = options.permissions.join(' + ');
    this.http = new HttpClient({
      source: 'Microsoft Graph',
      baseUrl: this.graphUrl,
      headers: { accept: 'application/json', 'user-agent': `crosswalk-connector-entra/${VERSION}` },
      credentials: () => tokens.headers(),
      // A throttled answer is retried as often as any other failure: `requests.retries` is the one retry budget.
      rateLimit: { ...graphRateLimitRule, maxRetries: Math.max(this.settings.retries, 1) },
      requestIdHeader: 'request-id',
      describeError: describeGraphError,
      hints: {
        401: 'the access token was refused: check the app registration and its tenant',
        403: `the app needs the Microsoft Graph application permission ${permissions}, with admin consent`,
        404: 'it does not exist, or the tenant lacks it',
      },
      recorder: authority.recorder,
      ...shared,
    });
  }

  get recorder(): RequestRecorder {
    return this.http.recorder;
  }

  get pageSize(): number {
    return this.settings.pageSize;
  }

  /** Every page of a Graph collection, following `@odata.nextLink` (only under the configured Graph URL). */
  pages<T>(path: string, query: Query, what: string): AsyncGenerator<T[]> {
    return paginate<T>(
      this.http,
      { url: path, query },
      { type: 'body-link', items: 'value', link: '@odata.nextLink' },
      { what },
    );
  }

  /** One Graph object. */
  get<T>(path: string, query: Query, what: string): Promise<T> {
    return this.http.json<T>({ url: path, query, what });
  }

  /** The Graph URL of a path, for a record's source link. */
  link(path: string): string {
    return `${this.graphUrl}${path}`;
  }
}
