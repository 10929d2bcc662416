/**
 * How a source says "slow down", as data. A connector names its source's rule; the HTTP client reads it.
 *
 * - `statuses`: the answers that mean "limited" (429; Jira also 503 under load);
 * - `wait`: headers that say how long, the first one present wins:
 *   `seconds` (Retry-After: delta-seconds or an HTTP date), `epoch-seconds` (GitHub's X-RateLimit-Reset, Okta's
 *   X-Rate-Limit-Reset: measured against the source's own `Date` header, so a skewed local clock neither hammers
 *   the source nor stalls), `timestamp` (Jira's X-RateLimit-Reset, ISO 8601);
 * - `remaining`: the header whose 0 means the budget is used up: the next request to that endpoint waits for the
 *   reset instead of being refused;
 * - `bodies`: limits a source says only in the body (GitHub's secondary limit as a 403 without headers, its
 *   GraphQL `RATE_LIMITED` error in a 200), each with the name the wait is logged under and, when no header says
 *   how long, how long to wait.
 */
export interface RateLimitRule {
  statuses: readonly number[];
  wait: readonly { header: string; format: 'seconds' | 'epoch-seconds' | 'timestamp' }[];
  remaining?: string;
  bodies?: readonly BodyLimit[];
  /** A limited answer is retried at most this many times in a row. @defaultValue 10 */
  maxRetries?: number;
}

export interface BodyLimit {
  /** For people and logs: `secondary rate limit`. */
  name: string;
  /** Only answers with these statuses are read for it. */
  statuses: readonly number[];
  /** Matched against the body's text. */
  pattern: RegExp;
  /** The wait when none of the rule's headers says. @defaultValue the client's backoff */
  fallbackMs?: number;
}

/** The shortest wait before retrying a limited answer, so clock skew cannot turn it into a busy loop. */
export const MIN_RATE_LIMIT_WAIT_MS = 100;

/** RFC 9110 Retry-After alone: what any source that documents nothing else gets. */
export const retryAfterRule: RateLimitRule = {
  statuses: [429],
  wait: [{ header: 'retry-after', format: 'seconds' }],
};

/** https://developer.okta.com/docs/reference/rl-best-practices/ */
export const oktaRateLimitRule: RateLimitRule = {
  statuses: [429],
  wait: [
    { header: 'x-rate-limit-reset', format: 'epoch-seconds' },
    { header: 'retry-after', format: 'seconds' },
  ],
  remaining: 'x-rate-limit-remaining',
};

/** Jira Cloud answers 429, and 503 under load, with Retry-After. https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ */
export const jiraRateLimitRule: RateLimitRule = {
  statuses: [429, 503],
  wait: [
    { header: 'retry-after', format: 'seconds' },
    { header: 'x-ratelimit-reset', format: 'timestamp' },
  ],
};

/**
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api: Retry-After first, then the
 * reset of a used-up budget, otherwise at least a minute; a secondary limit may come as a 403 or 429 that says so
 * only in its message, and GraphQL reports its limit as a `RATE_LIMITED` error in a 200
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
 */
export const githubRateLimitRule: RateLimitRule = {
  statuses: [429, 403],
  wait: [
    { header: 'retry-after', format: 'seconds' },
    { header: 'x-ratelimit-reset', format: 'epoch-seconds' },
  ],
  remaining: 'x-ratelimit-remaining',
  bodies: [
    {
      name: 'secondary rate limit',
      statuses: [403, 429],
      pattern: /secondary rate limit/i,
      fallbackMs: 60_000,
    },
    {
      name: 'GraphQL rate limit',
      statuses: [200],
      pattern: /"type"\s*:\s*"RATE_LIMITED"/,
      fallbackMs: 60_000,
    },
  ],
  maxRetries: 5,
};

/** A header's one value. Okta documents duplicated headers (comma-joined) as a fault (OKTA-112507): not trusted. */
function single(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  return value === null || value.trim() === '' || (value.includes(',') && !/^\w{3},/.test(value))
    ? undefined
    : value.trim();
}

/** Milliseconds to wait according to the rule's headers, or undefined when none of them says. */
export function rateLimitWaitMs(rule: RateLimitRule, headers: Headers, now = Date.now()): number | undefined {
  const sourceNow = Date.parse(headers.get('date') ?? '');
  const clock = Number.isNaN(sourceNow) ? now : sourceNow;
  for (const { header, format } of rule.wait) {
    const value = single(headers, header);
    if (value === undefined) continue;
    let wait: number | undefined;
    if (format === 'seconds') {
      const at = /^\d+$/.test(value) ? undefined : Date.parse(value);
      wait = /^\d+$/.test(value)
        ? Number(value) * 1000
        : at === undefined || Number.isNaN(at)
          ? undefined
          : at - clock;
    } else if (format === 'epoch-seconds') {
      wait = /^\d+$/.test(value) ? Number(value) * 1000 - clock : undefined;
    } else {
      const at = Date.parse(value);
      wait = Number.isNaN(at) ? undefined : at - clock;
    }
    if (wait !== undefined) return Math.max(wait, MIN_RATE_LIMIT_WAIT_MS);
  }
  return undefined;
}

/** Whether an answer says the budget is used up (the rule's `remaining` header reads 0). */
export function budgetExhausted(rule: RateLimitRule, headers: Headers): boolean {
  return rule.remaining !== undefined && single(headers, rule.remaining) === '0';
}

/** The body limit an answer's text shows, if any. */
export function bodyLimit(rule: RateLimitRule, status: number, text: string): BodyLimit | undefined {
  return rule.bodies?.find((limit) => limit.statuses.includes(status) && limit.pattern.test(text));
}

/** Whether the rule must read an answer's body to tell whether it is limited. */
export function readsBody(rule: RateLimitRule, status: number): boolean {
  return rule.bodies?.some((limit) => limit.statuses.includes(status)) ?? false;
}

/** Whether an answer is the source saying "limited": a listed status, and for a 403 also a used-up budget. */
export function isLimited(rule: RateLimitRule, status: number, headers: Headers): boolean {
  if (!rule.statuses.includes(status)) return false;
  // GitHub answers a used-up primary limit with 403 too; any other 403 is a permission refusal.
  return status !== 403 || budgetExhausted(rule, headers) || headers.has('retry-after');
}
