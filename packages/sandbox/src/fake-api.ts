import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer to give instead of the real one, `times` times, to requests whose path matches; `hang` never answers. */
export interface Fault {
  method?: string;
  path: string | RegExp;
  /** Query parameters the request must carry to be answered by the fault. */
  query?: Record<string, string>;
  times?: number;
  status?: number;
  /** Headers, or a function giving them when the fault answers (a reset time counted from then). */
  headers?: Record<string, string> | (() => Record<string, string>);
  body?: unknown;
  hang?: boolean;
  /** Called when the fault answers, before it does (e.g. to expire tokens at that moment). */
  onHit?: () => void;
}

export interface ReceivedRequest {
  method: string;
  /** Below the fake's prefix, without the query. */
  path: string;
  query: URLSearchParams;
  status: number;
  requestId: string;
  authorization: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** One request as a fake's routes see it. */
export interface FakeRequest {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  url: URL;
  /** Below the fake's prefix. */
  path: string;
  body: unknown;
  /** The operation's path template in the vendor's description, once a route names it; checked answers need it. */
  operation?: string;
}

/**
 * The skeleton every loopback source shares: a server on 127.0.0.1, the request log, faults, a vendor-spec
 * check of every answer, and links that can be made to point elsewhere. A vendor's fake extends it with its routes
 * (`route`) and its checker (`checkAnswer`), and says its request id header.
 */
export abstract class FakeApi {
  readonly requests: ReceivedRequest[] = [];
  /** What did not match the vendor's description; tests require it to be empty. */
  readonly violations: string[] = [];
  /** Where links in answers point; set it to another origin to play a source that links elsewhere. */
  linkOrigin: string | undefined;
  url = '';
  origin = '';
  private readonly server: Server;
  private readonly faults: (Fault & { remaining: number })[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private count = 0;

  constructor(
    /** Served under this path (`/ex/jira/<cloudId>`). */
    readonly prefix = '',
    /** The vendor's request id header, set on every answer. */
    readonly requestIdHeader = 'x-request-id',
  ) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.violations.push(`server error: ${(error as Error).stack ?? String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
  }

  /** Starts listening on a free loopback port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.url = `${this.origin}${this.prefix}`;
    return this;
  }

  /** The origin answers' links name. */
  get linkBase(): string {
    return `${this.linkOrigin ?? this.origin}${this.prefix}`;
  }

  fault(fault: Fault): this {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
    return this;
  }

  /** The requests whose path starts with (or matches) `path`. */
  received(path: string | RegExp): ReceivedRequest[] {
    return this.requests.filter((r) =>
      typeof path === 'string' ? r.path.startsWith(path) : path.test(r.path),
    );
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answers one request the vendor's way; call `send` exactly once. */
  protected abstract route(request: FakeRequest): unknown;

  /** The vendor's description's problems with an answer (none by default). */
  protected checkAnswer(_request: FakeRequest, _status: number, _body: unknown): string[] {
    return [];
  }

  /** The n-th answer's request id, in the vendor's format. */
  protected requestId(n: number): string {
    return `req-${n}`;
  }

  /**
   * A request's path below the prefix, or undefined for one outside it. A vendor that serves some paths beside its
   * prefix (GitHub Enterprise's GraphQL at /api/graphql next to REST under /api/v3) says so here.
   */
  protected localPath(pathname: string): string | undefined {
    const inside = pathname === this.prefix || pathname.startsWith(`${this.prefix}/`);
    return inside ? pathname.slice(this.prefix.length) || '/' : undefined;
  }

  /** The path a received request is logged under (fakes whose tests read queries there add the query). */
  protected recordedPath(request: FakeRequest): string {
    return request.path;
  }

  /** Headers the vendor sends on every answer (rate-limit state, media type); an answer's own headers win. */
  protected answerHeaders(_request: FakeRequest): Record<string, string> {
    return {};
  }

  /** An answer's bytes: JSON by default; a vendor that answers in XML (AWS's query protocol) encodes its own. */
  protected encode(_request: FakeRequest, body: unknown, _requestId: string): string {
    return JSON.stringify(body);
  }

  /** What the fake answers a path outside its prefix or with no route: the vendor's 404. */
  protected notFound(request: FakeRequest): void {
    this.send(request, 404, { message: 'Not Found' });
  }

  /** Records the request, checks the answer against the description, and sends it (as JSON unless `encode` says). */
  protected send(
    request: FakeRequest,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.count += 1;
    const requestId = this.requestId(this.count);
    if (request.operation) this.violations.push(...this.checkAnswer(request, status, body));
    this.requests.push({
      method: request.method,
      path: this.recordedPath(request),
      query: request.url.searchParams,
      status,
      requestId,
      authorization: request.request.headers.authorization,
      headers: request.request.headers,
      body: request.body,
    });
    request.response.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      [this.requestIdHeader]: requestId,
      ...this.answerHeaders(request),
      ...headers,
    });
    request.response.end(body === undefined ? '' : this.encode(request, body, requestId));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const url = new URL(request.url ?? '/', this.origin);
    const method = request.method ?? 'GET';
    const local = this.localPath(url.pathname);
    const path = local ?? url.pathname;
    const context: FakeRequest = { request, response, method, url, path, body };
    if (local === undefined) return this.notFound(context);
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method === method) &&
        (typeof f.path === 'string' ? path === f.path : f.path.test(path)) &&
        Object.entries(f.query ?? {}).every(([name, value]) => url.searchParams.get(name) === value),
    );
    if (fault) {
      fault.remaining -= 1;
      fault.onHit?.();
      if (fault.hang) {
        this.hanging.add(response);
        this.requests.push({
          method,
          path: this.recordedPath(context),
          query: url.searchParams,
          status: 0,
          requestId: '',
          authorization: request.headers.authorization,
          headers: request.headers,
          body,
        });
        return;
      }
      const headers = typeof fault.headers === 'function' ? fault.headers() : fault.headers;
      return this.send(context, fault.status ?? 500, fault.body, headers);
    }
    await this.route(context);
  }
}

/** Matches a route template (`/repos/{owner}/{repo}`) against a path, one segment per parameter (a `%2F` stays inside its segment). */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index]!;
    if (segment.startsWith('{')) params[segment.slice(1, -1)] = decodeURIComponent(value);
    else if (segment !== value) return undefined;
  }
  return params;
}
