import { applyRegister, starterRegister } from '@crosswalk/assurance';
import { seedPullRequests } from '@crosswalk/assurance/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startTestApp, type TestApp } from './helpers.js';

/**
 * The auditor's questions over real S3 and Redis: auditors flag, operators answer, everyone lists what their key
 * may see; scoped keys stay inside their period and frameworks; nothing can be edited or deleted.
 */
const Q1 = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };

describe.skipIf(!services)('flags', () => {
  let t: TestApp;
  let ids: Map<string, string>;
  let scoped: string;

  beforeAll(async () => {
    t = await startTestApp({ db: 3, keepQueues: true });
    ids = await seedPullRequests(t.runtime.locker);
    // The starter register plus a control that maps to ISO 27001 only (its SOC 2 mapping removed).
    const register = starterRegister();
    const chg = register.controls.find((c) => c.id === 'CHG-01')!;
    register.controls.push({ ...chg, id: 'ISO-ONLY', mappings: { remove: { 'soc2-2017': ['CC8.1'] } } });
    await applyRegister(t.runtime.locker, register, { appliedBy: 'test', note: '' });
    scoped = (
      await t.runtime.keys.create({
        name: 'Q1 auditor',
        role: 'auditor',
        createdBy: 'test',
        scope: { ...Q1, frameworks: ['soc2'] },
      })
    ).token;
  });
  afterAll(() => t?.close());

  const flag = (token: string, control: string, payload: object) =>
    t.app.inject({ method: 'POST', url: `/v1/controls/${control}/flags`, headers: t.bearer(token), payload });
  const answer = (token: string, control: string, flagId: string, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/controls/${control}/flags/${flagId}/answers`,
      headers: t.bearer(token),
      payload,
    });
  const list = async (token: string, query = '') => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/flags${query}`,
      headers: t.bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json().flags as { id: string; status: string; answers: { id: string }[] }[];
  };

  it('lets an auditor flag an item and an operator answer it; the thread shows both, with who and when', async () => {
    const item = ids.get('approval dismissed before the merge')!;
    const raised = await flag(t.tokens.auditor, 'CHG-01', {
      item,
      comment: 'The approval was dismissed before the merge: who reviewed the final change?',
      from: '2026-02-01',
      to: '2026-03-01',
    });
    expect(raised.statusCode).toBe(201);
    const body = raised.json();
    expect(body).toMatchObject({
      control: 'CHG-01',
      item,
      comment: 'The approval was dismissed before the merge: who reviewed the final change?',
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
      by: expect.stringMatching(/^test auditor \(key:[a-z0-9]{12}\)$/),
    });
    expect(Math.abs(Date.parse(body.at) - Date.now())).toBeLessThan(60_000);
    expect((await list(t.tokens.operator, '?status=open')).map((f) => f.id)).toContain(body.id);

    const refused = await answer(t.tokens.auditor, 'CHG-01', body.id, { type: 'remediation', text: 'x' });
    expect(refused.statusCode).toBe(403);
    const answered = await answer(t.tokens.operator, 'CHG-01', body.id, {
      type: 'justification',
      text: 'Emergency fix; bob reviewed it the next morning (SEC-12).',
    });
    expect(answered.statusCode).toBe(201);
    expect(answered.json()).toMatchObject({
      type: 'justification',
      by: expect.stringMatching(/^test operator \(key:/),
    });

    const [thread] = (await list(t.tokens.auditor, '?control=CHG-01&status=answered')).filter(
      (f) => f.id === body.id,
    );
    expect(thread).toEqual({ ...body, answers: [answered.json()], status: 'answered' });
    expect((await list(t.tokens.auditor, '?status=open')).map((f) => f.id)).not.toContain(body.id);
  });

  it('names the field of bad input and the flag it cannot find', async () => {
    const cases: [string, object, string][] = [
      ['CHG-01', { item: 'x', comment: '' }, 'body.comment'],
      ['CHG-01', { item: 'x', comment: 'c'.repeat(4001) }, 'body.comment'],
      ['CHG-01', { comment: 'c' }, 'body.item'],
      ['CHG-01', { item: 'x', comment: 'c', from: 'last week' }, 'body.from'],
      ['NOPE-1', { item: 'x', comment: 'c' }, 'params.id'],
    ];
    for (const [control, payload, where] of cases) {
      const response = await flag(t.tokens.auditor, control, payload);
      expect(response.statusCode, where).toBe(400);
      expect(response.json().error.where, JSON.stringify(payload)).toBe(where);
    }
    const raised = (
      await flag(t.tokens.admin, 'CHG-02', { item: 'period:2026-02-03', comment: 'gap?' })
    ).json();
    const wrongType = await answer(t.tokens.operator, 'CHG-02', raised.id, { type: 'fixed', text: 'x' });
    expect(wrongType.json().error.where).toBe('body.type');
    for (const [control, flagId] of [
      ['CHG-01', raised.id], // the flag is CHG-02's
      ['CHG-02', '00000000-0000-4000-8000-000000000000'],
    ]) {
      const missing = await answer(t.tokens.operator, control!, flagId!, { type: 'remediation', text: 'x' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error).toMatchObject({ code: 'CW_NOT_FOUND', where: 'params.flagId' });
    }
    const notAnId = await answer(t.tokens.operator, 'CHG-02', 'flag-1', { type: 'remediation', text: 'x' });
    expect(notAnId.statusCode).toBe(400);
    expect(notAnId.json().error.where).toBe('params.flagId');
  });

  it('keeps a scoped auditor inside its period and frameworks, flagging and listing', async () => {
    const item = ids.get('stale approval: on an earlier commit')!;
    // No window given: the flag carries the key's period.
    const mine = await flag(scoped, 'CHG-01', { item, comment: 'Stale approval?' });
    expect(mine.statusCode).toBe(201);
    expect(mine.json()).toMatchObject(Q1);
    const late = await flag(scoped, 'CHG-01', { item, comment: 'x', from: '2026-03-01', to: '2026-05-01' });
    expect(late.statusCode).toBe(403);
    expect(late.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'body.to' });
    const iso = await flag(scoped, 'ISO-ONLY', { item, comment: 'x' });
    expect(iso.statusCode).toBe(403);
    expect(iso.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'params.id' });

    // Flags the scoped key must not see: another period's, one without a window, one on an ISO-only control.
    const otherPeriod = (
      await flag(t.tokens.auditor, 'CHG-01', { item, comment: 'Q3', from: '2026-07-01', to: '2026-10-01' })
    ).json();
    const noWindow = (await flag(t.tokens.auditor, 'CHG-01', { item, comment: 'any time' })).json();
    const isoFlag = (
      await flag(t.tokens.auditor, 'ISO-ONLY', { item, comment: 'iso', from: '2026-02-01', to: '2026-03-01' })
    ).json();
    const seen = (await list(scoped)).map((f) => f.id);
    expect(seen).toContain(mine.json().id);
    for (const hidden of [otherPeriod.id, noWindow.id, isoFlag.id]) expect(seen).not.toContain(hidden);
    // An unscoped key sees them all.
    const all = (await list(t.tokens.admin)).map((f) => f.id);
    for (const id of [mine.json().id, otherPeriod.id, noWindow.id, isoFlag.id]) expect(all).toContain(id);
  });

  it('takes a flag from the console: the session cookie with its CSRF token, as the key', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', payload: { apiKey: scoped } });
    const cookies = { cw_session: login.cookies.find((c) => c.name === 'cw_session')!.value };
    const payload = { item: 'period:2026-02', comment: 'From the browser' };
    const url = '/v1/controls/CHG-01/flags';
    expect((await t.app.inject({ method: 'POST', url, cookies, payload })).statusCode).toBe(403);
    const raised = await t.app.inject({
      method: 'POST',
      url,
      cookies,
      payload,
      headers: { 'x-csrf-token': login.json().csrfToken },
    });
    expect(raised.statusCode).toBe(201);
    expect(raised.json()).toMatchObject({ by: expect.stringMatching(/^Q1 auditor \(key:/), ...Q1 });
  });

  it('offers no way to edit or delete a flag or an answer', async () => {
    const flagRoutes = t.routes.filter((r) => r.url.includes('flags') && r.method !== 'HEAD');
    expect(flagRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /v1/flags',
      'POST /v1/controls/:id/flags',
      'POST /v1/controls/:id/flags/:flagId/answers',
    ]);
    const [first] = await list(t.tokens.admin);
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const response = await t.app.inject({
        method,
        url: `/v1/controls/CHG-01/flags/${first!.id}`,
        headers: t.bearer(t.tokens.admin),
        payload: { comment: 'changed' },
      });
      expect(response.statusCode).toBe(404);
    }
    expect((await list(t.tokens.admin))[0]).toEqual(first);
  });
});
