import { registerFor, starterRegister, testControl } from '@crosswalk/assurance';
import { PR_CASES, prDraft, seedPullRequests } from '@crosswalk/assurance/testing';
import { controlsFor } from '@crosswalk/controls';
import { collectorRun, runDraft } from '@crosswalk/locker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, startTestApp, type TestApp } from './helpers.js';

/**
 * GET /v1/controls/overview and the kept control test results behind it and GET /v1/controls/:id/test, over a
 * real S3 locker: the same figures as a fresh test of the library, kept while no chain head moves, read again
 * when one does, remediations applied at once, and a scoped auditor held to its period and frameworks.
 */
const FEB = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
const WINDOW = 'from=2026-02-01&to=2026-03-01';

interface OverviewControl {
  id: string;
  title: string;
  frequency: string;
  periods: { expected: number | null; operated: number | null; missed: number | null };
  exceptions: { total: number; open: number; remediated: number };
  populationSize: number;
  mappings: Record<string, { effective: string[] }>;
}

describe.skipIf(!services)('the controls overview and kept control tests', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ db: 9, keepQueues: true });
    await seedPullRequests(t.runtime.locker);
  });
  afterAll(() => t?.close());

  const get = (url: string, token = t.tokens.auditor) =>
    t.app.inject({ method: 'GET', url, headers: t.bearer(token) });
  const overview = async (token = t.tokens.auditor) => {
    const response = await get(`/v1/controls/overview?${WINDOW}`, token);
    expect(response.statusCode).toBe(200);
    return response.json() as { controls: OverviewControl[]; register: { source: string }; window: object };
  };
  const fresh = async (control: string, seed = 'fresh') => {
    const { register, source } = await registerFor(t.runtime.locker, FEB.to);
    return testControl({ locker: t.runtime.locker, register, registerSource: source, control, ...FEB, seed });
  };

  it("gives each register control's frequency, periods, exceptions and population as a fresh test does", async () => {
    const body = await overview();
    expect(body.window).toEqual(FEB);
    expect(body.register.source).toBe('starter');
    expect(body.controls.map((c) => c.id)).toEqual(starterRegister().controls.map((c) => c.id));
    for (const control of body.controls) {
      const direct = await fresh(control.id);
      expect(control).toEqual({
        id: direct.control.id,
        title: direct.control.title,
        frequency: direct.control.frequency,
        periods: {
          expected: direct.summary.periodsExpected,
          operated: direct.summary.periodsOperated,
          missed: direct.summary.gaps,
        },
        exceptions: {
          total: direct.summary.exceptions,
          open: direct.summary.exceptionsOpen,
          remediated: direct.summary.exceptionsRemediated,
        },
        populationSize: direct.population.records,
        mappings: JSON.parse(JSON.stringify(direct.mappings)),
      });
    }
    const change = body.controls.find((c) => c.id === 'CHG-01')!;
    expect(change.populationSize).toBe(PR_CASES.length);
    expect(change.exceptions.open).toBe(PR_CASES.filter((c) => c.expected.length > 0).length);
    // Daily branch protection has no evidence here: every day of February is a missed period.
    expect(body.controls.find((c) => c.id === 'CHG-02')!.periods).toEqual({
      expected: 28,
      operated: 0,
      missed: 28,
    });
  });

  it('is for auditors and admins, and names a bad window field', async () => {
    expect((await get(`/v1/controls/overview?${WINDOW}`, t.tokens.operator)).statusCode).toBe(403);
    expect((await get(`/v1/controls/overview?${WINDOW}`, t.tokens.admin)).statusCode).toBe(200);
    const backwards = await get('/v1/controls/overview?from=2026-03-01&to=2026-02-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'query.to' });
    const garbled = await get('/v1/controls/overview?from=yesterday&to=2026-02-01');
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json().error.where).toBe('query.from');
    const extra = await get(`/v1/controls/overview?${WINDOW}&seed=x`);
    expect(extra.statusCode).toBe(400);
  });

  it('keeps results while no head moves, reads again when a run moves one, and shows remediations at once', async () => {
    const before = (await overview()).controls.find((c) => c.id === 'CHG-01')!;
    // A record stored without a run moves no head: the kept results still answer (every collection path chains
    // a run after storing its records, so this is the state between a run's records and its link).
    const locker = t.runtime.locker;
    const late = await locker.storeDraft(
      prDraft({ ...PR_CASES[1]!, mergedAt: '2026-02-20T12:00:00.000Z' }, 900),
    );
    expect((await overview()).controls.find((c) => c.id === 'CHG-01')).toEqual(before);

    await locker.runs.append(
      runDraft({
        runId: 'run-late',
        startedAt: '2026-02-21T13:00:00.000Z',
        finishedAt: '2026-02-21T13:01:00.000Z',
        collectors: [
          collectorRun({
            id: 'pull_request_approvals',
            kind: 'github.pull_request.approval',
            window: { since: '2026-02-20T00:00:00.000Z', until: '2026-02-21T13:00:00.000Z' },
            stored: 1,
          }),
        ],
        records: [{ id: late.id, kind: 'github.pull_request.approval', sha256: late.sha256, key: late.key }],
      }),
    );
    const after = (await overview()).controls.find((c) => c.id === 'CHG-01')!;
    expect(after.populationSize).toBe(before.populationSize + 1);
    expect(after.exceptions).toEqual({
      ...before.exceptions,
      total: before.exceptions.total + 1,
      open: before.exceptions.open + 1,
    });
    const page = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=kept`)).json();
    const direct = await fresh('CHG-01', 'kept');
    expect(page.exceptions.map((e: { item: string }) => e.item)).toContain(late.id);
    expect(page.population).toEqual(JSON.parse(JSON.stringify(direct.population)));
    expect(page.sample).toEqual(JSON.parse(JSON.stringify(direct.sample)));

    // A remediation changes no head; it shows at the next request all the same, on both routes.
    const entered = await t.app.inject({
      method: 'POST',
      url: '/v1/controls/CHG-01/remediations',
      headers: t.bearer(t.tokens.operator),
      payload: { item: late.id, text: 'Reviewed after the merge; the change was reverted.' },
    });
    expect(entered.statusCode).toBe(201);
    const remediated = (await overview()).controls.find((c) => c.id === 'CHG-01')!;
    expect(remediated.exceptions).toEqual({
      total: after.exceptions.total,
      open: after.exceptions.open - 1,
      remediated: after.exceptions.remediated + 1,
    });
    const tested = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=kept`)).json();
    expect(tested.exceptions.find((e: { item: string }) => e.item === late.id)).toMatchObject({
      status: 'remediated',
      remediations: [entered.json()],
    });
    expect(tested.summary).toEqual((await fresh('CHG-01', 'kept')).summary);
  });

  it('pages, filters, searches and sorts the population; the hash stays the whole population', async () => {
    const whole = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=p`)).json();
    const rows = whole.population.rows as { id: string; ref: string; outcome: string; occurredAt: string }[];
    expect(whole.population.page).toBeUndefined();
    const first = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=p&limit=3&offset=2`)).json();
    expect(first.population.rows).toEqual(rows.slice(2, 5));
    expect(first.population.page).toEqual({ offset: 2, limit: 3, matched: rows.length });
    expect(first.population.sha256).toBe(whole.population.sha256);
    expect(first.population.records).toBe(rows.length);

    const failed = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=p&limit=100&outcome=fail`)).json();
    expect(failed.population.rows.map((r: { id: string }) => r.id)).toEqual(
      rows.filter((r) => r.outcome === 'fail').map((r) => r.id),
    );
    const ref = rows[4]!.ref;
    const searched = (
      await get(
        `/v1/controls/CHG-01/test?${WINDOW}&seed=p&limit=10&q=${encodeURIComponent(ref.toUpperCase())}`,
      )
    ).json();
    expect(searched.population.rows.map((r: { ref: string }) => r.ref)).toEqual([ref]);
    const newest = (await get(`/v1/controls/CHG-01/test?${WINDOW}&seed=p&limit=2&sort=-occurredAt`)).json();
    expect(newest.population.rows).toEqual([...rows].reverse().slice(0, 2));

    const bad = await get(`/v1/controls/CHG-01/test?${WINDOW}&limit=0`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toContain('query.limit');
  });

  it("holds a scoped auditor to its period (naming the field) and shows only its frameworks' controls", async () => {
    const { token: q1 } = await t.runtime.keys.create({
      name: 'Q1 auditor',
      role: 'auditor',
      createdBy: 'test',
      scope: { from: '2026-01-01', to: '2026-02-15', frameworks: ['soc2'] },
    });
    const outside = await get(`/v1/controls/overview?${WINDOW}`, q1);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'query.to' });
    const early = await get('/v1/controls/overview?from=2025-12-01&to=2026-02-15', q1);
    expect(early.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'query.from' });
    expect((await get('/v1/controls/overview?from=2026-02-01&to=2026-02-15', q1)).statusCode).toBe(200);

    // A register with a control that maps to ISO 27001 only: a SOC 2 auditor does not see it, an ISO one does.
    const starter = starterRegister();
    const members = starter.controls.find((c) => c.id === 'IAM-04')!;
    const isoOnly = {
      ...members,
      id: 'ISO-ONLY-1',
      mappings: { remove: { 'soc2-2017': controlsFor('github.org_members')['soc2-2017'] } },
    };
    const applied = await t.app.inject({
      method: 'POST',
      url: '/v1/controls/register',
      headers: t.bearer(t.tokens.admin),
      payload: { register: { ...starter, controls: [...starter.controls, isoOnly] } },
    });
    expect(applied.statusCode).toBe(201);
    const window = 'from=2026-02-01&to=2026-02-15';
    const soc2 = (await get(`/v1/controls/overview?${window}`, q1)).json();
    expect(soc2.register.source).toBe('locker');
    expect(soc2.controls.map((c: OverviewControl) => c.id)).not.toContain('ISO-ONLY-1');
    expect(soc2.controls.map((c: OverviewControl) => c.id)).toContain('CHG-01');
    const { token: iso } = await t.runtime.keys.create({
      name: 'ISO auditor',
      role: 'auditor',
      createdBy: 'test',
      scope: { from: '2026-01-01', to: '2026-02-15', frameworks: ['iso27001'] },
    });
    const isoBody = (await get(`/v1/controls/overview?${window}`, iso)).json();
    expect(isoBody.controls.map((c: OverviewControl) => c.id)).toContain('ISO-ONLY-1');
    const refused = await get(`/v1/controls/ISO-ONLY-1/test?${window}`, q1);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'CW_FORBIDDEN', where: 'params.id' });
  });
});
