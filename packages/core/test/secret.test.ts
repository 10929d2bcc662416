import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSecretSchema, mapSecrets, secret, secretFieldNames, secretValues } from '../src/secret.js';

const schema = z
  .object({
    type: z.literal('toy'),
    org: z.string(),
    auth: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('token'), pat: secret(z.string().trim().min(1)) }).strict(),
      z
        .object({
          kind: z.literal('key'),
          keyId: z.string(),
          key: secret(z.union([z.string(), z.record(z.string(), z.unknown())])),
        })
        .strict(),
    ]),
    hook: secret(z.string()).min(16).optional(),
    mirrors: z.array(z.object({ url: z.string(), credential: secret(z.string()) }).strict()).optional(),
    // Named like a credential but not marked: the name decides nothing.
    tokenUrl: z.string().optional(),
  })
  .strict()
  .superRefine(() => undefined);

const config = {
  type: 'toy',
  org: 'acme',
  auth: { kind: 'key', keyId: 'k1', key: { kty: 'RSA', d: 'private-exponent', nested: ['p-prime'] } },
  hook: 'hook-secret-0123456789',
  mirrors: [{ url: 'https://m.example', credential: 'mirror-pass' }],
  tokenUrl: 'https://idp.example/token',
};

describe('secret marks', () => {
  it('survive refinements chained after the mark and show in the JSON Schema as write-only', () => {
    expect(isSecretSchema(secret(z.string()).min(16))).toBe(true);
    expect(isSecretSchema(z.string().min(16))).toBe(false);
    const json = JSON.stringify(z.toJSONSchema(schema, { io: 'input' }));
    expect(json).toContain('"writeOnly":true');
  });

  it('reach every string under a marked field, at any depth, through unions and arrays, and nothing else', () => {
    const paths: string[] = [];
    const mapped = mapSecrets(schema, config, (value, path) => {
      paths.push(path);
      return `<${value.length}>`;
    });
    expect(paths.sort()).toEqual([
      'auth.key.d',
      'auth.key.kty',
      'auth.key.nested.0',
      'hook',
      'mirrors.0.credential',
    ]);
    expect(mapped).toEqual({
      ...config,
      auth: { kind: 'key', keyId: 'k1', key: { kty: '<3>', d: '<16>', nested: ['<7>'] } },
      hook: '<22>',
      mirrors: [{ url: 'https://m.example', credential: '<11>' }],
    });
  });

  it('find a marked field in whichever union option the value takes', () => {
    const token = { type: 'toy', org: 'acme', auth: { kind: 'token', pat: 'pat-value' } };
    expect(secretValues(schema, token)).toEqual(['pat-value']);
  });

  it('list each secret value once, leaving out those shorter than asked', () => {
    expect(secretValues(schema, { ...config, hook: 'mirror-pass' }, 4)).toEqual([
      'private-exponent',
      'p-prime',
      'mirror-pass',
    ]);
  });

  it('name the marked fields wherever they sit, for a logger that censors by name', () => {
    expect(secretFieldNames(schema)).toEqual(['credential', 'hook', 'key', 'pat']);
  });
});
