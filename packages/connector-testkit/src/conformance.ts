import { isDeepStrictEqual } from 'node:util';
import { parseConnectorConfig } from '@crosswalk/collect';
import { type ConnectorDefinition, isCrosswalkError, RATE_LIMIT_WAIT_EVENT } from '@crosswalk/core';
import type { FakeApi, Fault } from '@crosswalk/sandbox';
import { afterEach, describe, it } from 'vitest';
import { type Collected, type CollectOptions, collect, errorText } from './harness.js';

/** How hard the suite makes a connector try: each connector maps it onto its own `requests` settings. */
export interface ConformancePolicy {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/** What the conformance suite needs to know about one connector; everything else it finds out by running it. */
export interface ConformanceSubject<Fake extends FakeApi = FakeApi> {
  connector: ConnectorDefinition;
  /** The collector the rules run: one that reads at least one record from the fake, over at least two pages. */
  collector: string;
  /** A loopback source with the data the collector reads. */
  start(): Promise<Fake>;
  /** A valid config for the fake, with the request policy mapped onto the connector's settings. */
  config(fake: Fake, policy: ConformancePolicy): unknown;
  /** Every secret the config holds, and values derived from them (a Basic Authorization value). */
  secrets: readonly string[];
  /** Configs the connector must refuse, and the field path (inside the config) the refusal must name. */
  invalid(fake: Fake): { config: unknown; path: string }[];
  /** The collector's requests, where faults go. */
  requests: RegExp;
  /** The source's "too many requests" answer, with a wait of one second. */
  tooManyRequests: Omit<Fault, 'path'>;
  /** Makes the fake's next-page links point at another host. */
  linkElsewhere(fake: Fake): void;
  options?: CollectOptions;
}

/** One rule of the suite: throws, naming what broke, when the connector does not keep it. */
export interface ConformanceRule {
  name: string;
  check(): Promise<void>;
}

const POLICY: ConformancePolicy = { timeoutMs: 5_000, retries: 2, backoffMs: 10 };

/**
 * The suite's policy as a connector's `requests` settings, in the names the connector kit gives them (Okta and Entra
 * keep `retryBaseDelayMs` for the backoff), with a five-second rate-limit wait and the connector's own extras (page
 * sizes small enough that the collector reads several pages).
 */
export function policyRequests<Extra extends object = object, Backoff extends string = 'backoffMs'>(
  policy: ConformancePolicy,
  extra?: Extra,
  backoff?: Backoff,
): { timeoutMs: number; retries: number; maxRateLimitWaitSeconds: number } & Record<Backoff, number> & Extra {
  return {
    timeoutMs: policy.timeoutMs,
    retries: policy.retries,
    [backoff ?? 'backoffMs']: policy.backoffMs,
    maxRateLimitWaitSeconds: 5,
    ...extra,
  } as { timeoutMs: number; retries: number; maxRateLimitWaitSeconds: number } & Record<Backoff, number> &
    Extra;
}

class Broken extends Error {
  override name = 'ConformanceBroken';
}

function must(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Broken(message);
}

/**
 * The rules every connector keeps, as checks a test runs (`describeConformance`) and a broken connector can fail
 * (the suite's own tests run each against a connector built to break it):
 * config rejected naming the field; no secret in any record, log line or error; 401/403 mapped to
 * CW_SOURCE_AUTH without retrying; a 429 waited out; a 5xx retried; links to other hosts refused; a source that
 * never answers bounded by the timeout; the saved cursor survives a JSON round trip and resumes.
 */
export function conformanceRules<Fake extends FakeApi>(subject: ConformanceSubject<Fake>): ConformanceRule[] {
  const fakes: Fake[] = [];
  const collector = subject.connector.collectors.find((c) => c.id === subject.collector);
  if (!collector) throw new Error(`${subject.connector.type} has no collector ${subject.collector}`);
  const start = async () => {
    const fake = await subject.start();
    fakes.push(fake);
    return fake;
  };
  const run = (fake: Fake, policy: Partial<ConformancePolicy> = {}, options: CollectOptions = {}) =>
    collect(subject.connector, collector, subject.config(fake, { ...POLICY, ...policy }), {
      ...subject.options,
      ...options,
    });
  const leaks = (what: string, text: string) => {
    for (const secret of subject.secrets)
      must(!text.includes(secret), `${what} holds a secret (${secret.slice(0, 4)}...)`);
  };
  const everything = (result: Collected) => ({
    records: JSON.stringify(result.records),
    logs: JSON.stringify(result.logs),
    error: errorText(result.error),
  });
  const rule = (name: string, check: () => Promise<void>): ConformanceRule => ({
    name,
    async check() {
      try {
        await check();
      } finally {
        for (const fake of fakes.splice(0)) await fake.close();
      }
    },
  });
  const type = subject.connector.type;

  return [
    rule('refuses a bad config before any request, naming the field', async () => {
      const fake = await start();
      const cases = subject.invalid(fake);
      must(cases.length > 0, 'the subject names no invalid config');
      for (const { config, path } of cases) {
        let error: unknown;
        try {
          parseConnectorConfig(subject.connector, `${type}-test`, config);
        } catch (caught) {
          error = caught;
        }
        must(isCrosswalkError(error, 'CW_CONFIG_INVALID'), `a config with a bad ${path} was accepted`);
        const paths = (error.issues ?? []).map((issue) => issue.path);
        must(
          paths.some(
            (p) =>
              p === `connectors.${type}-test.${path}` || p.startsWith(`connectors.${type}-test.${path}.`),
          ),
          `the refusal of a bad ${path} names ${paths.join(', ') || 'no field'}`,
        );
        leaks('a config error', errorText(error));
      }
      must(fake.requests.length === 0, 'a request was sent for an invalid config');
    }),

    rule('keeps every secret out of records, log lines and errors', async () => {
      const fake = await start();
      fake.fault({ path: subject.requests, ...subject.tooManyRequests });
      fake.fault({ path: subject.requests, status: 502, body: { message: 'Bad gateway' } });
      const good = await run(fake);
      must(good.error === undefined, `the collection failed: ${String(good.error)}`);
      must(good.records.length > 0, 'the collection stored nothing to check');
      for (const [what, text] of Object.entries(everything(good))) leaks(what, text);
      fake.fault({
        path: subject.requests,
        status: 401,
        times: 99,
        body: { message: `bad credentials ${subject.secrets.join(' ')}` },
      });
      const bad = await run(fake);
      for (const [what, text] of Object.entries(everything(bad))) leaks(what, text);
    }),

    ...([401, 403] as const).map((status) =>
      rule(`maps ${status} to CW_SOURCE_AUTH, once`, async () => {
        const fake = await start();
        fake.fault({ path: subject.requests, status, times: 99, body: { message: 'no' } });
        const result = await run(fake);
        must(
          isCrosswalkError(result.error, 'CW_SOURCE_AUTH'),
          `${status} became ${isCrosswalkError(result.error) ? result.error.code : String(result.error)}`,
        );
        must(!result.error.retryable, `${status} is marked retryable`);
        must(fake.received(subject.requests).length === 1, `${status} was retried`);
      }),
    ),

    rule('waits out a 429 and logs the wait as a rate-limit event', async () => {
      const fake = await start();
      fake.fault({ path: subject.requests, ...subject.tooManyRequests });
      const result = await run(fake);
      must(result.error === undefined, `a 429 failed the collection: ${String(result.error)}`);
      must(
        result.logs.some((line) => line.fields.event === RATE_LIMIT_WAIT_EVENT),
        `the wait was not logged with event: '${RATE_LIMIT_WAIT_EVENT}'`,
      );
      must(fake.received(subject.requests)[0]?.status === 429, 'the fake did not answer 429 first');
    }),

    rule('retries a 5xx', async () => {
      const fake = await start();
      fake.fault({ path: subject.requests, status: 502, body: { message: 'Bad gateway' } });
      const result = await run(fake);
      must(result.error === undefined, `a 502 failed the collection: ${String(result.error)}`);
      must(fake.received(subject.requests).length >= 2, 'the 502 was not retried');
    }),

    rule('refuses to follow a link to another host', async () => {
      const fake = await start();
      subject.linkElsewhere(fake);
      const result = await run(fake);
      must(
        isCrosswalkError(result.error, 'CW_SOURCE_DATA'),
        `a link elsewhere ended in ${isCrosswalkError(result.error) ? result.error.code : String(result.error)}`,
      );
    }),

    rule('bounds a request that never answers by its timeout', async () => {
      const fake = await start();
      fake.fault({ path: subject.requests, hang: true });
      const late = Symbol('late');
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        run(fake, { timeoutMs: 300, retries: 1 }),
        new Promise<typeof late>((resolve) => {
          timer = setTimeout(resolve, 4_000, late);
        }),
      ]).finally(() => clearTimeout(timer));
      must(result !== late, 'a hanging source held the collection over 4 s with a 300 ms timeout');
      must(
        result.error === undefined || isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE'),
        `a timeout ended in ${String(result.error)}`,
      );
    }),

    rule('saves a cursor that survives a JSON round trip and resumes from it', async () => {
      const fake = await start();
      const first = await run(fake);
      must(first.error === undefined, `the collection failed: ${String(first.error)}`);
      if (first.cursor === undefined) return;
      const text = JSON.stringify(first.cursor);
      must(text !== undefined, 'the cursor is not JSON');
      const stored = JSON.parse(text) as unknown;
      // The runner keeps cursors as JSON in the locker: what comes back must be what was saved.
      must(isDeepStrictEqual(stored, first.cursor), `the cursor changes in a JSON round trip: ${text}`);
      const second = await run(fake, {}, { cursor: stored });
      must(second.error === undefined, `resuming from the stored cursor failed: ${String(second.error)}`);
    }),
  ];
}

/** Runs the conformance rules as one `describe` of tests; each test requires the fake saw nothing off-spec. */
export function describeConformance<Fake extends FakeApi>(subject: ConformanceSubject<Fake>): void {
  describe(`the ${subject.connector.type} connector keeps the connector rules`, () => {
    const violations: string[] = [];
    const wrapped: ConformanceSubject<Fake> = {
      ...subject,
      start: async () => {
        const fake = await subject.start();
        const close = fake.close.bind(fake);
        fake.close = async () => {
          violations.push(...fake.violations);
          await close();
        };
        return fake;
      },
    };
    afterEach(() => {
      const seen = violations.splice(0);
      if (seen.length > 0)
        throw new Error(`the fake answered off the vendor's description:\n${seen.join('\n')}`);
    });
    // The first rule also pays the vendor-description checker's one-time compile (a large OpenAPI or discovery
    // document), which on a loaded two-core machine has taken over 40 s; no rule's verdict depends on this limit.
    for (const rule of conformanceRules(wrapped)) it(rule.name, () => rule.check(), 120_000);
  });
}
