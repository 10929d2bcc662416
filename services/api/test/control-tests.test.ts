import { registerFor, testControl } from '@crosswalk/assurance';
import { PR_CASES, seedPullRequests } from '@crosswalk/assurance/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startTestApp, type TestApp } from './helpers.js';

/**
 * The control routes over a real S3 locker: the same answer as the library (and so the CLI) for the same seed,
 * auditor scope enforced like exports, remediations and register versions write-once.
 */
const FEB = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };

describe.skipIf(!services)('control routes', () => {
  let t: TestApp;
  let ids: Map<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ db: 9, keepQueues: true });
    ids = await seedPullRequests(t.runtime.locker);
  });
  afterAll(() => t?.close());

  const test = (token: string, query: string) =>
    t.app.inject({ method: 'GET', url: `/v1/controls/CHG-01/test?${query}`, headers: t.bearer(token) });

  it('answers as the library does for the same seed, and differently for another seed', async () => {
    const response = await test(t.tokens.auditor, 'from=2026-02-01&to=2026-03-01&seed=api-seed');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.exceptions.map((e: { item: string }) => e.item)).toEqual(
      PR_CASES.filter((c) => c.expected.length > 0).map((c) => ids.get(c.name)),
    );
    const { register, source } = await registerFor(t.runtime.locker, FEB.to);
    const direct = await testControl({
      locker: t.runtime.locker,
      register,
      registerSource: source,
      control: 'CHG-01',
      ...FEB,
      seed: 'api-seed',
    });
    expect(body.sample).toEqual(JSON.parse(JSON.stringify(direct.sample)));
    const other = (await test(t.tokens.admin, 'from=2026-02-01&to=2026-03-01&seed=another')).json();
    expect(other.sample.items).not.toEqual(body.sample.items);
    expect(other.sample.populationSha256).toBe(body.sample.populationSha256);
  });

  it("refuses a scoped auditor a window outside the key's period, naming the field", async () => {
    const { token } = await t.runtime.keys.create({
      name: 'Q1 auditor',
      role: 'auditor',
      createdBy: 'test',
      scope: { from: '2026-01-01', to: '2026-02-15', frameworks: ['soc2'] },
    });
    const outside = await test(token, 'from=2026-02-01&to=2026-03-01&seed=s');
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'query.to' });
    expect((await test(token, 'from=2026-02-01&to=2026-02-15&seed=s')).statusCode).toBe(200);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/controls/NOPE-1/test?from=2026-02-01&to=2026-02-15',
      headers: t.bearer(token),
    });
    expect(unknown.json().error).toMatchObject({ code: 'CW_CONTROL_UNKNOWN', where: 'params.id' });
  });

  it('records a remediation with who and when; the exception stays and shows it', async () => {
    const item = ids.get('stale approval: on an earlier commit')!;
    const entered = await t.app.inject({
      method: 'POST',
      url: '/v1/controls/CHG-01/remediations',
      headers: t.bearer(t.tokens.operator),
      payload: {
        item,
        text: 'Re-reviewed the final diff; no change needed.',
        link: 'https://tickets.example/SEC-4',
      },
    });
    expect(entered.statusCode).toBe(201);
    expect(entered.json()).toMatchObject({
      by: expect.stringMatching(/^test operator \(key:/),
      type: 'remediation',
    });
    const body = (await test(t.tokens.admin, 'from=2026-02-01&to=2026-03-01&seed=s')).json();
    const exception = body.exceptions.find((e: { item: string }) => e.item === item);
    expect(exception).toMatchObject({ status: 'remediated', remediations: [entered.json()] });
  });

  it('applies a register whole or not at all', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/controls/register',
      headers: t.bearer(t.tokens.admin),
      payload: {
        register: {
          version: 1,
          controls: [
            {
              id: 'OK-1',
              title: 't',
              description: 'd',
              owner: 'o',
              frequency: 'daily',
              evidence: [{ kind: 'okta.policy' }],
              test: { expression: 'true', describe: 'x' },
            },
            {
              id: 'BAD-1',
              title: 't',
              description: 'd',
              owner: 'o',
              frequency: 'daily',
              evidence: [{ kind: 'okta.nope' }],
              test: { expression: 'true', describe: 'x' },
            },
          ],
        },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toEqual([
      'body.register.controls.BAD-1.evidence.0.kind',
    ]);
    const versions = await t.app.inject({
      method: 'GET',
      url: '/v1/controls/register/versions',
      headers: t.bearer(t.tokens.auditor),
    });
    expect(versions.json().versions).toEqual([]);
    const soa = await t.app.inject({
      method: 'GET',
      url: '/v1/controls/soa',
      headers: t.bearer(t.tokens.auditor),
    });
    expect(soa.headers['content-type']).toContain('text/csv');
    expect(soa.body.split('\r\n')[0]).toBe(
      'control,title,theme,status,justification,implementation,registerControls,evidenceKinds',
    );
  });
});
