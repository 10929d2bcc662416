import type { Locker } from '@crosswalk/locker';
import { ApiKeys } from '@crosswalk/runtime';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { everyObject, rawObject, s3, s3Locker } from './helpers.js';

const EVER = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };

describe.skipIf(!s3)('ApiKeys (S3 locker)', () => {
  let locker: Locker;
  let bucket: string;
  let now: Date;
  let keys: ApiKeys;

  beforeAll(async () => {
    ({ locker, bucket } = await s3Locker());
    now = new Date('2026-03-10T12:00:00.000Z');
    keys = new ApiKeys(locker, () => now);
  });

  it('issues a Bearer token that authenticates as the key it was created for', async () => {
    const { token, key } = await keys.create({ name: 'ci', role: 'operator', createdBy: 'cli:root' });
    expect(token).toMatch(/^cwk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: 'ci', role: 'operator', createdBy: 'cli:root', revokedAt: null });
    expect(key).not.toHaveProperty('hash');
    expect(await keys.authenticate(token)).toEqual(key);
  });

  it('stores only a hash: the secret part of the token is nowhere in the bucket', async () => {
    const { token, key } = await keys.create({ name: 'hash-only', role: 'admin', createdBy: 'cli:root' });
    const secret = token.slice(`cwk_${key.id}_`.length);
    const stored = JSON.parse(await rawObject(bucket, `keys/${key.id}.json`));
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const { key: objectKey, text } of await everyObject(locker)) {
      expect(text, objectKey).not.toContain(secret);
    }
  });

  it('refuses a token with a wrong secret, an unknown id or a malformed shape, without saying which', async () => {
    const { token, key } = await keys.create({ name: 'probe', role: 'auditor', createdBy: 'cli:root' });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const candidate of [
      flipped,
      `cwk_zzzzzzzzzzzz_${token.slice(-43)}`,
      `cwk_${key.id}_short`,
      `Bearer ${token}`,
      '',
      `cwk_../../keys_${token.slice(-43)}`,
    ]) {
      expect(await keys.authenticate(candidate), candidate).toBeUndefined();
    }
  });

  it('stops authenticating a key at its expiry, to the millisecond', async () => {
    const { token } = await keys.create({
      name: 'auditor Q1',
      role: 'auditor',
      createdBy: 'key:admin',
      expiresAt: '2026-03-10T13:00:00.000Z',
      scope: { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', frameworks: ['soc2-2017'] },
    });
    now = new Date('2026-03-10T12:59:59.999Z');
    expect(await keys.authenticate(token)).toMatchObject({
      role: 'auditor',
      scope: { frameworks: ['soc2-2017'] },
    });
    now = new Date('2026-03-10T13:00:00.000Z');
    expect(await keys.authenticate(token)).toBeUndefined();
    now = new Date('2026-03-10T12:00:00.000Z');
  });

  it('reads a key by id for a login session only while it is valid: not after expiry or revocation', async () => {
    const { key } = await keys.create({
      name: 'console',
      role: 'auditor',
      createdBy: 'key:admin',
      expiresAt: '2026-03-10T13:00:00.000Z',
    });
    expect(await keys.current(key.id)).toEqual(key);
    expect(await keys.current('zzzzzzzzzzzz')).toBeUndefined();
    expect(await keys.current('../keys/x')).toBeUndefined();
    now = new Date('2026-03-10T13:00:00.000Z');
    expect(await keys.current(key.id)).toBeUndefined();
    now = new Date('2026-03-10T12:00:00.000Z');
    await keys.revoke(key.id, 'key:admin');
    expect(await keys.current(key.id)).toBeUndefined();
  });

  it('stops authenticating a revoked key at once, lists it as revoked, and audits who revoked it', async () => {
    const { token, key } = await keys.create({ name: 'leaked', role: 'operator', createdBy: 'cli:root' });
    const revoked = await keys.revoke(key.id, 'key:admin');
    expect(revoked.revokedAt).toBe(now.toISOString());
    expect(await keys.authenticate(token)).toBeUndefined();
    expect((await keys.list()).find((k) => k.id === key.id)).toMatchObject({ revokedAt: now.toISOString() });
    const audit = [];
    for await (const entry of locker.audit.list(EVER)) if (entry.target === key.id) audit.push(entry);
    expect(audit.map((e) => [e.action, e.actor]).sort()).toEqual([
      ['key.create', 'cli:root'],
      ['key.revoke', 'key:admin'],
    ]);
    await expect(keys.revoke('nonexistent00', 'key:admin')).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
  });

  it('reads a key from the locker once per cache period, and still checks secret, expiry and revocation', async () => {
    const cached = new ApiKeys(locker, () => now, 400);
    const { token, key } = await keys.create({ name: 'busy', role: 'auditor', createdBy: 'cli:root' });
    const get = vi.spyOn(locker.store, 'get');
    try {
      for (let i = 0; i < 5; i++) expect(await cached.authenticate(token)).toEqual(key);
      expect(get.mock.calls.filter(([k]) => k === `keys/${key.id}.json`)).toHaveLength(1);
      // A cached key does not make a wrong secret right.
      expect(
        await cached.authenticate(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')),
      ).toBeUndefined();
    } finally {
      get.mockRestore();
    }
    // Revoked by another process: refused once the cache period has passed, not before the locker says so.
    await keys.revoke(key.id, 'key:admin');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await cached.authenticate(token)).toBeUndefined();

    // Revoked through the same instance: refused at once.
    const second = await keys.create({ name: 'busy-2', role: 'auditor', createdBy: 'cli:root' });
    expect(await cached.authenticate(second.token)).toBeDefined();
    await cached.revoke(second.key.id, 'key:admin');
    expect(await cached.authenticate(second.token)).toBeUndefined();
  });

  it('lists keys without their hashes', async () => {
    const listed = await keys.list();
    expect(listed.length).toBeGreaterThanOrEqual(5);
    for (const key of listed) expect(key).not.toHaveProperty('hash');
  });
});
