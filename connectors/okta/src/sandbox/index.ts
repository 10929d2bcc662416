/**
 * An Okta org on loopback: the management API, the OAuth token endpoint and the governance API, answered from a
 * FakeOrg in Okta's real shapes. Every answer is checked against Okta's OpenAPI descriptions (openapi.ts); anything
 * that does not match is collected in `violations`, which the tests require to stay empty. Scopes are enforced per
 * operation as the descriptions declare them.
 */
import { createPublicKey, createVerify, type KeyObject, randomBytes } from 'node:crypto';
import {
  FakeApi,
  type FakeRequest,
  type Fault,
  matchTemplate,
  type ReceivedRequest,
} from '@crosswalk/sandbox';
import type { FakeCampaign, FakeEvent, FakeOrg, FakeUser } from './model.js';
import { openApi } from './openapi.js';
import * as shapes from './templates.js';

export * from './model.js';

export interface FakeOktaOptions {
  org: FakeOrg;
  /** An API token the server accepts (`Authorization: SSWS ...`). */
  token?: string;
  /** An OAuth service app whose client assertions (RS256, signed with the matching private key) buy access tokens. */
  oauth?: { clientId: string; publicKey: string | KeyObject; grantedScopes: string[] };
  /** How an org without governance answers its API: 404 (E0000007) or 401 (E0000015, feature not enabled). */
  governanceMissing?: 404 | 401;
  /** Put governance links on the org's admin host (`ORG-admin...`), as a real org does. */
  governanceAdminLinks?: boolean;
  /** Check answers against the descriptions (on by default; the benchmark turns it off to time less). */
  validate?: boolean;
  /** Host name the links use; defaults to the one the server was asked on. */
  hostname?: string;
}

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Params = Record<string, string>;
type Handler = (params: Params, query: URLSearchParams, url: URL) => Answer;

const RATE_LIMIT = 600;

/** A 429 as Okta sends it: E0000047 and X-Rate-Limit-Reset a little in the future. */
export function rateLimited(resetInSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 429,
    headers: () => ({
      'x-rate-limit-limit': String(RATE_LIMIT),
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    }),
    body: shapes.oktaError('E0000047', 'API call exceeded rate limit due to too many requests.'),
  };
}

/** Okta's answer to an expired, revoked or unknown API token. */
export function invalidToken(): Omit<Fault, 'path'> {
  return { status: 401, body: shapes.oktaError('E0000011', 'Invalid token provided') };
}

export class FakeOkta extends FakeApi {
  private readonly tokens = new Set<string>();
  private readonly tokenScopes = new Map<string, Set<string>>();
  private readonly routes: { method: string; template: string; handler: Handler }[] = [];

  private constructor(readonly options: FakeOktaOptions) {
    super('', 'x-okta-request-id');
    if (options.token) this.tokens.add(options.token);
    this.declareRoutes();
  }

  static async start(options: FakeOktaOptions): Promise<FakeOkta> {
    const fake = await new FakeOkta(options).listen();
    // Links and token audiences name the host the org was asked on (`localhost` plays an org's own name).
    if (options.hostname) {
      fake.origin = `http://${options.hostname}:${new URL(fake.origin).port}`;
      fake.url = fake.origin;
    }
    return fake;
  }

  get org(): FakeOrg {
    return this.options.org;
  }

  /** The org origin links are built on (the admin host for governance when asked to). */
  private linkRoot(governance = false): string {
    if (this.linkOrigin) return this.linkOrigin;
    if (governance && this.options.governanceAdminLinks) {
      const host = new URL(this.url);
      const [first, ...rest] = host.hostname.split('.');
      return `http://${[`${first}-admin`, ...rest].join('.')}:${host.port}`;
    }
    return this.url;
  }

  /** Requests received whose path (without the query) is `path` or matches it. */
  override received(path: string | RegExp): ReceivedRequest[] {
    return this.requests.filter((r) => {
      const pathname = r.path.split('?')[0]!;
      return typeof path === 'string' ? pathname === path : path.test(pathname);
    });
  }

  /** Tests read the query Okta was asked with, so the log keeps path and query as received. */
  protected override recordedPath(request: FakeRequest): string {
    return request.request.url ?? '/';
  }

  protected override requestId(n: number): string {
    return `XfakeOkta${process.pid.toString(36)}-${n.toString(36).padStart(6, '0')}`;
  }

  protected override answerHeaders(): Record<string, string> {
    return {
      'content-type': 'application/json',
      'x-rate-limit-limit': String(RATE_LIMIT),
      'x-rate-limit-remaining': String(RATE_LIMIT - 1),
      'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 60),
    };
  }

  /** What goes on the wire is checked: undefined fields drop out, as they do in JSON. */
  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || body === undefined) return [];
    return openApi().check(request.method, request.operation!, status, JSON.parse(JSON.stringify(body)));
  }

  protected override notFound(request: FakeRequest): void {
    this.send(
      request,
      404,
      shapes.oktaError('E0000022', 'The endpoint does not support the provided HTTP method'),
    );
  }

  protected override route(context: FakeRequest) {
    const { method, path } = context;
    if (method === 'POST' && path === '/oauth2/v1/token') return this.token(context);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      context.operation = route.template;
      const denied = this.authorize(context.request.headers.authorization, method, route.template, path);
      if (denied) return this.send(context, denied.status, denied.body, denied.headers);
      const answer = route.handler(params, context.url.searchParams, context.url);
      return this.send(context, answer.status, answer.body, answer.headers);
    }
    this.violations.push(`the fake Okta has no route for ${method} ${path}`);
    return this.notFound(context);
  }

  /** SSWS with the API token, or Bearer with an issued access token that carries the operation's scope. */
  private authorize(
    header: string | undefined,
    method: string,
    template: string,
    path: string,
  ): Answer | undefined {
    const invalid = { status: 401, body: shapes.oktaError('E0000011', 'Invalid token provided') };
    const ssws = /^SSWS (.+)$/.exec(header ?? '');
    if (ssws) return this.tokens.has(ssws[1]!) ? undefined : invalid;
    const bearer = /^(?:Bearer|DPoP) (.+)$/.exec(header ?? '');
    const scopes = bearer ? this.tokenScopes.get(bearer[1]!) : undefined;
    if (!scopes) return invalid;
    const needed = requiredScopes(method, template);
    if (needed.length === 0 || needed.some((scope) => scopes.has(scope))) return undefined;
    return {
      status: 403,
      headers: {
        'www-authenticate':
          `Bearer authorization_uri="${this.url}/oauth2/v1/authorize", realm="${this.url}", scope="${needed[0]}", ` +
          `error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"`,
      },
      body: shapes.oktaError('E0000006', 'You do not have permission to perform the requested action'),
    };
  }

  /** POST /oauth2/v1/token: checks the client assertion (RS256 JWT) and the requested scopes, issues a token. */
  private token(context: FakeRequest) {
    const form = new URLSearchParams(typeof context.body === 'string' ? context.body : '');
    const oauth = this.options.oauth;
    const route = '/oauth2/v1/token';
    context.operation = route;
    const refuse = (status: number, error: string, description: string) =>
      this.send(context, status, { error, error_description: description });
    if (!oauth) return refuse(401, 'invalid_client', 'Client authentication failed.');
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 'grant_type');
    const assertion = form.get('client_assertion') ?? '';
    const [header, claims, signature] = assertion.split('.');
    if (!header || !claims || !signature)
      return refuse(401, 'invalid_client', 'The client_assertion is malformed.');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${claims}`);
    const key = typeof oauth.publicKey === 'string' ? createPublicKey(oauth.publicKey) : oauth.publicKey;
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid =
      verifier.verify(key, Buffer.from(signature, 'base64url')) &&
      payload.iss === oauth.clientId &&
      payload.sub === oauth.clientId &&
      payload.aud === `${this.url}${route}` &&
      typeof payload.exp === 'number' &&
      payload.exp * 1000 > Date.now();
    if (!valid) return refuse(401, 'invalid_client', 'The client_assertion signature is invalid.');
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const missing = requested.filter((scope) => !oauth.grantedScopes.includes(scope));
    if (requested.length === 0 || missing.length > 0) {
      return refuse(
        400,
        'invalid_scope',
        `The following scopes are not allowed: ${missing.join(', ') || '(none requested)'}`,
      );
    }
    const accessToken = `eyJraWQiOiJmYWtlIn0.${Buffer.from(JSON.stringify({ scp: requested })).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    this.tokenScopes.set(accessToken, new Set(requested));
    this.send(context, 200, shapes.tokenResponse(accessToken, requested.join(' ')));
  }

  /** Forgets every issued access token, as if they all expired. */
  expireAccessTokens(): void {
    this.tokenScopes.clear();
  }

  /**
   * Pages a list as Okta does: `limit` (with a default and a maximum), an opaque `after` cursor, and a
   * `Link: <...>; rel="next"` header while more remain.
   */
  private page(
    items: unknown[],
    query: URLSearchParams,
    url: URL,
    defaults: { limit: number; max: number },
    governance = false,
  ): Answer {
    const limit = Math.min(Number(query.get('limit') ?? defaults.limit), defaults.max);
    const start = query.has('after')
      ? Number(Buffer.from(query.get('after')!, 'base64url').toString('utf8'))
      : 0;
    const slice = items.slice(start, start + limit);
    const self = new URL(url.pathname + url.search, this.linkRoot(governance));
    const links = [`<${self.href}>; rel="self"`];
    let next: URL | undefined;
    if (start + limit < items.length) {
      next = new URL(self);
      next.searchParams.set('after', Buffer.from(String(start + limit)).toString('base64url'));
      links.push(`<${next.href}>; rel="next"`);
    }
    return { status: 200, body: slice, headers: { link: links.join(', ') } };
  }

  private declareRoutes(): void {
    const org = () => this.org;
    const get = (template: string, handler: Handler) =>
      this.routes.push({ method: 'GET', template, handler });
    const userById = (id: string) => org().users.find((u) => u.id === id);
    const notFound = (what: string): Answer => ({
      status: 404,
      body: shapes.oktaError('E0000007', `Not found: Resource not found: ${what} (${what})`),
    });

    get('/api/v1/logs', (_p, query, url) => {
      const limit = Number(query.get('limit') ?? 100);
      if (limit > 1000) {
        return {
          status: 400,
          body: shapes.oktaError('E0000001', 'Api validation failed: limit', ['limit: must be at most 1000']),
        };
      }
      const since = query.get('since');
      const until = query.get('until');
      const matches = logFilter(query.get('filter'), (term) =>
        this.violations.push(`the fake System Log does not understand "${term}"`),
      );
      const events = org()
        .events.filter(
          (e) => (!since || e.published >= since) && (!until || e.published < until) && matches(e),
        )
        .sort((a, b) => a.published.localeCompare(b.published) || a.uuid.localeCompare(b.uuid));
      if (query.get('sortOrder') === 'DESCENDING') events.reverse();
      const answer = this.page(events.map(shapes.logEvent), query, url, { limit: 100, max: 1000 });
      // A polling query (no `until`) always links to the next page; a bounded one only while events remain.
      if (!until && !answer.headers!.link!.includes('rel="next"')) {
        const next = new URL(url.pathname + url.search, this.linkRoot());
        next.searchParams.set('after', Buffer.from(String(events.length)).toString('base64url'));
        answer.headers!.link += `, <${next.href}>; rel="next"`;
      }
      return answer;
    });
    get('/api/v1/policies', (_p, query, url) => {
      const type = query.get('type');
      if (!type)
        return {
          status: 400,
          body: shapes.oktaError('E0000001', 'Api validation failed: type', ['type: required']),
        };
      const policies = org()
        .policies.filter((p) => p.type === type)
        .map((p) => shapes.policy(this.linkRoot(), p));
      return this.page(policies, query, url, { limit: 200, max: 200 });
    });
    get('/api/v1/policies/{policyId}/rules', (p, query, url) => {
      const found = org().policies.find((x) => x.id === p.policyId);
      if (!found) return notFound('Policy');
      return this.page(
        found.rules.map((r) => shapes.policyRule(this.linkRoot(), found.id, r)),
        query,
        url,
        { limit: 200, max: 200 },
      );
    });
    get('/api/v1/authenticators', () => ({
      status: 200,
      body: org().authenticators.map((a) => shapes.authenticator(this.linkRoot(), a)),
    }));
    get('/api/v1/users', (_p, query, url) => {
      const filter = query.get('filter');
      let users: FakeUser[];
      if (filter === null) users = org().users.filter((u) => u.status !== 'DEPROVISIONED');
      else {
        const status = /^status eq "([A-Z_]+)"$/.exec(filter)?.[1];
        if (!status) this.violations.push(`the fake users list does not understand filter "${filter}"`);
        users = org().users.filter((u) => u.status === status);
      }
      return this.page(
        users.map((u) => shapes.user(this.linkRoot(), u)),
        query,
        url,
        { limit: 200, max: 200 },
      );
    });
    get('/api/v1/iam/assignees/users', (_p, query, url) => {
      const ids = Object.keys(org().adminRoles).filter((id) => org().adminRoles[id]!.length > 0);
      const answer = this.page(ids, query, url, { limit: 100, max: 100 });
      const next = parseNext(answer.headers!.link);
      return {
        status: 200,
        body: {
          value: (answer.body as string[]).map((id) => shapes.roleAssignee(this.linkRoot(), id)),
          ...(next ? { _links: { next: { href: next } } } : {}),
        },
      };
    });
    get('/api/v1/users/{userId}/roles', (p) => {
      if (!userById(p.userId!)) return notFound('User');
      const roles = org().adminRoles[p.userId!] ?? [];
      return {
        status: 200,
        body: roles.map((r, index) => shapes.role(this.linkRoot(), p.userId!, r, index)),
      };
    });
    get('/api/v1/apps', (_p, query, url) =>
      this.page(
        org().apps.map((a) => shapes.application(this.linkRoot(), a)),
        query,
        url,
        { limit: 20, max: 200 },
      ),
    );
    get('/api/v1/apps/{appId}/users', (p, query, url) => {
      const found = org().apps.find((a) => a.id === p.appId);
      if (!found) return notFound('App');
      const assigned = found.assignments.flatMap(({ userId, scope }) => {
        const u = userById(userId);
        return u ? [shapes.appUser(this.linkRoot(), found.id, u, scope)] : [];
      });
      return this.page(assigned, query, url, { limit: 50, max: 500 });
    });

    const governance =
      (handler: Handler): Handler =>
      (params, query, url) => {
        if (org().governance) return handler(params, query, url);
        return this.options.governanceMissing === 401
          ? {
              status: 401,
              body: shapes.oktaError(
                'E0000015',
                'You do not have permission to access the feature you are requesting',
              ),
            }
          : notFound('GovernanceCampaign');
      };
    const governancePage = (items: unknown[], query: URLSearchParams, url: URL): Answer => {
      const answer = this.page(items, query, url, { limit: 20, max: 200 }, true);
      const next = parseNext(answer.headers!.link);
      const self = new URL(url.pathname + url.search, this.linkRoot(true)).href;
      return {
        ...answer,
        body: {
          data: answer.body,
          _links: { self: { href: self }, ...(next ? { next: { href: next } } : {}) },
        },
      };
    };
    get(
      '/governance/api/v1/campaigns',
      governance((_p, query, url) => {
        const filter = query.get('filter');
        const status = filter === null ? undefined : /^status eq "([A-Z_]+)"$/.exec(filter)?.[1];
        if (filter !== null && !status)
          this.violations.push(`the fake campaigns list does not understand "${filter}"`);
        const campaigns = org()
          .governance!.campaigns.filter((c) => !status || c.status === status)
          .map((c) => shapes.campaignSparse(this.linkRoot(true), c));
        return governancePage(campaigns, query, url);
      }),
    );
    get(
      '/governance/api/v1/campaigns/{campaignId}',
      governance((p) => {
        const found = org().governance!.campaigns.find((c) => c.id === p.campaignId);
        return found
          ? { status: 200, body: shapes.campaignFull(this.linkRoot(true), found) }
          : notFound('Campaign');
      }),
    );
    get(
      '/governance/api/v1/reviews',
      governance((_p, query, url) => {
        const filter = query.get('filter') ?? '';
        const campaignId = /^campaignId eq "([^"]+)"$/.exec(filter)?.[1];
        if (!campaignId) this.violations.push(`the fake reviews list does not understand "${filter}"`);
        const found: FakeCampaign | undefined = org().governance!.campaigns.find((c) => c.id === campaignId);
        const reviews = (found?.reviews ?? []).map((r) => shapes.review(this.linkRoot(true), found!.id, r));
        return governancePage(reviews, query, url);
      }),
    );
  }
}

/** The OAuth scopes an operation requires, as Okta's description declares them. */
function requiredScopes(method: string, template: string): string[] {
  const operation = openApi().operation(method, template)?.operation;
  const security = (operation?.security ?? []) as Record<string, string[]>[];
  return security.flatMap((entry) => entry.oauth2 ?? entry.OAuth2 ?? []);
}

function parseNext(link: string | undefined): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];
}

/** The System Log filter subset the connector uses: `eventType eq|sw "..."` and `uuid eq "..."` joined by `or`. */
function logFilter(filter: string | null, unknown: (term: string) => void): (event: FakeEvent) => boolean {
  if (!filter) return () => true;
  const terms = filter.split(' or ').map((term) => {
    const parsed = /^(eventType|uuid) (eq|sw) "([^"]*)"$/.exec(term.trim());
    if (!parsed) unknown(term);
    return parsed;
  });
  return (event) =>
    terms.some((term) => {
      if (!term) return false;
      const value = term[1] === 'uuid' ? event.uuid : event.eventType;
      return term[2] === 'eq' ? value === term[3] : value.startsWith(term[3]!);
    });
}
