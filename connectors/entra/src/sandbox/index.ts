/**
 * A Microsoft Entra tenant on loopback: the identity platform's token endpoint and the Microsoft Graph v1.0 reads the
 * connector makes, answered from a FakeTenant in Graph's shapes. Every Graph answer is checked against Microsoft's
 * Graph description (openapi.ts); anything off it goes to `violations`, which the tests require to stay empty.
 * Application permissions are enforced per operation, and the registration report needs the P1/P2 licence.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FakeApi, type FakeRequest, type Fault, matchTemplate } from '@crosswalk/sandbox';
import type { FakeTenant } from './model.js';
import { graphOpenApi } from './openapi.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
export * from './model.js';
export * from './notifications.js';

type Json = Record<string, unknown>;
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (params: Record<string, string>, query: URLSearchParams) => Answer;

export interface FakeEntraOptions {
  tenant: FakeTenant;
  /** The app registration the token endpoint knows: its id, its secret, and the application permissions granted. */
  app: { clientId: string; clientSecret: string; permissions: string[] };
  /** Check answers against the description (on by default; the benchmark turns it off to time less). */
  validate?: boolean;
  /** Seconds a token lives. @defaultValue 3599 */
  tokenLifetime?: number;
}

/** The application permissions each operation needs (any one of them). */
const PERMISSIONS: Record<string, string[]> = {
  '/users': ['User.Read.All', 'Directory.Read.All'],
  '/users/{user-id}': ['User.Read.All', 'Directory.Read.All'],
  '/reports/authenticationMethods/userRegistrationDetails': ['AuditLog.Read.All'],
  '/directoryRoles': ['RoleManagement.Read.Directory', 'Directory.Read.All'],
  '/directoryRoles/{directoryRole-id}/members': ['RoleManagement.Read.Directory', 'Directory.Read.All'],
  '/auditLogs/directoryAudits': ['AuditLog.Read.All'],
  '/auditLogs/signIns': ['AuditLog.Read.All'],
  '/identity/conditionalAccess/policies': ['Policy.Read.All'],
  '/policies/authenticationMethodsPolicy': ['Policy.Read.All'],
  '/identityGovernance/accessReviews/definitions': ['AccessReview.Read.All'],
  '/identityGovernance/accessReviews/definitions/{accessReviewScheduleDefinition-id}/instances': [
    'AccessReview.Read.All',
  ],
  '/identityGovernance/accessReviews/definitions/{accessReviewScheduleDefinition-id}/instances/{accessReviewInstance-id}/decisions':
    ['AccessReview.Read.All'],
};

/** Graph's error body. */
export function graphError(code: string, message: string): Json {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': randomUUID(),
        'client-request-id': randomUUID(),
      },
    },
  };
}

/** Graph's 403 for a feature the tenant's licences do not include. */
function notLicensed(): Answer {
  return {
    status: 403,
    body: graphError(
      'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      "Neither tenant is B2C or tenant doesn't have premium license",
    ),
  };
}

/** A 429 as Graph sends it when it throttles: Retry-After in seconds. */
export function throttled(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: graphError('TooManyRequests', 'Too many requests.'),
  };
}

/** The identity platform names its answers by `x-ms-request-id` (Graph by `request-id`). */
const IDENTITY_HEADERS = () => ({
  'x-ms-request-id': randomUUID(),
  'content-type': 'application/json; charset=utf-8',
});

/** A Graph object with only the `$select`ed properties (and its id), as Graph answers. */
function project(item: Json, query: URLSearchParams): Json {
  const select = query.get('$select');
  if (!select) return item;
  const fields = new Set(['id', ...select.split(',')]);
  return Object.fromEntries(
    Object.entries(item).filter(([key]) => fields.has(key) || key.startsWith('@odata.')),
  );
}

export class FakeEntra extends FakeApi {
  private readonly tokens = new Map<string, number>();
  private readonly routes: { template: string; handler: Handler }[] = [];

  private constructor(readonly options: FakeEntraOptions) {
    super('/v1.0', 'request-id');
    this.declareRoutes();
  }

  static start(options: FakeEntraOptions): Promise<FakeEntra> {
    return new FakeEntra(options).listen();
  }

  get tenant(): FakeTenant {
    return this.options.tenant;
  }

  /** The token endpoint lives beside Graph's `/v1.0` (on login.microsoftonline.com in the real world). */
  protected override localPath(pathname: string): string | undefined {
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(pathname)) return pathname;
    return super.localPath(pathname);
  }

  protected override requestId(): string {
    return randomUUID();
  }

  protected override answerHeaders(): Record<string, string> {
    return {
      'content-type':
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'x-ms-ags-diagnostic':
        '{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"FAKE"}}',
    };
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || body === undefined) return [];
    return graphOpenApi().check(request.method, request.operation!, status, JSON.parse(JSON.stringify(body)));
  }

  protected override notFound(request: FakeRequest): void {
    this.send(request, 404, graphError('Request_ResourceNotFound', 'Resource not found.'));
  }

  protected override route(context: FakeRequest) {
    const { method, path } = context;
    if (method === 'POST' && path.endsWith('/oauth2/v2.0/token')) return this.token(context);
    if (method !== 'GET') return this.notFound(context);
    for (const route of this.routes) {
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      context.operation = route.template;
      const denied = this.authorize(context.request.headers.authorization, route.template);
      const answer = denied ?? route.handler(params, context.url.searchParams);
      return this.send(context, answer.status, answer.body, answer.headers);
    }
    this.violations.push(`the fake Graph has no route for ${method} ${path}`);
    return this.notFound(context);
  }

  private authorize(header: string | undefined, template: string): Answer | undefined {
    const bearer = /^Bearer (.+)$/.exec(header ?? '');
    const expiresAt = bearer ? this.tokens.get(bearer[1]!) : undefined;
    if (expiresAt === undefined || expiresAt < Date.now()) {
      return {
        status: 401,
        body: graphError(
          'InvalidAuthenticationToken',
          expiresAt
            ? 'Lifetime validation failed, the token is expired.'
            : 'Access token validation failure.',
        ),
      };
    }
    const needed = PERMISSIONS[template] ?? [];
    if (
      needed.length > 0 &&
      !needed.some((permission) => this.options.app.permissions.includes(permission))
    ) {
      return {
        status: 403,
        body: graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
      };
    }
    return undefined;
  }

  /** POST /{tenant}/oauth2/v2.0/token: the client credentials grant, with a secret or a signed assertion. */
  private token(context: FakeRequest) {
    const form = new URLSearchParams(typeof context.body === 'string' ? context.body : '');
    const { app, tenant } = this.options;
    const refuse = (status: number, error: string, code: number, description: string) =>
      this.send(
        context,
        status,
        {
          error,
          error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
          error_codes: [code],
          timestamp: new Date().toISOString(),
          trace_id: randomUUID(),
          correlation_id: randomUUID(),
        },
        IDENTITY_HEADERS(),
      );
    if (!context.path.startsWith(`/${tenant.tenantId}/`))
      return refuse(400, 'invalid_request', 90002, `Tenant '${context.path.split('/')[1]}' not found.`);
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== app.clientId)
      return refuse(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory.`,
      );
    if (form.get('scope') !== 'https://graph.microsoft.com/.default')
      return refuse(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.');
    const assertion = form.get('client_assertion');
    if (assertion !== null) {
      // The certificate path: the assertion must be a three-part JWT naming this app (the signature is the tests' to check).
      const claims = JSON.parse(
        Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}',
      ) as Json;
      if (claims.iss !== app.clientId || claims.sub !== app.clientId)
        return refuse(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    } else if (form.get('client_secret') !== app.clientSecret) {
      return refuse(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    const lifetime = this.options.tokenLifetime ?? 3599;
    const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    this.tokens.set(token, Date.now() + lifetime * 1000);
    return this.send(
      context,
      200,
      { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
      IDENTITY_HEADERS(),
    );
  }

  /** A collection page: `$top` items from `$skiptoken` on, and a next link that keeps the question. */
  private page(path: string, items: Json[], query: URLSearchParams): Answer {
    const top = Math.min(Number(query.get('$top') ?? 100) || 100, 999);
    const skip = Number(query.get('$skiptoken') ?? 0) || 0;
    const value = items.slice(skip, skip + top).map((item) => project(item, query));
    const body: Json = {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#${path.slice(1)}`,
      value,
    };
    if (skip + top < items.length) {
      const next = new URL(`${this.linkBase}${path}`);
      for (const [name, v] of query) if (name !== '$skiptoken') next.searchParams.set(name, v);
      next.searchParams.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = next.href;
    }
    return { status: 200, body };
  }

  private declareRoutes(): void {
    const tenant = () => this.options.tenant;
    const get = (template: string, handler: Handler) => this.routes.push({ template, handler });
    get('/users', (_, query) => this.page('/users', tenant().users, query));
    get('/users/{user-id}', ({ 'user-id': id }, query) => {
      const found = tenant().users.find((u) => u.id === id || u.userPrincipalName === id);
      return found
        ? { status: 200, body: project(found, query) }
        : {
            status: 404,
            body: graphError(
              'Request_ResourceNotFound',
              `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
            ),
          };
    });
    get('/reports/authenticationMethods/userRegistrationDetails', (_, query) => {
      if (tenant().premium === false) {
        return {
          status: 403,
          body: graphError(
            'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
            "Neither tenant is B2C or tenant doesn't have premium license",
          ),
        };
      }
      return this.page(
        '/reports/authenticationMethods/userRegistrationDetails',
        tenant().registrations,
        query,
      );
    });
    get('/directoryRoles', (_, query) =>
      this.page(
        '/directoryRoles',
        tenant().roles.map(({ members: _members, ...rest }) => ({
          ...rest,
          description: null,
          deletedDateTime: null,
        })),
        query,
      ),
    );
    get('/directoryRoles/{directoryRole-id}/members', ({ 'directoryRole-id': id }, query) => {
      const found = tenant().roles.find((r) => r.id === id);
      if (!found)
        return {
          status: 404,
          body: graphError('Request_ResourceNotFound', `Resource '${id}' does not exist.`),
        };
      const members = found.members.map((memberId) => {
        const u = tenant().users.find((x) => x.id === memberId);
        if (u) return { '@odata.type': '#microsoft.graph.user', ...u };
        const other = tenant().directoryObjects?.find((o) => o.id === memberId);
        if (!other) this.violations.push(`role ${id} names ${memberId}, which the fake tenant does not hold`);
        return other ?? { '@odata.type': '#microsoft.graph.group', id: memberId };
      });
      return this.page(`/directoryRoles/${id}/members`, members, query);
    });
    get('/identity/conditionalAccess/policies', (_, query) => {
      if (tenant().premium === false) return notLicensed();
      return this.page('/identity/conditionalAccess/policies', tenant().conditionalAccess ?? [], query);
    });
    get('/policies/authenticationMethodsPolicy', () => ({
      status: 200,
      body: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy',
        ...(tenant().authenticationMethodsPolicy ?? {}),
      },
    }));
    const reviews = '/identityGovernance/accessReviews/definitions';
    const review = (id: string) => tenant().accessReviews?.find((r) => r.definition.id === id);
    get(reviews, (_, query) => {
      if (tenant().governance === false) return notLicensed();
      return this.page(
        reviews,
        (tenant().accessReviews ?? []).map((r) => r.definition),
        query,
      );
    });
    get(
      `${reviews}/{accessReviewScheduleDefinition-id}/instances`,
      ({ 'accessReviewScheduleDefinition-id': id }, query) => {
        const found = review(id!);
        if (!found) return { status: 404, body: graphError('NotFound', `Access review ${id} not found.`) };
        return this.page(
          `${reviews}/${id}/instances`,
          found.instances.map((i) => i.instance),
          query,
        );
      },
    );
    get(
      `${reviews}/{accessReviewScheduleDefinition-id}/instances/{accessReviewInstance-id}/decisions`,
      ({ 'accessReviewScheduleDefinition-id': id, 'accessReviewInstance-id': instanceId }, query) => {
        const found = review(id!)?.instances.find((i) => i.instance.id === instanceId);
        if (!found) return { status: 404, body: graphError('NotFound', `Instance ${instanceId} not found.`) };
        const decisions = found.decisions.map((d) => ({ ...d, accessReviewId: instanceId }));
        return this.page(`${reviews}/${id}/instances/${instanceId}/decisions`, decisions, query);
      },
    );
    get('/auditLogs/signIns', (_, query) => {
      if (tenant().premium === false) return notLicensed();
      const filter = query.get('$filter') ?? '';
      const from = /createdDateTime ge (\S+)/.exec(filter)?.[1];
      const to = /createdDateTime lt (\S+)/.exec(filter)?.[1];
      const entries = (tenant().signIns ?? [])
        .filter((entry) => {
          const at = Date.parse(String(entry.createdDateTime));
          return (!from || at >= Date.parse(from)) && (!to || at < Date.parse(to));
        })
        .sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime)));
      return this.page('/auditLogs/signIns', entries, query);
    });
    get('/auditLogs/directoryAudits', (_, query) => {
      const filter = query.get('$filter') ?? '';
      const from = /activityDateTime ge (\S+)/.exec(filter)?.[1];
      const to = /activityDateTime le (\S+)/.exec(filter)?.[1];
      const names = [...filter.matchAll(/activityDisplayName eq '((?:[^']|'')*)'/g)].map((m) =>
        m[1]!.replaceAll("''", "'"),
      );
      const entries = tenant()
        .audits.filter((entry) => {
          const at = Date.parse(String(entry.activityDateTime));
          return (
            (!from || at >= Date.parse(from)) &&
            (!to || at <= Date.parse(to)) &&
            (names.length === 0 || names.includes(String(entry.activityDisplayName)))
          );
        })
        // Graph lists the audit log newest first.
        .sort((a, b) => String(b.activityDateTime).localeCompare(String(a.activityDateTime)));
      return this.page('/auditLogs/directoryAudits', entries, query);
    });
  }
}
