import { secret } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  connectorConfig,
  controlOwnerField,
  parseConnectorConfig,
  requestPolicyFields,
} from '../src/request-settings.js';

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

describe("parsing a connector's config", () => {
  it('returns the parsed config, or CW_CONFIG_INVALID naming each field and never its value', () => {
    const config = z.object({
      token: z.string().min(8, 'must be at least 8 characters'),
      requests: schema(),
    });
    expect(
      parseConnectorConfig(config, 'Acme', { token: 'long-enough', requests: {} }).requests.retries,
    ).toBe(4);
    let caught: unknown;
    try {
      parseConnectorConfig(config, 'Acme', { token: 'sekrit', requests: { retries: 99 } });
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: string }).code).toBe('CW_CONFIG_INVALID');
    const message = (caught as Error).message;
    expect(message).toMatch(/^invalid Acme connector config: /);
    expect(message).toContain('token: must be at least 8 characters');
    expect(message).toContain('requests.retries');
    expect(message).not.toContain('sekrit');
  });
});

describe("a connector's config reader", () => {
  const requests = schema();
  const reader = connectorConfig(
    'Acme',
    z.object({
      token: secret(z.string().min(8)),
      controlOwner: controlOwnerField,
      requests: requests.optional(),
    }),
    requests,
  );

  it("parses, fills the connector's request defaults where the config sets none, and keeps those it sets", () => {
    const config = reader.parse({ token: 'long-enough' });
    expect(reader.requestSettings(config)).toEqual(requests.parse({}));
    expect(
      reader.requestSettings(reader.parse({ token: 'long-enough', requests: { retries: 1 } })).retries,
    ).toBe(1);
    expect(() => reader.parse({ token: 'long-enough', controlOwner: '' })).toThrow(/controlOwner/);
  });

  it('finds the values the schema marks secret, and only those', () => {
    expect(
      reader.secrets(reader.parse({ token: 'long-enough', controlOwner: 'secops@acme.example' })),
    ).toEqual(['long-enough']);
  });
});
