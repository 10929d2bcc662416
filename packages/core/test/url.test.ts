import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sourceUrl, zodIssues } from '../src/index.js';

const PASSWORD = 'hunter2-Secret-Password';

function issuesOf(schema: z.ZodType, value: unknown): { path: string; message: string }[] {
  const result = z.object({ baseUrl: schema }).safeParse({ baseUrl: value });
  if (result.success) return [];
  // Neither the message nor anything in the zod error may carry the password.
  expect(inspect(result.error, { depth: 10 })).not.toContain(PASSWORD);
  return zodIssues(result.error);
}

describe('sourceUrl', () => {
  const url = sourceUrl({ example: 'https://api.example.com' });
  const origin = sourceUrl({ example: 'https://acme.okta.com', plainHttp: 'loopback', path: false });

  it('keeps the URL as given, less trailing slashes (ids are built from it), or its origin without a path', () => {
    expect(url.parse('https://ghe.acme.example/api/v3/')).toBe('https://ghe.acme.example/api/v3');
    expect(url.parse(' http://127.0.0.1:8080 ')).toBe('http://127.0.0.1:8080');
    expect(origin.parse('https://acme.okta.com/')).toBe('https://acme.okta.com');
  });

  it('refuses a user name or password in the URL, naming the field and never echoing the password', () => {
    for (const value of [
      `https://admin:${PASSWORD}@ghe.acme.example/api/v3`,
      `https://${PASSWORD}@acme.atlassian.net`,
      `http://admin:${PASSWORD}@127.0.0.1:8080`,
    ]) {
      const issues = issuesOf(url, value);
      expect(issues).toEqual([
        {
          path: 'baseUrl',
          message: 'must not carry a user name or password: credentials go in auth, which is stored sealed',
        },
      ]);
      expect(issuesOf(origin, value).map((issue) => issue.path)).toContain('baseUrl');
    }
  });

  it('refuses a query or fragment, where a token would ride along just the same', () => {
    for (const value of [
      `https://api.example.com/?access_token=${PASSWORD}`,
      'https://api.example.com/#x',
      'https://api.example.com?',
    ]) {
      expect(issuesOf(url, value)).toEqual([
        { path: 'baseUrl', message: 'must not carry a query or fragment' },
      ]);
    }
  });

  it('refuses other schemes, text that is not a URL, a path where none belongs, and http off loopback', () => {
    expect(issuesOf(url, 'ftp://api.example.com')).toEqual([
      { path: 'baseUrl', message: 'must be an http(s) URL' },
    ]);
    expect(issuesOf(url, 'api.example.com')).toEqual([
      { path: 'baseUrl', message: 'must be a URL, e.g. https://api.example.com' },
    ]);
    expect(issuesOf(url, 42)).toHaveLength(1);
    expect(issuesOf(origin, 'https://acme.okta.com/api/v1')).toEqual([
      { path: 'baseUrl', message: 'must be the base URL without a path, e.g. https://acme.okta.com' },
    ]);
    expect(issuesOf(origin, 'http://acme.okta.com')).toEqual([
      { path: 'baseUrl', message: 'must be an https URL (http only for a loopback test server)' },
    ]);
    expect(issuesOf(origin, 'http://localhost:8080')).toEqual([]);
  });
});
