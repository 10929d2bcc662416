/**
 * A Google Workspace account on loopback: the OAuth token endpoint (service account assertions with domain-wide
 * delegation), the Directory API (users, roles, role assignments) and the Reports API (activities), answered from a
 * FakeTenant in Google's shapes. Every answer is checked against Google's discovery documents, and every query the
 * connector sends against the method's declared parameters (discovery.ts); anything that does not match is
 * collected in `violations`, which the tests require to stay empty. Scopes are enforced per method as the
 * documents declare them.
 */
import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { FakeApi, type FakeRequest, type Fault, matchTemplate } from '@crosswalk/sandbox';
import { type DiscoveryMethod, discovery } from './discovery.js';
import type { FakeTenant } from './model.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
export * from './model.js';

type Json = Record<string, unknown>;

export interface FakeGoogleWorkspaceOptions {
  tenant: FakeTenant;
  /** The service account whose assertions (RS256, signed with the matching private key) buy access tokens. */
  serviceAccount: { clientEmail: string; publicKey: string | KeyObject };
  /** The admins the service account may act as (domain-wide delegation's subjects). */
  admins: string[];
  /** The scopes the Admin console granted the service account's client id. */
  grantedScopes: string[];
  /** Answer every page with the same next page token, as a source stuck in a loop would. */
  repeatPageTokens?: boolean;
  /** Check answers and queries against the discovery documents (on by default; the benchmark turns it off). */
  validate?: boolean;
}

/** Google's JSON error body. */
export function googleError(code: number, status: string, reason: string, message: string): Json {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
}

/** A 429 as Google sends it: RESOURCE_EXHAUSTED with Retry-After. */
export function rateLimited(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: googleError(429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', 'Quota exceeded for quota metric.'),
  };
}

/** The Admin SDK's older usage-limit answer: a 403 that says so only in its reason. */
export function userRateLimited(): Omit<Fault, 'path'> {
  return {
    status: 403,
    body: googleError(403, 'PERMISSION_DENIED', 'userRateLimitExceeded', 'User Rate Limit Exceeded'),
  };
}

const TOKEN_PATH = '/token';

interface Grant {
  subject: string;
  scopes: Set<string>;
}

export class FakeGoogleWorkspace extends FakeApi {
  /** Access tokens handed out, with what they allow. */
  private readonly grants = new Map<string, Grant>();
  private readonly publicKey: KeyObject;
  private issued = 0;

  private constructor(readonly options: FakeGoogleWorkspaceOptions) {
    super('', 'etag');
    const key = options.serviceAccount.publicKey;
    this.publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  }

  static async start(options: FakeGoogleWorkspaceOptions): Promise<FakeGoogleWorkspace> {
    return new FakeGoogleWorkspace(options).listen();
  }

  get tenant(): FakeTenant {
    return this.options.tenant;
  }

  /** Where the service account key's `token_uri` points. */
  get tokenUri(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  /** Tokens issued so far (each a token request answered 200). */
  get tokensIssued(): number {
    return this.issued;
  }

  protected override requestId(n: number): string {
    return `"fake-${process.pid.toString(36)}-${n.toString(36).padStart(6, '0')}"`;
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || body === undefined || request.operation === TOKEN_PATH) return [];
    return discovery().checkResponse(
      request.method,
      request.operation!,
      status,
      JSON.parse(JSON.stringify(body)),
    );
  }

  protected override notFound(request: FakeRequest): void {
    this.send(request, 404, googleError(404, 'NOT_FOUND', 'notFound', 'Not Found'));
  }

  protected override route(context: FakeRequest) {
    if (context.method === 'POST' && context.path === TOKEN_PATH) {
      context.operation = TOKEN_PATH;
      return this.token(context);
    }
    const method = this.methodFor(context);
    if (!method) return this.notFound(context);
    const { found, params } = method;
    context.operation = found.path;
    if (this.options.validate !== false) {
      const problems = discovery().checkQuery(context.method, found.path, context.url.searchParams);
      for (const [name, value] of Object.entries(params)) {
        problems.push(...discovery().checkPathParameter(context.method, found.path, name, value));
      }
      if (problems.length > 0) {
        this.violations.push(...problems);
        return this.send(context, 400, googleError(400, 'INVALID_ARGUMENT', 'invalid', problems.join('; ')));
      }
    }
    const grant = this.grantOf(context);
    if (!grant) {
      return this.send(
        context,
        401,
        googleError(401, 'UNAUTHENTICATED', 'authError', 'Request had invalid authentication credentials.'),
      );
    }
    if (!found.scopes.some((scope) => grant.scopes.has(scope))) {
      return this.send(
        context,
        403,
        googleError(
          403,
          'PERMISSION_DENIED',
          'insufficientPermissions',
          'Request had insufficient authentication scopes.',
        ),
      );
    }
    const query = context.url.searchParams;
    const customer = params.customer ?? query.get('customer') ?? query.get('customerId') ?? 'my_customer';
    if (customer !== 'my_customer' && customer !== this.tenant.customerId) {
      return this.send(context, 400, googleError(400, 'INVALID_ARGUMENT', 'badRequest', 'Bad Request'));
    }
    switch (found.id) {
      case 'directory.users.list':
        return this.page(context, 'admin#directory#users', 'users', this.tenant.users, 100);
      case 'directory.roles.list':
        return this.page(context, 'admin#directory#roles', 'items', this.tenant.roles, 100);
      case 'directory.roleAssignments.list':
        return this.page(
          context,
          'admin#directory#roleAssignments',
          'items',
          this.tenant.roleAssignments,
          100,
        );
      case 'reports.activities.list':
        return this.activities(context, params);
      default:
        return this.notFound(context);
    }
  }

  private methodFor(
    context: FakeRequest,
  ): { found: DiscoveryMethod; params: Record<string, string> } | undefined {
    // The most literal template wins: `/admin/directory/v1/users` before `/admin/directory/v1/{+name}`.
    let best: { found: DiscoveryMethod; params: Record<string, string> } | undefined;
    for (const found of discovery().templates()) {
      if (found.httpMethod !== context.method) continue;
      const params = matchTemplate(found.path, context.path);
      if (params && (!best || Object.keys(params).length < Object.keys(best.params).length))
        best = { found, params };
    }
    return best;
  }

  private grantOf(context: FakeRequest): Grant | undefined {
    const header = context.request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    return token ? this.grants.get(token) : undefined;
  }

  /** One page of a list: `maxResults` items from the page token's offset, and the next token while more remain. */
  private page(
    context: FakeRequest,
    kind: string,
    key: string,
    all: readonly Json[],
    defaultSize: number,
  ): void {
    const query = context.url.searchParams;
    const size = Number(query.get('maxResults') ?? defaultSize);
    const token = query.get('pageToken');
    const offset = token
      ? Number(
          Buffer.from(token, 'base64url')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    const items = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    const body: Json = {
      kind,
      etag: `"${createHash('sha1').update(`${kind}:${offset}:${all.length}`).digest('hex').slice(0, 27)}"`,
    };
    // Google leaves an empty list out of the answer.
    if (items.length > 0) body[key] = items;
    if (more) {
      body.nextPageToken = this.options.repeatPageTokens
        ? Buffer.from(`offset:${size}`).toString('base64url')
        : Buffer.from(`offset:${offset + size}`).toString('base64url');
    }
    this.send(context, 200, body);
  }

  private activities(context: FakeRequest, params: Record<string, string>): void {
    const application = params.applicationName as 'admin' | 'login';
    const all = (this.tenant.activities as Record<string, Json[] | undefined>)[application] ?? [];
    const query = context.url.searchParams;
    const start = query.get('startTime');
    const end = query.get('endTime');
    const inRange = all
      .filter((a) => {
        const time = String((a.id as Json).time);
        return (
          (!start || Date.parse(time) >= Date.parse(start)) && (!end || Date.parse(time) < Date.parse(end))
        );
      })
      .filter((a) => params.userKey === 'all' || (a.actor as Json | undefined)?.email === params.userKey)
      // `eventName` keeps the activities holding an event of that name (one name per request).
      .filter((a) => {
        const name = query.get('eventName');
        return !name || ((a.events ?? []) as Json[]).some((e) => e.name === name);
      })
      // Newest first, as the Reports API lists them.
      .sort((a, b) => String((b.id as Json).time).localeCompare(String((a.id as Json).time)));
    this.page(context, 'admin#reports#activities', 'items', inRange, 1000);
  }

  /** The token endpoint: a JWT bearer assertion (RFC 7523) for an admin, with granted scopes only. */
  private token(context: FakeRequest) {
    const form = new URLSearchParams(typeof context.body === 'string' ? context.body : '');
    const refuse = (status: number, error: string, description: string) =>
      this.send(context, status, { error, error_description: description });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return refuse(400, 'unsupported_grant_type', 'Invalid grant_type.');
    }
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return refuse(400, 'invalid_grant', 'Invalid JWT.');
    const [header, claims, signature] = parts as [string, string, string];
    const verified = createVerify('RSA-SHA256')
      .update(`${header}.${claims}`)
      .verify(this.publicKey, Buffer.from(signature, 'base64url'));
    if (!verified) return refuse(400, 'invalid_grant', 'Invalid JWT Signature.');
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Json;
    const now = Math.floor(Date.now() / 1000);
    if (payload.iss !== this.options.serviceAccount.clientEmail) {
      return refuse(401, 'invalid_client', 'The OAuth client was not found.');
    }
    if (payload.aud !== this.tokenUri) return refuse(400, 'invalid_grant', 'Invalid JWT: audience.');
    if (typeof payload.exp !== 'number' || payload.exp < now || payload.exp - Number(payload.iat) > 3600) {
      return refuse(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes).');
    }
    if (typeof payload.sub !== 'string' || !this.options.admins.includes(payload.sub)) {
      return refuse(400, 'invalid_grant', 'Invalid email or User ID');
    }
    const scopes = String(payload.scope ?? '')
      .split(' ')
      .filter(Boolean);
    if (scopes.length === 0 || !scopes.every((scope) => this.options.grantedScopes.includes(scope))) {
      return refuse(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    }
    this.issued += 1;
    const token = `ya29.fake${createHash('sha256').update(`${this.issued}:${payload.sub}`).digest('base64url')}`;
    this.grants.set(token, { subject: payload.sub, scopes: new Set(scopes) });
    this.send(context, 200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }
}
