import { type CollectorLogger, isCrosswalkError, RATE_LIMIT_WAIT_EVENT } from '@crosswalk/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRedactor,
  githubRateLimitRule,
  HttpClient,
  type HttpClientOptions,
  httpSourceError,
  jiraRateLimitRule,
  oktaRateLimitRule,
  type Paginator,
  paginate,
  sourceStatusOf,
} from '../src/index.js';
import { type Answer, loopback, type Seen } from './loopback.js';

const TOKEN = 'kit-test-token-0123456789';
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function capture() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  const log = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  } as CollectorLogger;
  return { log, lines };
}

async function setUp(
  answer: (request: Seen, index: number) => Answer,
  options: Partial<HttpClientOptions> = {},
  path = '',
) {
  const server = await loopback(answer);
  servers.push(server);
  const { log, lines } = capture();
  const waits: number[] = [];
  const client = new HttpClient({
    source: 'Example',
    baseUrl: `${server.origin}${path}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    policy: { timeoutMs: 2_000, retries: 2, backoffMs: 5, maxRateLimitWaitSeconds: 60 },
    requestIdHeader: 'x-request-id',
    redact: createRedactor([TOKEN]),
    describeError: (body) => ({ text: (body as { message?: string } | undefined)?.message ?? '' }),
    log,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { server, client, lines, waits };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('HttpClient', () => {
  describe('pins every request to the configured URL', () => {
    it('refuses another host, another path and a look-alike prefix before sending anything', async () => {
      const { server, client } = await setUp(() => ({ body: {} }), {}, '/ex/jira/1');
      for (const url of [
        'http://evil.example/ex/jira/1/x',
        `${server.origin}/ex/jira/2/x`,
        `${server.origin}/ex/jira/10/x`,
      ]) {
        const error = await failure(client.json({ url }));
        expect(isCrosswalkError(error, 'CW_SOURCE_DATA')).toBe(true);
        expect(error.message).toContain('outside the configured Example URL');
      }
      expect(server.seen).toHaveLength(0);
      await client.json({ url: '/rest/x' });
      expect(server.seen.map((s) => s.url)).toEqual(['/ex/jira/1/rest/x']);
    });

    it('does not follow a redirect', async () => {
      const { client } = await setUp(() => ({ status: 302, headers: { location: 'http://evil.example/' } }));
      const error = await failure(client.json({ url: '/x' }));
      expect(isCrosswalkError(error, 'CW_SOURCE_DATA')).toBe(true);
      expect(error.message).toMatch(/^Example answered 302/);
    });
  });

  describe('when the source limits', () => {
    it('waits out a 429 for its Retry-After, records both attempts, and logs the wait as an event', async () => {
      const { client, lines, waits } = await setUp((_, i) =>
        i === 0
          ? { status: 429, headers: { 'retry-after': '3', 'x-request-id': 'r0' } }
          : { body: { ok: 1 }, headers: { 'x-request-id': 'r1' } },
      );
      expect(await client.json({ url: '/x' })).toEqual({ ok: 1 });
      expect(waits).toEqual([3000]);
      expect(client.recorder.entries).toEqual([
        { method: 'GET', path: '/x', status: 429, requestId: 'r0' },
        { method: 'GET', path: '/x', status: 200, requestId: 'r1' },
      ]);
      expect(lines.find((l) => l.fields.event === RATE_LIMIT_WAIT_EVENT)?.fields.waitMs).toBe(3000);
    });

    it('gives up, retryable, when the limit resets later than the allowed wait', async () => {
      const { server, client } = await setUp(() => ({ status: 429, headers: { 'retry-after': '120' } }), {
        policy: { timeoutMs: 2000, retries: 2, backoffMs: 5, maxRateLimitWaitSeconds: 5 },
      });
      const error = await failure(client.json({ url: '/x' }));
      expect(isCrosswalkError(error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect((error as unknown as { retryable: boolean }).retryable).toBe(true);
      expect(error.message).toContain(
        'rate limit did not reset within the allowed wait (429 Too Many Requests, resets in 120s > 5s)',
      );
      expect(server.seen).toHaveLength(1);
    });

    it("waits out Jira's 503 under load as a limit", async () => {
      const { client, waits } = await setUp(
        (_, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { body: {} }),
        {
          rateLimit: jiraRateLimitRule,
        },
      );
      await client.json({ url: '/x' });
      expect(waits).toEqual([1000]);
    });

    it('waits before the next request to an endpoint whose budget the last answer said is used up', async () => {
      const reset = String(Math.floor(Date.now() / 1000) + 30);
      const { client, waits } = await setUp(
        () => ({ body: {}, headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset } }),
        {
          rateLimit: oktaRateLimitRule,
        },
      );
      await client.json({ url: '/x' });
      expect(waits).toEqual([]);
      await client.json({ url: '/x' });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(20_000);
    });
  });

  describe('when GitHub says it is limited only in the body', () => {
    it('waits a minute for a secondary limit with no header, and logs it by name', async () => {
      const { client, lines, waits } = await setUp(
        (_, i) =>
          i === 0
            ? { status: 403, body: { message: 'You have exceeded a secondary rate limit.' } }
            : { body: { ok: 1 } },
        { rateLimit: githubRateLimitRule },
      );
      expect(await client.json({ url: '/x' })).toEqual({ ok: 1 });
      expect(waits).toEqual([60_000]);
      expect(lines.some((l) => /^Example secondary rate limit \(403\)/.test(l.message))).toBe(true);
    });

    it("retries a GraphQL RATE_LIMITED answer (a 200) after the budget's reset", async () => {
      const reset = String(Math.floor(Date.now() / 1000) + 30);
      const { client, waits } = await setUp(
        (_, i) =>
          i === 0
            ? {
                headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
                body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }] },
              }
            : { body: { data: { ok: 1 } } },
        { rateLimit: githubRateLimitRule },
      );
      expect(await client.json({ method: 'POST', url: '', body: { query: '{ ok }' } })).toEqual({
        data: { ok: 1 },
      });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(20_000);
    });

    it('treats a plain 403 as a refusal, with the hint the answer carries', async () => {
      const { server, client } = await setUp(() => ({ status: 403, body: { message: 'Forbidden' } }), {
        rateLimit: githubRateLimitRule,
        describeError: (body, headers) => ({
          text: (body as { message: string }).message,
          hint: headers.get('content-type') ?? undefined,
        }),
      });
      const error = await failure(client.json({ url: '/x' }));
      expect(isCrosswalkError(error, 'CW_SOURCE_AUTH')).toBe(true);
      expect(error.message).toBe('Example refused GET /x (403 Forbidden): application/json');
      expect(server.seen).toHaveLength(1);
    });

    it('gives up, retryable, on a 403 limit that outlasts its retries', async () => {
      const { server, client } = await setUp(() => ({ status: 403, headers: { 'retry-after': '1' } }), {
        rateLimit: { ...githubRateLimitRule, maxRetries: 2 },
      });
      const error = await failure(client.json({ url: '/x' }));
      expect(isCrosswalkError(error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
      expect(error.message).toMatch(
        /^Example's rate limit did not reset within the allowed wait \(403 Forbidden\)/,
      );
      expect(server.seen).toHaveLength(3);
    });
  });

  describe('with credentials that change during a run', () => {
    it('asks for them before each request, and they win over the fixed headers', async () => {
      let issued = 0;
      const { server, client } = await setUp(() => ({ body: {} }), {
        credentials: async () => ({ authorization: `token t${++issued}` }),
      });
      await client.json({ url: '/x' });
      await client.json({ url: '/y' });
      expect(server.seen.map((s) => s.authorization)).toEqual(['token t1', 'token t2']);
    });

    it('maps a refused credential request (400) to CW_SOURCE_AUTH', async () => {
      const { client } = await setUp(() => ({ status: 400, body: { message: 'invalid_client' } }));
      const answer = await client.send({ method: 'POST', url: '/token' });
      const error = client.error(answer, { method: 'POST' });
      expect(isCrosswalkError(error, 'CW_SOURCE_DATA')).toBe(true);
      const refused = httpSourceError(
        {
          source: 'Example',
          method: 'POST',
          path: '/token',
          status: 400,
          said: { text: 'invalid_client' },
          credentialRequest: true,
        },
        (text) => text,
      );
      expect(isCrosswalkError(refused, 'CW_SOURCE_AUTH')).toBe(true);
      expect(refused.message).toBe('Example refused POST /token (400 invalid_client)');
    });
  });

  describe('when the source fails', () => {
    it('retries a 5xx with growing waits, then maps it to a retryable CW_SOURCE_UNAVAILABLE', async () => {
      const { server, client, waits } = await setUp(() => ({ status: 500, body: { message: 'Oops' } }));
      const error = await failure(client.json({ url: '/x', what: 'the list' }));
      expect(server.seen).toHaveLength(3);
      expect(waits).toEqual([5, 10]);
      expect(error).toMatchObject({ code: 'CW_SOURCE_UNAVAILABLE', where: 'the list', sourceStatus: 500 });
      expect(error.message).toBe('Example failed (500 Oops) for GET /x');
    });

    it.each([
      [401, 'CW_SOURCE_AUTH'],
      [403, 'CW_SOURCE_AUTH'],
      [404, 'CW_NOT_FOUND'],
      [400, 'CW_SOURCE_DATA'],
    ])('maps %i to %s once, without retrying or echoing the credential', async (status, code) => {
      const { server, client } = await setUp(() => ({ status, body: { message: `no: Bearer ${TOKEN}` } }));
      const error = await failure(client.json({ url: '/x' }));
      expect(isCrosswalkError(error, code as 'CW_SOURCE_AUTH')).toBe(true);
      expect(sourceStatusOf(error)).toBe(status);
      expect(server.seen).toHaveLength(1);
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(TOKEN);
    });

    it('bounds a request that never answers by the timeout, then retries it', async () => {
      const { server, client } = await setUp(() => ({ hang: true }), {
        policy: { timeoutMs: 150, retries: 1, backoffMs: 5, maxRateLimitWaitSeconds: 60 },
      });
      const started = Date.now();
      const error = await failure(client.json({ url: '/x' }));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(server.seen).toHaveLength(2);
      expect(error).toMatchObject({ code: 'CW_SOURCE_UNAVAILABLE' });
      expect(error.message).toContain('did not answer in time');
    });

    it('fails at once with CW_SOURCE_UNREACHABLE when the host name does not resolve', async () => {
      const { client, waits } = await setUp(() => ({ body: {} }));
      const error = await failure(
        client.json({ url: 'http://x.crosswalk-no-such-host.invalid/x' }).catch(() => {
          throw new Error('pinned');
        }),
      );
      expect(error.message).toBe('pinned');
      const offline = new HttpClient({
        ...client.options,
        baseUrl: 'http://x.crosswalk-no-such-host.invalid',
      });
      const unreachable = await failure(offline.json({ url: '/x' }));
      expect(unreachable).toMatchObject({ code: 'CW_SOURCE_UNREACHABLE' });
      expect(unreachable.message).toContain('x.crosswalk-no-such-host.invalid does not resolve');
      expect(waits).toEqual([]);
    });

    it('maps a refused connection to CW_SOURCE_UNAVAILABLE naming the request', async () => {
      const { server, client } = await setUp(() => ({ body: {} }));
      await server.close();
      servers.splice(servers.indexOf(server), 1);
      const error = await failure(client.json({ url: '/x' }));
      expect(error).toMatchObject({ code: 'CW_SOURCE_UNAVAILABLE' });
      expect(error.message).toMatch(/^could not reach Example at 127\.0\.0\.1:\d+ for GET \/x: ECONNREFUSED/);
    });
  });
});

describe('paginate', () => {
  async function pages(
    paginator: Paginator,
    answer: (request: Seen, index: number) => Answer,
    first = '/list',
  ) {
    const { server, client } = await setUp(answer);
    const seen: unknown[][] = [];
    const run = async () => {
      for await (const page of paginate(
        client,
        {
          url: first,
          method: paginator.type === 'token' ? 'POST' : 'GET',
          body: paginator.type === 'token' ? {} : undefined,
        },
        paginator,
        { what: 'the list' },
      ))
        seen.push(page);
    };
    return { server, seen, run };
  }

  it('refuses a Link header that points to another host, after the page it came with', async () => {
    const { server, seen, run } = await pages({ type: 'link-header' }, (request, i) => ({
      body: [i],
      headers:
        i < 2
          ? { link: `<${'http://' + '127.0.0.1'}${request.url.split('?')[0]}?after=${i},x>; rel="next"` }
          : {},
    }));
    // The link names the loopback origin; rebuild it with the real port.
    await expect(run()).rejects.toThrow('outside the configured Example URL');
    expect(seen).toEqual([[0]]);
    expect(server.seen).toHaveLength(1);
  });

  it('follows Link headers on the configured host, with a comma in the cursor', async () => {
    let origin = '';
    const { server, seen, run } = await pages({ type: 'link-header' }, (_, i) => ({
      body: [i],
      headers: i < 2 ? { link: `<${origin}/list?after=${i},x>; rel="next"` } : {},
    }));
    origin = (server as unknown as { origin: string }).origin;
    await run();
    expect(seen).toEqual([[0], [1], [2]]);
    expect(server.seen.map((s) => s.url)).toEqual(['/list', '/list?after=0,x', '/list?after=1,x']);
  });

  it('sends a body token back until the last page, and refuses a repeated one', async () => {
    const ok = await pages(
      { type: 'token', items: 'issues', token: 'next', param: 'nextPageToken', in: 'body', last: 'isLast' },
      (_, i) => ({
        body: { issues: [i], next: `t${i}`, isLast: i === 2 },
      }),
    );
    await ok.run();
    expect(ok.seen).toEqual([[0], [1], [2]]);
    expect(ok.server.seen.map((s) => s.body)).toEqual([
      '{}',
      '{"nextPageToken":"t0"}',
      '{"nextPageToken":"t1"}',
    ]);
    const looping = await pages(
      { type: 'token', items: 'issues', token: 'next', param: 'nextPageToken', in: 'body' },
      () => ({
        body: { issues: [1], next: 'same' },
      }),
    );
    await expect(looping.run()).rejects.toThrow('Example repeated a next-page token for the list');
  });

  it('advances an offset by the items read, and falls back to it when a body link is absent', async () => {
    const offset = await pages(
      { type: 'offset', param: 'startAt', items: 'values', pageSize: 2 },
      (_, i) => ({
        body: { values: i < 2 ? [i, i] : [i] },
      }),
    );
    await offset.run();
    expect(offset.server.seen.map((s) => s.url)).toEqual(['/list', '/list?startAt=2', '/list?startAt=4']);
    const linked = await pages(
      { type: 'body-link', link: 'nextPage', items: 'values', last: 'isLast', offsetParam: 'startAt' },
      (_, i) => ({
        body: { values: [i], isLast: i === 1 },
      }),
    );
    await linked.run();
    expect(linked.server.seen.map((s) => s.url)).toEqual(['/list', '/list?startAt=1']);
  });

  it("takes the body's link when the Link header names none, and stops at an empty page when told to", async () => {
    let origin = '';
    const paginator: Paginator = {
      type: 'link-header',
      items: 'data',
      bodyLink: '_links.next.href',
      emptyPageEnds: true,
    };
    const { server, seen, run } = await pages(paginator, (_, i) => ({
      // Every page offers a next link, as a polling log does: the empty third page ends the walk.
      body: { data: i < 2 ? [i] : [], _links: { next: { href: `${origin}/list?after=${i}` } } },
    }));
    origin = (server as unknown as { origin: string }).origin;
    await run();
    expect(seen).toEqual([[0], [1], []]);
    expect(server.seen.map((s) => s.url)).toEqual(['/list', '/list?after=0', '/list?after=1']);
  });

  it('refuses a link back to the first page before asking for it again', async () => {
    let origin = '';
    const { server, run } = await pages({ type: 'link-header' }, () => ({
      body: [1],
      headers: { link: `<${origin}/list>; rel="next"` },
    }));
    origin = (server as unknown as { origin: string }).origin;
    await expect(run()).rejects.toThrow('Example repeated a next-page link for the list');
    expect(server.seen).toHaveLength(1);
  });

  it('refuses a page without its list', async () => {
    const broken = await pages({ type: 'offset', param: 'startAt', items: 'values' }, () => ({
      body: { nope: 1 },
    }));
    await expect(broken.run()).rejects.toMatchObject({ code: 'CW_SOURCE_DATA', where: 'the list' });
  });
});
