/**
 * A BambooHR company on loopback: the custom report (`POST /api/v1/reports/custom`) and the changed employee table
 * data (`GET /api/v1/employees/changed/tables/{table}`), answered from a FakeCompany under HTTP Basic with the API
 * key as user name. Every answer, request body and query is checked against BambooHR's published description
 * (openapi.ts); anything that does not match is collected in `violations`, which the tests require to stay empty.
 */
import { FakeApi, type FakeRequest, type Fault, matchTemplate } from '@crosswalk/sandbox';
import type { FakeCompany, FakeEmployee } from './model.js';
import { bamboohrOpenApi } from './openapi.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
export * from './model.js';
export { BambooHrOpenApi, bamboohrOpenApi, SPEC_BLOB, specBytes } from './openapi.js';

export interface FakeBambooHrOptions {
  company: FakeCompany;
  /** The API key the company issued; any other is refused with 401. */
  apiKey: string;
  /** Check answers, bodies and queries against the description (on by default). */
  validate?: boolean;
}

const ROUTES = {
  report: '/api/v1/reports/custom',
  changedTable: '/api/v1/employees/changed/tables/{table}',
} as const;

/** BambooHR's throttling answer: 429 (older answers: 503) with Retry-After. */
export function throttled(retryAfterSeconds = 1, status: 429 | 503 = 429): Omit<Fault, 'path'> {
  return {
    status,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-bamboohr-error-message': 'Rate limit exceeded' },
  };
}

export class FakeBambooHr extends FakeApi {
  /** Answer every request with a redirect to another host, as a hijacked or misconfigured host would. */
  redirectElsewhere: string | undefined;

  private constructor(readonly options: FakeBambooHrOptions) {
    super('', 'x-request-id');
  }

  static async start(options: FakeBambooHrOptions): Promise<FakeBambooHr> {
    return new FakeBambooHr(options).listen();
  }

  get company(): FakeCompany {
    return this.options.company;
  }

  protected override requestId(n: number): string {
    return `fake-${process.pid.toString(36)}-${n.toString(36).padStart(6, '0')}`;
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || request.operation === undefined) return [];
    return bamboohrOpenApi().checkResponse(request.method, request.operation, status, body);
  }

  protected override notFound(request: FakeRequest): void {
    this.send(request, 404, undefined, { 'x-bamboohr-error-message': 'Not found' });
  }

  protected override route(context: FakeRequest) {
    if (this.redirectElsewhere) {
      return this.send(context, 302, undefined, {
        location: `${this.redirectElsewhere}${context.url.pathname}`,
      });
    }
    const route =
      context.method === 'POST' && context.path === ROUTES.report
        ? ROUTES.report
        : context.method === 'GET' && matchTemplate(ROUTES.changedTable, context.path)
          ? ROUTES.changedTable
          : undefined;
    if (!route) return this.notFound(context);
    context.operation = route;
    if (!this.authorized(context)) {
      return this.send(context, 401, undefined, { 'x-bamboohr-error-message': 'Invalid API key' });
    }
    if (this.options.validate !== false) {
      const checker = bamboohrOpenApi();
      const problems = checker.checkQuery(context.method, route, context.url.searchParams);
      if (route === ROUTES.report) {
        // The description: only exactly `application/json` is read as JSON; anything else is parsed as XML.
        if (context.request.headers['content-type'] !== 'application/json') {
          problems.push(`POST ${route}: content-type must be exactly application/json`);
        }
        problems.push(...checker.checkRequest('POST', route, context.body));
      }
      if (problems.length > 0) {
        this.violations.push(...problems);
        return this.send(context, 400, undefined, { 'x-bamboohr-error-message': problems.join('; ') });
      }
    }
    if (route === ROUTES.report) return this.report(context);
    return this.changedTable(context, matchTemplate(ROUTES.changedTable, context.path)!.table!);
  }

  private authorized(context: FakeRequest): boolean {
    const header = context.request.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const [user] = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':');
    return user === this.options.apiKey;
  }

  private report(context: FakeRequest): void {
    const body = context.body as { title?: string; fields?: string[]; filters?: { employeeIds?: number[] } };
    const fields = body.fields ?? [];
    const only = body.filters?.employeeIds?.map(String);
    const chosen = this.company.employees.filter((e) => !only || only.includes(e.id));
    this.send(context, 200, {
      title: body.title ?? 'Report',
      fields: fields.map((id) => ({ id, type: id.endsWith('Date') ? 'date' : 'text', name: id })),
      employees: chosen.map((e) => ({
        id: e.id,
        // Unknown fields are left out, as BambooHR omits ids it does not know or the key may not see.
        ...Object.fromEntries(fields.filter((f) => f in e.fields).map((f) => [f, e.fields[f]!])),
      })),
    });
  }

  private changedTable(context: FakeRequest, table: string): void {
    if (table !== 'employmentStatus') {
      this.notFound(context);
      return;
    }
    const since = Date.parse(context.url.searchParams.get('since') ?? '');
    const changed = this.company.employees.filter((e: FakeEmployee) => Date.parse(e.lastChanged) >= since);
    this.send(context, 200, {
      table,
      employees: Object.fromEntries(
        changed.map((e) => [e.id, { lastChanged: e.lastChanged, rows: e.statusRows }]),
      ),
    });
  }
}
