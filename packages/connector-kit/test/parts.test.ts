import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  jiraRateLimitRule,
  oktaRateLimitRule,
  parseLinkHeader,
  pick,
  provenancePath,
  rateLimitWaitMs,
  retryAfterRule,
} from '../src/index.js';

describe('parseLinkHeader', () => {
  it('reads each link whole, even with commas in its URL, and every rel a link names', () => {
    const header =
      '<https://x.example/api/v1/logs?after=a,b&limit=2>; rel="next", <https://x.example/api/v1/logs>; rel="self first"';
    expect(parseLinkHeader(header)).toEqual({
      next: 'https://x.example/api/v1/logs?after=a,b&limit=2',
      self: 'https://x.example/api/v1/logs',
      first: 'https://x.example/api/v1/logs',
    });
    expect(parseLinkHeader('<https://x.example/?page=2>; rel=next')).toEqual({
      next: 'https://x.example/?page=2',
    });
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader('garbage')).toEqual({});
  });
});

describe('pick', () => {
  it('reads a dotted path, and a key holding dots (OData annotations) as that key', () => {
    expect(pick({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(
      pick({ '@odata.nextLink': 'https://next', '@odata': { nextLink: 'wrong' } }, '@odata.nextLink'),
    ).toBe('https://next');
    expect(pick({ value: [] }, '@odata.nextLink')).toBeUndefined();
  });
});

describe('rate-limit rules', () => {
  const headers = (entries: Record<string, string>) => new Headers(entries);

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(rateLimitWaitMs(retryAfterRule, headers({ 'retry-after': '7' }))).toBe(7000);
    const date = headers({
      'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT',
      date: 'Wed, 21 Oct 2015 07:28:00 GMT',
    });
    expect(rateLimitWaitMs(retryAfterRule, date)).toBe(30_000);
    expect(rateLimitWaitMs(retryAfterRule, headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(rateLimitWaitMs(retryAfterRule, headers({}))).toBeUndefined();
  });

  it("measures Okta's reset against Okta's own clock, and distrusts a duplicated header", () => {
    const okta = headers({
      'x-rate-limit-reset': '1700000060',
      date: new Date(1_700_000_000_000).toUTCString(),
    });
    expect(rateLimitWaitMs(oktaRateLimitRule, okta, 0)).toBe(60_000);
    const duplicated = headers({ 'x-rate-limit-reset': '1700000060, 1700000060', 'retry-after': '2' });
    expect(rateLimitWaitMs(oktaRateLimitRule, duplicated)).toBe(2000);
    // A reset already past still waits a little, never a busy loop.
    expect(rateLimitWaitMs(oktaRateLimitRule, headers({ 'x-rate-limit-reset': '1' }), 5_000)).toBe(100);
  });

  it("reads Jira's X-RateLimit-Reset timestamp when it gives no Retry-After", () => {
    const jira = headers({
      'x-ratelimit-reset': '2026-01-01T00:00:30Z',
      date: 'Thu, 01 Jan 2026 00:00:00 GMT',
    });
    expect(rateLimitWaitMs(jiraRateLimitRule, jira)).toBe(30_000);
  });
});

describe('createRedactor', () => {
  it('removes configured secrets, Authorization values, JWTs, private keys and vendor shapes', () => {
    const redact = createRedactor(['s3cret-value', 'abc'], [/\bATATT[A-Za-z0-9_=-]{16,}/g]);
    const text = [
      'token s3cret-value',
      'Authorization: SSWS 00abcdefghijklmnopqrstuvwxyz0123456789ABCD',
      'Basic dXNlcjpwYXNzd29yZA==',
      'eyJhbGciOiJI.eyJzdWIiOiIx.c2ln',
      '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
      'ATATT3xAnotherLookingToken1234567890',
      'abc stays: too short to hide anything',
    ].join('\n');
    expect(redact(text)).toBe(
      [
        'token [redacted]',
        'Authorization: SSWS [redacted]',
        'Basic [redacted]',
        '[redacted]',
        '[redacted]',
        '[redacted]',
        'abc stays: too short to hide anything',
      ].join('\n'),
    );
  });
});

describe('provenancePath', () => {
  it('keeps path and query, without parameters that can carry a credential', () => {
    expect(
      provenancePath('https://x.example/rest/api/3/issue/IT-1/changelog?startAt=0&token=abc&os_password=p'),
    ).toBe('/rest/api/3/issue/IT-1/changelog?startAt=0');
    expect(
      provenancePath('https://x.example/api/v1/logs?since=2026-01-01T00:00:00.000Z&access_token=x'),
    ).toBe('/api/v1/logs?since=2026-01-01T00:00:00.000Z');
  });
});
