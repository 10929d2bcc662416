/** `/v1/keys`: the console's key management, on a real locker (S3) and Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startTestApp, type TestApp } from './helpers.js';

describe.skipIf(!services)('API keys through the API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ db: 5, keepQueues: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: t.bearer(t.tokens.admin),
      payload: body as object,
    });

  it('creates a scoped auditor key whose token works once shown, lists it without a secret, and revokes it', async () => {
    const created = await post({
      name: 'Ext. auditor',
      role: 'auditor',
      expiresAt: '2099-01-01',
      scope: { from: '2026-01-01', to: '2026-04-01', frameworks: ['soc2'] },
    });
    expect(created.statusCode).toBe(201);
    const { token, key } = created.json() as {
      token: string;
      key: { id: string; scope: unknown; createdBy: string };
    };
    expect(token).toMatch(/^cwk_[a-z0-9]{12}_/);
    expect(key.scope).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      frameworks: ['soc2-2017'],
    });
    expect(key.createdBy).toMatch(/^key:/);

    // The new key reads inside its period and is refused outside it.
    const inside = await t.app.inject({
      method: 'GET',
      url: '/v1/coverage?framework=soc2&from=2026-01-01&to=2026-04-01',
      headers: t.bearer(token),
    });
    expect(inside.statusCode).toBe(200);
    const outside = await t.app.inject({
      method: 'GET',
      url: '/v1/coverage?framework=soc2&from=2025-01-01&to=2026-04-01',
      headers: t.bearer(token),
    });
    expect(outside.statusCode).toBe(403);

    const listed = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: t.bearer(t.tokens.admin) });
    const text = listed.body;
    expect(text).toContain(key.id);
    expect(text).not.toContain(token.split('_')[2]!);
    expect(text).not.toContain('"hash"');

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/keys/${key.id}`,
      headers: t.bearer(t.tokens.admin),
    });
    expect(revoked.statusCode).toBe(200);
    expect((revoked.json() as { revokedAt: string | null }).revokedAt).not.toBeNull();
    const after = await t.app.inject({ method: 'GET', url: '/v1/crosswalk', headers: t.bearer(token) });
    expect(after.statusCode).toBe(401);
  });

  it.each([
    [{ name: 'x', role: 'operator', scope: { from: '2026-01-01' } }, 'body.scope'],
    [{ name: 'x', role: 'auditor', scope: { from: '2026-04-01', to: '2026-01-01' } }, 'body.scope.to'],
    [{ name: 'x', role: 'auditor', scope: { frameworks: ['pci'] } }, 'body.scope.frameworks.0'],
    [{ name: 'x', role: 'auditor', expiresAt: '2020-01-01' }, 'body.expiresAt'],
    [{ name: 'x', role: 'auditor', expiresAt: 'soon' }, 'body.expiresAt'],
    [{ name: '', role: 'auditor' }, 'body.name'],
    [{ name: 'x', role: 'root' }, 'body.role'],
  ])('refuses %j naming %s, and creates nothing', async (body, where) => {
    const before = (await t.runtime.keys.list()).length;
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect((response.json() as { error: { where: string } }).error.where).toBe(where);
    expect((await t.runtime.keys.list()).length).toBe(before);
  });

  it('names the key id when there is no such key to revoke', async () => {
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/v1/keys/nosuchkey000',
      headers: t.bearer(t.tokens.admin),
    });
    expect(response.statusCode).toBe(404);
    expect((response.json() as { error: { where: string } }).error.where).toBe('params.id');
  });
});
