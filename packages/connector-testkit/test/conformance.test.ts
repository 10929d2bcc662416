import { describe, expect, it } from 'vitest';
import { type ConformanceSubject, conformanceRules, describeConformance } from '../src/index.js';
import { type Breakage, FakeToy, TOKEN, toyConnector } from './toy.js';

function subject(broken?: Breakage): ConformanceSubject<FakeToy> {
  return {
    connector: toyConnector(broken),
    collector: 'members',
    start: () => FakeToy.start(),
    config: (fake, requests) => ({ type: 'toy', baseUrl: fake.url, token: TOKEN, requests }),
    secrets: [TOKEN],
    invalid: (fake) => [
      {
        config: {
          type: 'toy',
          baseUrl: 'not a url',
          token: TOKEN,
          requests: { timeoutMs: 1, retries: 0, backoffMs: 0 },
        },
        path: 'baseUrl',
      },
      {
        config: { type: 'toy', baseUrl: fake.url, token: TOKEN, requests: {}, extra: 1 },
        path: 'requests.timeoutMs',
      },
    ],
    requests: /^\/members$/,
    tooManyRequests: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } },
    linkElsewhere: (fake) => {
      fake.linkOrigin = 'http://127.0.0.2:9';
    },
  };
}

describeConformance(subject());

/** Which rule each broken toy must fail, by the rule's name. */
const breaks: [Breakage, string][] = [
  ['lenient-config', 'refuses a bad config before any request, naming the field'],
  ['logs-secret', 'keeps every secret out of records, log lines and errors'],
  ['unmapped-auth', 'maps 401 to CW_SOURCE_AUTH, once'],
  ['unmapped-auth', 'maps 403 to CW_SOURCE_AUTH, once'],
  ['no-rate-limit-wait', 'waits out a 429 and logs the wait as a rate-limit event'],
  ['no-retry', 'retries a 5xx'],
  ['follows-any-link', 'refuses to follow a link to another host'],
  ['no-timeout', 'bounds a request that never answers by its timeout'],
  ['unserializable-cursor', 'saves a cursor that survives a JSON round trip and resumes from it'],
];

describe('the conformance suite', () => {
  it('has a broken toy for each of its rules', () => {
    expect(new Set(breaks.map(([, rule]) => rule))).toEqual(
      new Set(conformanceRules(subject()).map((r) => r.name)),
    );
  });

  it.each(breaks)(
    'fails a toy that breaks it (%s): %s',
    async (broken, name) => {
      const rule = conformanceRules(subject(broken)).find((r) => r.name === name)!;
      await expect(rule.check()).rejects.toMatchObject({ name: 'ConformanceBroken' });
    },
    30_000,
  );
});
