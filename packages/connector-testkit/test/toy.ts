/**
 * A toy connector on the connector kit, and a loopback source for it: small enough to read whole, and able to
 * break each connector rule on purpose, so the conformance suite's own tests can show every rule fails.
 */
import {
  createRedactor,
  HttpClient,
  paginate,
  provenancePath,
  retryAfterRule,
} from '@crosswalk/connector-kit';
import { type CollectorDefinition, CrosswalkError, defineConnector } from '@crosswalk/core';
import { z } from 'zod';
import { FakeApi, type FakeRequest } from '../src/index.js';

export const TOKEN = 'toy-token-0123456789abcdef';

/** The rule a toy breaks; none keeps them all. */
export type Breakage =
  | 'lenient-config'
  | 'logs-secret'
  | 'unmapped-auth'
  | 'no-rate-limit-wait'
  | 'no-retry'
  | 'follows-any-link'
  | 'no-timeout'
  | 'unserializable-cursor';

export class FakeToy extends FakeApi {
  constructor() {
    super('/api', 'x-toy-request-id');
  }

  static start(): Promise<FakeToy> {
    return new FakeToy().listen();
  }

  protected override route(request: FakeRequest) {
    if (request.request.headers.authorization !== `Bearer ${TOKEN}`) {
      return this.send(request, 401, { message: 'bad credentials' });
    }
    if (request.method !== 'GET' || request.path !== '/members') return this.notFound(request);
    const page = Number(request.url.searchParams.get('page') ?? '1');
    const next = page < 2 ? { link: `<${this.linkBase}/members?page=${page + 1}>; rel="next"` } : undefined;
    this.send(request, 200, [{ login: `member-${page}` }], next);
  }
}

const configSchema = z
  .object({
    type: z.literal('toy'),
    baseUrl: z.url(),
    token: z.string().min(8),
    requests: z
      .object({
        timeoutMs: z.number().int().min(1),
        retries: z.number().int().min(0),
        backoffMs: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();
type ToyConfig = z.output<typeof configSchema>;

function members(broken: Breakage | undefined): CollectorDefinition<ToyConfig> {
  return {
    id: 'members',
    kind: 'github.org_members',
    description: 'toy members snapshot',
    async collect(ctx) {
      const { config } = ctx;
      if (broken === 'logs-secret') ctx.log.info({ token: config.token }, 'starting');
      const http = new HttpClient({
        source: 'Toy',
        baseUrl: config.baseUrl,
        headers: { authorization: `Bearer ${config.token}` },
        policy: {
          timeoutMs: broken === 'no-timeout' ? 600_000 : config.requests.timeoutMs,
          retries: broken === 'no-retry' ? 0 : config.requests.retries,
          backoffMs: config.requests.backoffMs,
          maxRateLimitWaitSeconds: 60,
        },
        rateLimit: broken === 'no-rate-limit-wait' ? { ...retryAfterRule, statuses: [] } : retryAfterRule,
        requestIdHeader: 'x-toy-request-id',
        redact: createRedactor([config.token]),
        log: ctx.log,
        signal: ctx.signal,
      });
      const logins: string[] = [];
      try {
        if (broken === 'follows-any-link') {
          // Fetches pages itself, trusting whatever host a link names.
          let url: string | undefined = `${config.baseUrl}/members`;
          while (url) {
            const response: Response = await fetch(url, {
              headers: { authorization: `Bearer ${config.token}` },
            });
            http.recorder.record({
              method: 'GET',
              path: provenancePath(url),
              status: response.status,
              requestId: null,
            });
            logins.push(...((await response.json()) as { login: string }[]).map((m) => m.login));
            url = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
          }
        } else {
          for await (const page of paginate<{ login: string }>(
            http,
            { url: '/members' },
            { type: 'link-header' },
            { what: 'members' },
          )) {
            logins.push(...page.map((m) => m.login));
          }
        }
      } catch (error) {
        if (broken === 'unmapped-auth') throw new Error(`toy failed: ${(error as Error).message}`);
        throw error;
      }
      await ctx.emit({
        kind: 'github.org_members',
        occurredAt: `${ctx.clock.now().toISOString().slice(0, 10)}T00:00:00.000Z`,
        owner: { people: [], controlOwner: null },
        actors: [],
        source: { system: 'toy', instance: new URL(config.baseUrl).host, ref: 'members', url: null },
        payload: {
          organization: 'toy',
          twoFactorRequired: null,
          members: logins.map((login) => ({ person: { login }, role: 'member' as const })),
          outsideCollaborators: null,
          membersWithoutTwoFactor: null,
          limitations: [],
        },
        requests: http.recorder.since(0),
      });
      ctx.saveCursor(
        broken === 'unserializable-cursor'
          ? { seen: new Date(0), count: Number.NaN }
          : { seen: logins.length },
      );
      if (!(logins.length > 0)) throw new CrosswalkError('CW_SOURCE_DATA', 'no members');
    },
  };
}

export function toyConnector(broken?: Breakage) {
  return defineConnector({
    type: 'toy',
    version: '0.0.1',
    title: 'Toy',
    configSchema: broken === 'lenient-config' ? (z.any() as unknown as typeof configSchema) : configSchema,
    collectors: [members(broken)],
  });
}
