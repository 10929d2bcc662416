import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { requestPolicyFields } from '../src/request-settings.js';

const schema = (ceiling?: number | null) =>
  z
    .object(
      requestPolicyFields({
        maxRateLimitWaitSeconds: 120,
        maxRateLimitWaitCeiling: ceiling,
        retries: 4,
        timeoutMs: 30_000,
        timeoutCeilingMs: 300_000,
      }),
    )
    .strict();

describe("a connector's request settings", () => {
  it("fills the connector's defaults and the shared backoff", () => {
    expect(schema().parse({})).toEqual({
      maxRateLimitWaitSeconds: 120,
      retries: 4,
      backoffMs: 1000,
      timeoutMs: 30_000,
    });
  });

  it('refuses values out of bounds, naming the field', () => {
    const result = schema().safeParse({ timeoutMs: 50, retries: 11, maxRateLimitWaitSeconds: 3601 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'maxRateLimitWaitSeconds',
      'retries',
      'timeoutMs',
    ]);
    expect(schema().safeParse({ timeoutMs: 300_001 }).success).toBe(false);
  });

  it('lets a connector lift the rate-limit ceiling or drop it', () => {
    expect(schema(7200).safeParse({ maxRateLimitWaitSeconds: 7200 }).success).toBe(true);
    expect(schema(null).parse({ maxRateLimitWaitSeconds: 86_400 }).maxRateLimitWaitSeconds).toBe(86_400);
  });
});
