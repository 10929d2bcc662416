import {
  type CollectorLogger,
  CrosswalkError,
  RATE_LIMIT_WAIT_EVENT,
  sourceUnreachable,
  unresolvedHost,
} from '@crosswalk/core';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { configSecrets, type GitHubConfig, requestSettings } from './config.js';
import { errorMessage, errorStatus, redact, sourceError } from './errors.js';
import { provenancePath, provenancePlugin, RequestRecorder } from './provenance.js';
import { VERSION } from './version.js';

/**
 * A host name that does not resolve fails the request at once, named, instead of octokit's retries turning it
 * into "GitHub failed (500 getaddrinfo ENOTFOUND ...)" a minute later (the rule: packages/core/src/network.ts).
 * The CrosswalkError it throws carries no octokit request, so the retry plugin passes it through untouched.
 */
function unresolvedHostPlugin(octokit: Octokit) {
  octokit.hook.wrap('request', async (request, endpoint) => {
    try {
      return await request(endpoint);
    } catch (error) {
      const host = unresolvedHost(error);
      if (host === undefined) throw error;
      throw sourceUnreachable(
        'GitHub',
        host,
        `${String(endpoint.method)} ${provenancePath(String(endpoint.url))}`,
      );
    }
  });
  return {};
}

/**
 * Provenance is listed first so its hook sits inside retry and throttling and records every attempt; the
 * unresolved-host check sits between it and retry, so the attempt is recorded and never retried.
 */
const CrosswalkOctokit = Octokit.plugin(provenancePlugin, unresolvedHostPlugin, retry, throttling);

type Params = Record<string, string | number | boolean | undefined>;

/** A GET that may legitimately fail: the caller decides whether a 404 is evidence or an error. */
export type Outcome<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; message: string; error: CrosswalkError };

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
    : `${baseUrl}/graphql`;
}

/** Parses an RFC 8288 Link header into rel -> URL. */
export function parseLinkHeader(link: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match) links[match[2]!] = match[1]!;
  }
  return links;
}

export interface GitHubClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
}

/**
 * One GitHub client per collection: octokit with the retry and throttling plugins, credentials from the config,
 * every request recorded for provenance, every failure turned into a catalogued error without the credential.
 */
export class GitHubClient {
  readonly recorder = new RequestRecorder();
  readonly baseUrl: string;
  readonly webUrl: string;
  private readonly octokit: InstanceType<typeof CrosswalkOctokit>;
  private readonly secrets: string[];
  private readonly pageSize: number;

  constructor(config: GitHubConfig, options: GitHubClientOptions) {
    const settings = requestSettings(config);
    const { log } = options;
    this.baseUrl = config.baseUrl;
    this.webUrl = webUrlFor(config.baseUrl);
    this.secrets = configSecrets(config);
    this.pageSize = settings.pageSize;
    const scrub = (message: string) => redact(message, this.secrets);
    const onLimit =
      (kind: 'primary' | 'secondary') =>
      (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const fields = {
          limit: kind,
          retryAfterSeconds: retryAfter,
          attempt: retryCount + 1,
          url: request.url,
        };
        // A limit that resets is waited out (the run must not fail for it), up to the configured ceiling.
        if (retryAfter <= settings.maxRateLimitWaitSeconds && retryCount < 5) {
          log.warn(
            { ...fields, event: RATE_LIMIT_WAIT_EVENT },
            `GitHub ${kind} rate limit hit; waiting ${retryAfter}s before retrying`,
          );
          return true;
        }
        log.warn(fields, `GitHub ${kind} rate limit would take longer than the allowed wait; giving up`);
        return false;
      };
    const auth =
      config.auth.kind === 'token'
        ? { auth: config.auth.token }
        : {
            authStrategy: createAppAuth,
            auth: {
              appId: config.auth.appId,
              privateKey: config.auth.privateKey,
              installationId: config.auth.installationId,
            },
          };
    this.octokit = new CrosswalkOctokit({
      ...auth,
      baseUrl: config.baseUrl,
      userAgent: `crosswalk-connector-github/${VERSION}`,
      recorder: this.recorder,
      request: options.signal ? { signal: options.signal } : {},
      retry: { retries: settings.retries },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        // The plugin's own GraphQL spacing is a process-wide 1 s; ours is per client and configurable.
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: settings.graphqlSpacingMs }),
      },
      log: {
        debug: () => {},
        info: (message: string) => log.debug({}, scrub(String(message))),
        warn: (message: string) => log.warn({}, scrub(String(message))),
        error: (message: string) => log.warn({}, scrub(String(message))),
      },
    });
  }

  /** GET one resource; any failure is a catalogued error. */
  async get<T>(route: string, params: Params = {}, what?: string): Promise<T> {
    const outcome = await this.attempt<T>(route, params, what);
    if (!outcome.ok) throw outcome.error;
    return outcome.data;
  }

  /** GET one resource, answering an HTTP failure instead of throwing it (a 404 can be evidence of absence). */
  async attempt<T>(route: string, params: Params = {}, what?: string): Promise<Outcome<T>> {
    try {
      const response = await this.octokit.request(`GET ${route}`, params);
      return { ok: true, data: response.data as T };
    } catch (error) {
      const status = errorStatus(error);
      const mapped = sourceError(error, this.secrets, what);
      if (status === undefined || status === 401) throw mapped;
      return { ok: false, status, message: redact(errorMessage(error), this.secrets), error: mapped };
    }
  }

  /**
   * Every page of a REST list, following GitHub's Link headers. A next link is followed only when it stays on the
   * configured base URL (same origin, under the same path): a link elsewhere would send the credential there.
   */
  async *pages<T>(route: string, params: Params = {}, what = route): AsyncGenerator<T[]> {
    let response: { data: unknown; headers: Record<string, string | number | undefined> };
    try {
      response = await this.octokit.request(`GET ${route}`, { per_page: this.pageSize, ...params });
    } catch (error) {
      throw sourceError(error, this.secrets, what);
    }
    for (;;) {
      if (!Array.isArray(response.data)) {
        throw new CrosswalkError(
          'CW_SOURCE_DATA',
          `GitHub answered ${what} with something other than a list`,
          {
            where: what,
          },
        );
      }
      yield response.data as T[];
      const next = parseLinkHeader(response.headers.link as string | undefined).next;
      if (next === undefined) return;
      this.assertOnBase(next, what);
      try {
        response = await this.octokit.request({ method: 'GET', url: next });
      } catch (error) {
        throw sourceError(error, this.secrets, what);
      }
    }
  }

  async all<T>(route: string, params: Params = {}, what = route): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this.pages<T>(route, params, what)) items.push(...page);
    return items;
  }

  async graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<T> {
    try {
      // @octokit/graphql posts to baseUrl + /graphql, or HOST/api/graphql for a GHES baseUrl (graphqlUrlFor).
      return await this.octokit.graphql<T>(query, variables);
    } catch (error) {
      throw sourceError(error, this.secrets, what);
    }
  }

  private assertOnBase(link: string, what: string): void {
    const base = new URL(this.baseUrl);
    let next: URL;
    try {
      next = new URL(link);
    } catch {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `GitHub returned an unparseable pagination link for ${what}`,
        {
          where: what,
        },
      );
    }
    const basePath = base.pathname.replace(/\/+$/, '');
    const onBase =
      next.origin === base.origin && (basePath === '' || next.pathname.startsWith(`${basePath}/`));
    if (!onBase) {
      throw new CrosswalkError(
        'CW_SOURCE_DATA',
        `GitHub's pagination link for ${what} points to ${next.host}${next.pathname}, outside the configured ` +
          `base URL ${base.host}${basePath}; refusing to follow it (the credential would go there)`,
        { where: what },
      );
    }
  }
}
