import {
  abortableSleep,
  githubRateLimitRule,
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  paginate,
  RequestRecorder,
  renewingToken,
  requestPolicyOf,
  type SourceError,
} from '@crosswalk/connector-kit';
import type { CollectorLogger } from '@crosswalk/core';
import { createAppAuth } from '@octokit/auth-app';
import { configSecrets, type GitHubConfig, type RequestSettings, requestSettings } from './config.js';
import { describeGitHubError, type GraphqlError, graphqlError, redact } from './errors.js';
import { VERSION } from './version.js';

type Params = Record<string, string | number | boolean | undefined>;

/** A GET that may legitimately fail: the caller decides whether a 404 is evidence or an error. */
export type Outcome<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; message: string; error: SourceError };

/** The web host that belongs to an API base URL: api.github.com -> github.com, HOST/api/v3 -> HOST. */
export function webUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  if (url.hostname.startsWith('api.') && url.hostname.endsWith('.ghe.com')) {
    return `${url.protocol}//${url.hostname.slice('api.'.length)}`;
  }
  return url.origin;
}

/** The GraphQL endpoint that belongs to a REST base URL (GitHub Enterprise Server serves it at /api/graphql). */
export function graphqlUrlFor(baseUrl: string): string {
  return /\/api\/v3\/?$/.test(baseUrl)
    ? baseUrl.replace(/\/api\/v3\/?$/, '/api/graphql')
    : `${baseUrl.replace(/\/+$/, '')}/graphql`;
}

/** `/orgs/{org}/members` with `{ org: 'acme', role: 'admin' }` -> `/orgs/acme/members` and `{ role: 'admin' }`. */
export function expandRoute(route: string, params: Params): { url: string; query: Params } {
  const query = { ...params };
  const url = route.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = query[name];
    delete query[name];
    return encodeURIComponent(String(value));
  });
  return { url, query };
}

export interface GitHubClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
}

/** An installation token is renewed this long before GitHub says it expires (they last an hour). */
const TOKEN_RENEWAL_MS = 5 * 60_000;

/**
 * One GitHub connection per collection, on the connector kit's client: REST and GraphQL pinned to the configured
 * base URL (GraphQL to its own endpoint, which on Enterprise Server sits beside the REST path), each attempt cut
 * off after `timeoutMs`, GitHub's rate limits (Retry-After, X-RateLimit-*, secondary limits, GraphQL's
 * RATE_LIMITED) waited out as the kit's GitHub rule says, 5xx and network failures retried, every attempt recorded
 * for provenance with its `x-github-request-id`, every failure a catalogued error without the credential.
 * A GitHub App's JWT is signed by @octokit/auth-app; the installation token it buys is asked for through the kit.
 */
export class GitHubClient {
  readonly recorder = new RequestRecorder();
  readonly baseUrl: string;
  readonly webUrl: string;
  private readonly rest: HttpClient;
  private readonly graph: HttpClient;
  private readonly tokens: HttpClient;
  private readonly settings: RequestSettings;
  private readonly secrets: string[];
  private readonly signal: AbortSignal | undefined;
  private readonly appJwt: (() => Promise<string>) | undefined;
  /** When (our clock, ms) the next GraphQL query may start. */
  private nextGraphqlAt = 0;

  constructor(config: GitHubConfig, options: GitHubClientOptions) {
    this.settings = requestSettings(config);
    this.baseUrl = config.baseUrl;
    this.webUrl = webUrlFor(config.baseUrl);
    this.secrets = configSecrets(config);
    this.signal = options.signal;
    const common: Omit<HttpClientOptions, 'baseUrl'> = {
      source: 'GitHub',
      headers: {
        accept: 'application/vnd.github+json',
        'user-agent': `crosswalk-connector-github/${VERSION}`,
        'x-github-api-version': '2022-11-28',
      },
      policy: requestPolicyOf(this.settings),
      rateLimit: githubRateLimitRule,
      requestIdHeader: 'x-github-request-id',
      describeError: describeGitHubError,
      redact: (text) => redact(text, this.secrets),
      log: options.log,
      signal: options.signal,
      recorder: this.recorder,
    };
    const auth = config.auth;
    // An App installation's token is bought when first needed and again shortly before it expires.
    const installationToken =
      auth.kind === 'app' ? renewingToken(() => this.buyInstallationToken(auth.installationId)) : undefined;
    const credentials = async () => ({
      authorization: `token ${auth.kind === 'token' ? auth.token : await installationToken!()}`,
    });
    this.rest = new HttpClient({ ...common, baseUrl: config.baseUrl, credentials });
    this.graph = new HttpClient({ ...common, baseUrl: graphqlUrlFor(config.baseUrl), credentials });
    // The installation token is bought with the App's JWT, on a client of its own (it has no token yet).
    this.tokens = new HttpClient({ ...common, baseUrl: config.baseUrl });
    if (auth.kind === 'app') {
      const app = createAppAuth({ appId: auth.appId, privateKey: auth.privateKey });
      this.appJwt = async () => (await app({ type: 'app' })).token;
    }
  }

  get pageSize(): number {
    return this.settings.pageSize;
  }

  /** GET one resource; any failure is a catalogued error. */
  async get<T>(route: string, params: Params = {}, what?: string): Promise<T> {
    const outcome = await this.attempt<T>(route, params, what);
    if (!outcome.ok) throw outcome.error;
    return outcome.data;
  }

  /** GET one resource, answering an HTTP failure instead of throwing it (a 404 can be evidence of absence). */
  async attempt<T>(route: string, params: Params = {}, what?: string): Promise<Outcome<T>> {
    const request: HttpRequest = { ...expandRoute(route, params), what };
    const answer = await this.rest.send(request);
    if (answer.status >= 200 && answer.status < 300) return { ok: true, data: answer.body as T };
    const error = this.rest.error(answer, request);
    if (answer.status === 401 || answer.rateLimitWaitMs !== undefined) throw error;
    return { ok: false, status: answer.status, message: error.sourceMessage, error };
  }

  /** Every page of a REST list, following GitHub's Link headers (only on the configured base URL). */
  async *pages<T>(route: string, params: Params = {}, what = route): AsyncGenerator<T[]> {
    const { url, query } = expandRoute(route, { per_page: this.settings.pageSize, ...params });
    yield* paginate<T>(this.rest, { url, query }, { type: 'link-header' }, { what });
  }

  async all<T>(route: string, params: Params = {}, what = route): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(route, params, what)) items.push(...page);
    return items;
  }

  /**
   * One GraphQL query. Queries are spaced `graphqlSpacingMs` apart, as GitHub asks of integrators ("make requests
   * serially"); an answer with errors fails by the first error's type, even when it carries partial data.
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<T> {
    const wait = this.nextGraphqlAt - Date.now();
    this.nextGraphqlAt = Math.max(Date.now(), this.nextGraphqlAt) + this.settings.graphqlSpacingMs;
    if (wait > 0) await abortableSleep(wait, this.signal);
    const request: HttpRequest = { method: 'POST', url: '', body: { query, variables }, what };
    const answer = await this.graph.send(request);
    if (answer.status < 200 || answer.status >= 300) throw this.graph.error(answer, request);
    const body = answer.body as { data?: T; errors?: GraphqlError[] } | undefined;
    if (body?.errors?.length) throw graphqlError(body.errors, what, (text) => redact(text, this.secrets));
    if (body?.data === undefined || body.data === null) {
      throw graphqlError([{ message: 'the answer has no data' }], what, (text) => text);
    }
    return body.data;
  }

  private async buyInstallationToken(installationId: number): Promise<{ token: string; renewAt: number }> {
    const request: HttpRequest = {
      method: 'POST',
      url: `/app/installations/${installationId}/access_tokens`,
      what: `an installation token for installation ${installationId}`,
    };
    const jwt = await this.appJwt!();
    const answer = await this.tokens.send({ ...request, headers: { authorization: `bearer ${jwt}` } });
    const body = answer.body as { token?: unknown; expires_at?: unknown } | undefined;
    if (answer.status !== 201 || typeof body?.token !== 'string' || body.token === '') {
      throw this.tokens.error(answer, request);
    }
    const expires = Date.parse(String(body.expires_at));
    this.secrets.push(body.token);
    return {
      token: body.token,
      renewAt: (Number.isNaN(expires) ? Date.now() + 3_600_000 : expires) - TOKEN_RENEWAL_MS,
    };
  }
}
