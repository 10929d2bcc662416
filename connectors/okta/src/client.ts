import {
  type HttpAnswer,
  type HttpRequest,
  type PageSource,
  type Paginator,
  paginate,
  provenancePath,
  RequestRecorder,
  readAnswer,
  type SourceError,
} from '@crosswalk/connector-kit';
import { type CollectorLogger, CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type { RequestExecutor, Client as SdkClient } from '@okta/okta-sdk-nodejs';
import { configSecrets, type OktaConfig, orgHost, requestSettings } from './config.js';
import { httpError, redact } from './errors.js';
import { OktaTransport, type TransportRequest } from './transport.js';
import { VERSION } from './version.js';

type Query = Record<string, string | number | undefined>;

/** A GET that may legitimately fail: the caller decides whether a 404 is evidence or an error. */
export type Outcome<T> = { ok: true; data: T } | { ok: false; status: number; error: SourceError };

export interface OktaClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
  /** OAuth scopes to request (service apps only); the collector's own, unless the config names them. */
  scopes: readonly string[];
}

/**
 * How Okta pages a list: `Link: <...>; rel="next"`, or the governance API's `_links.next.href` in the body. A
 * polling System Log query always offers a next link; an empty page means there is nothing more.
 */
const OKTA_PAGES = { type: 'link-header', bodyLink: '_links.next.href', emptyPageEnds: true } as const;

/**
 * The admin host that belongs to an org host: `acme.okta.com` -> `acme-admin.okta.com`. Okta's governance API
 * answers with links on it even when asked on the org host (see src/sandbox/spec/SOURCE.md).
 */
export function adminHostFor(hostname: string): string {
  const [first, ...rest] = hostname.split('.');
  return [`${first}-admin`, ...rest].join('.');
}

let sdkModule: Promise<typeof import('@okta/okta-sdk-nodejs')> | undefined;

/** The SDK takes about a second to load (it brings every generated API): only a collection pays for it. */
function loadSdk() {
  sdkModule ??= import('@okta/okta-sdk-nodejs');
  return sdkModule;
}

/**
 * One Okta client per collection. Credentials are the Okta SDK's job: its Client holds the API token (SSWS) or, for
 * an OAuth service app, signs the private-key JWT client assertion, exchanges it for an access token (with DPoP when
 * the org asks for it) and caches it. Everything else about HTTP is ours (`OktaTransport`): the SDK is given our
 * transport as its request executor, so its token requests are pinned, rate-limited and recorded like ours, and our
 * API calls take only the SDK's authorization headers, never its HTTP layer, caching or response models: evidence
 * keeps Okta's JSON as Okta sent it.
 */
export class OktaClient {
  readonly orgUrl: string;
  /** `acme.okta.com`: the source instance of every record. */
  readonly host: string;
  readonly settings: ReturnType<typeof requestSettings>;
  private readonly secrets: string[];
  private readonly transport: OktaTransport;
  private readonly log: CollectorLogger;

  private constructor(
    config: OktaConfig,
    options: OktaClientOptions,
    private readonly sdk: SdkClient,
    transport: OktaTransport,
    /** Every request, the token exchange included: part of what produced the first item. */
    readonly recorder: RequestRecorder,
  ) {
    this.orgUrl = config.orgUrl;
    this.host = orgHost(config);
    this.settings = requestSettings(config);
    this.secrets = configSecrets(config);
    this.transport = transport;
    this.log = options.log;
  }

  static async create(config: OktaConfig, options: OktaClientOptions): Promise<OktaClient> {
    const { Client } = await loadSdk();
    const recorder = new RequestRecorder();
    const transport = new OktaTransport({
      origin: config.orgUrl,
      settings: requestSettings(config),
      recorder,
      log: options.log,
      secrets: configSecrets(config),
      signal: options.signal,
    });
    const auth = config.auth;
    // Every field is given, empty when unused: the SDK's config loader would otherwise fill gaps from OKTA_CLIENT_*
    // environment variables and ~/.okta/okta.yaml, and a stray token there must not become this connector's.
    const sdk = new Client({
      orgUrl: config.orgUrl,
      authorizationMode: auth.kind === 'token' ? 'SSWS' : 'PrivateKey',
      token: auth.kind === 'token' ? auth.token : '',
      clientId: auth.kind === 'oauth' ? auth.clientId : '',
      scopes: auth.kind === 'oauth' ? [...(auth.scopes ?? options.scopes)] : [],
      privateKey:
        auth.kind === 'oauth'
          ? typeof auth.privateKey === 'string'
            ? auth.privateKey
            : JSON.stringify(auth.privateKey)
          : '',
      keyId: auth.kind === 'oauth' ? (auth.keyId ?? '') : '',
      requestExecutor: transport as unknown as RequestExecutor,
      cacheMiddleware: null,
      userAgent: `crosswalk-connector-okta/${VERSION}`,
    } as ConstructorParameters<typeof Client>[0]);
    return new OktaClient(config, options, sdk, transport, recorder);
  }

  /** An absolute URL on the org for a path and query. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(path, this.orgUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** GET one resource; any failure is a catalogued error. */
  async get<T>(path: string, query: Query, what: string, scopes?: readonly string[]): Promise<T> {
    const outcome = await this.attempt<T>(path, query, what, scopes);
    if (!outcome.ok) throw outcome.error;
    return outcome.data;
  }

  /** GET one resource, answering an HTTP failure instead of throwing it (a 404 can be evidence of absence). */
  async attempt<T>(
    path: string,
    query: Query,
    what: string,
    scopes?: readonly string[],
  ): Promise<Outcome<T>> {
    const answer = await this.send(this.url(path, query), what);
    if (answer.status >= 200 && answer.status < 300) return { ok: true, data: answer.body as T };
    return {
      ok: false,
      status: answer.status,
      error: this.failure(answer, 'GET', this.url(path, query), what, scopes),
    };
  }

  /**
   * Every page of a list, walked by the kit's `paginate` (`OKTA_PAGES`); `items` is the body path of the list when
   * the body is not the list itself. The requests go through this client (`resolve`, `send`), so a next link is
   * followed only on the configured org, or re-asked there from the org's admin host.
   */
  pages<T>(
    path: string,
    query: Query,
    what: string,
    options: { items?: string; scopes?: readonly string[] } = {},
  ): AsyncGenerator<T[]> {
    const client: PageSource = {
      options: { source: 'Okta' },
      resolve: (link, linkQuery, linkWhat) => this.resolve(link, linkQuery, linkWhat ?? what),
      send: (request: HttpRequest) => this.send(this.resolve(request.url, request.query, what), what),
      error: (answer) => this.failure(answer, 'GET', new URL(answer.url), what, options.scopes),
    };
    const paginator: Paginator = { ...OKTA_PAGES, items: options.items };
    return paginate<T>(client, { url: this.url(path, query).href }, paginator, { what });
  }

  /**
   * The URL a link leads to, if it may be followed: on the configured org; one on the org's admin host is re-asked
   * on the org itself (only its path and query are taken); any other host is refused, since following it would
   * send the credential there.
   */
  resolve(link: string, query: HttpRequest['query'], what: string): URL {
    const base = new URL(this.orgUrl);
    let next: URL;
    try {
      next = new URL(link, base);
      for (const [name, value] of Object.entries(query ?? {})) {
        if (value !== undefined) next.searchParams.set(name, String(value));
      }
    } catch {
      throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned an unparseable pagination link for ${what}`, {
        where: what,
      });
    }
    if (next.origin === base.origin) return next;
    const adminSibling =
      next.protocol === base.protocol &&
      next.port === base.port &&
      next.hostname === adminHostFor(base.hostname);
    if (adminSibling) {
      this.log.debug({ what, host: next.host }, "following Okta's admin-host link on the org host");
      return new URL(`${next.pathname}${next.search}`, base);
    }
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `Okta's pagination link for ${what} points to ${next.host}${next.pathname}, outside the configured orgUrl ` +
        `${base.host}; refusing to follow it (the credential would go there)`,
      { where: what },
    );
  }

  private async send(url: URL, what: string): Promise<HttpAnswer> {
    let refreshed = false;
    for (;;) {
      const request: TransportRequest & { headers: Record<string, unknown> } = {
        url: url.href,
        method: 'GET',
        headers: { Accept: 'application/json' },
      };
      try {
        Object.assign(request.headers, this.sdk.http.defaultHeaders, { Accept: 'application/json' });
        // For a service app this fetches (or reuses) the access token and sets Authorization (and a DPoP proof).
        await this.sdk.http.prepareRequest(request as never);
      } catch (error) {
        throw this.tokenFailure(error, what);
      }
      // The SDK does not notice a refused token request (oauth.js checks it with `Http.errorFilter` on the module
      // object, which is undefined, so the error body is cached as "the token"): check that a token came back.
      const oauth = this.sdk.oauth as { accessToken?: { access_token?: unknown } | null } | undefined;
      if (oauth && typeof oauth.accessToken?.access_token !== 'string') {
        this.sdk.oauth.clearCachedAccessToken();
        throw this.tokenFailure(undefined, what);
      }
      let response: Response;
      try {
        response = await this.transport.fetch(request);
      } catch (error) {
        if (isCrosswalkError(error)) throw error;
        throw new CrosswalkError(
          'CW_INTERNAL',
          redact(`Okta request failed: ${String(error)}`, this.secrets),
          {
            where: what,
          },
        );
      }
      // An access token can expire mid-run: like the SDK, drop it and ask for a new one, once.
      if (response.status === 401 && this.sdk.oauth && !refreshed) {
        refreshed = true;
        this.sdk.oauth.clearCachedAccessToken();
        continue;
      }
      const answer = await readAnswer(url, response);
      if (response.ok && answer.text !== '' && answer.body === answer.text) {
        throw new CrosswalkError('CW_SOURCE_DATA', `Okta answered ${what} with something other than JSON`, {
          where: provenancePath(url),
        });
      }
      return answer;
    }
  }

  private failure(answer: HttpAnswer, method: string, url: URL, what: string, scopes?: readonly string[]) {
    return httpError(
      {
        method,
        path: provenancePath(url),
        status: answer.status,
        body: answer.body,
        wwwAuthenticate: answer.headers.get('www-authenticate'),
        what,
        requiredScopes: scopes,
      },
      this.secrets,
    );
  }

  /** The SDK's token exchange failed: explain it from the answer the transport kept. */
  private tokenFailure(error: unknown, what: string): CrosswalkError {
    if (isCrosswalkError(error)) return error;
    const failed = this.transport.lastFailure;
    if (failed && new URL(failed.url).pathname === '/oauth2/v1/token') {
      this.transport.lastFailure = undefined;
      return httpError(
        {
          method: 'POST',
          path: provenancePath(failed.url),
          status: failed.status,
          body: failed.body,
          wwwAuthenticate: failed.wwwAuthenticate,
          what: `OAuth token for ${what}`,
          tokenRequest: true,
        },
        this.secrets,
      );
    }
    const message =
      error === undefined
        ? 'Okta returned no access token'
        : error instanceof Error
          ? error.message
          : String(error);
    // The SDK signs the client assertion itself: a key it cannot use fails here, before any request.
    return new CrosswalkError(
      'CW_SOURCE_AUTH',
      redact(`could not obtain an Okta access token for ${what}: ${message}`, this.secrets),
      { where: what },
    );
  }
}
