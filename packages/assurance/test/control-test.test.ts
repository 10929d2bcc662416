import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controlsFor } from '@crosswalk/controls';
import { type EvidenceDraft, isCrosswalkError } from '@crosswalk/core';
import { scheduledProvenance } from '@crosswalk/core/testing';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  addRemediation,
  applyRegister,
  controlTestFiles,
  listRegisterVersions,
  parseRegisterText,
  registerFor,
  starterRegister,
  testControl,
} from '../src/index.js';
import { accessReviewDraft, entraAccessReviewDraft, PR_CASES, seedPullRequests } from './fixtures.js';

const FEB = { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' };
const H1 = { from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
const NOW = new Date('2026-09-01T00:00:00.000Z');

async function freshLocker(): Promise<Locker> {
  return new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-assurance-'))));
}

async function run(
  locker: Locker,
  control: string,
  window: { from: string; to: string },
  seed = 'audit-2026',
) {
  const { register, source } = await registerFor(locker, window.to);
  return testControl({ locker, register, registerSource: source, control, ...window, seed, now: NOW });
}

/** The starter CHG-01 also reads GitLab merge requests; these tests store none, and the kind says why there is no total. */
const GITLAB_WITHOUT_TOTAL = {
  kind: 'gitlab.merge_request.approval',
  total: null,
  why: expect.stringContaining('merge falls in'),
};

describe('the starter change-approval control', () => {
  let locker: Locker;
  let ids: Map<string, string>;
  beforeEach(async () => {
    locker = await freshLocker();
    ids = await seedPullRequests(locker);
  });

  it('reports exactly the expected exceptions, each with the fact that failed', async () => {
    const result = await run(locker, 'CHG-01', FEB);
    const expected = PR_CASES.filter((c) => c.expected.length > 0).map((c) => ({
      item: ids.get(c.name),
      failed: c.expected,
    }));
    expect(result.exceptions.map((e) => ({ item: e.item, failed: e.failed }))).toEqual(expected);
    expect(result.summary).toMatchObject({
      items: 8,
      passed: 2,
      failed: 6,
      exceptionsOpen: 6,
      periodsExpected: null,
    });
    expect(result.exceptions.every((e) => e.status === 'open')).toBe(true);
    expect(result.register.source).toBe('starter');
  });

  it('a remediation entered later appears with its author and time, and the exception stays', async () => {
    const before = await run(locker, 'CHG-01', FEB);
    const item = ids.get('self-approval only')!;
    const entered = await addRemediation(
      locker,
      'CHG-01',
      {
        item,
        text: 'Reviewed after the fact by bob; no defect found.',
        link: 'https://tickets.example/SEC-9',
      },
      { by: 'Security team (key k1)', at: new Date('2026-03-05T09:00:00.000Z') },
    );
    const after = await run(locker, 'CHG-01', FEB);
    expect(after.exceptions.map((e) => e.item)).toEqual(before.exceptions.map((e) => e.item));
    const remediated = after.exceptions.find((e) => e.item === item)!;
    expect(remediated.status).toBe('remediated');
    expect(remediated.remediations).toEqual([entered]);
    expect(remediated.remediations[0]).toMatchObject({
      by: 'Security team (key k1)',
      at: '2026-03-05T09:00:00.000Z',
    });
    expect(after.summary.exceptionsOpen).toBe(5);
    expect(after.summary.exceptionsRemediated).toBe(1);
    const csv = controlTestFiles(after)['exceptions.csv']!;
    expect(csv).toContain('Security team (key k1)');
    expect(csv.split('\r\n').filter((l) => l.startsWith(item))).toHaveLength(1);
  });

  it('samples reproducibly: same seed and population, same sample; another seed, another', async () => {
    const a = await run(locker, 'CHG-01', FEB, 'seed-one');
    const b = await run(locker, 'CHG-01', FEB, 'seed-one');
    const c = await run(locker, 'CHG-01', FEB, 'seed-two');
    expect(a.sample.size).toBe(5); // 6-50 items -> 5 in the default table
    expect(b.sample.items).toEqual(a.sample.items);
    expect(c.sample.items.map((i) => i.id)).not.toEqual(a.sample.items.map((i) => i.id));
    expect(a.sample.populationSha256).toBe(c.sample.populationSha256);
    // The method as written: rank by SHA-256(seed \n id).
    const { createHash } = await import('node:crypto');
    const ranked = a.population
      .rows!.map((r) => ({ id: r.id, key: createHash('sha256').update(`seed-one\n${r.id}`).digest('hex') }))
      .sort((x, y) => x.key.localeCompare(y.key))
      .slice(0, 5)
      .map((r) => r.id);
    expect(a.sample.items.map((i) => i.id)).toEqual(ranked);
  });

  it('the IPE pack reconciles the population with the run manifests and proves the chain', async () => {
    const result = await run(locker, 'CHG-01', FEB);
    expect(result.ipe.reconciliation).toEqual({ namedByRuns: 8, notNamedByRuns: [], ok: true });
    expect(result.ipe.chains).toEqual([expect.objectContaining({ connector: 'github-acme', ok: true })]);
    expect(result.ipe.sources[0]).toMatchObject({
      collector: 'pull_request_approvals',
      versions: ['0.1.0'],
      records: 8,
    });
    expect(result.ipe.runs[0]!.daysWithRun).toBe(8);
    // These runs predate the collector keeping GitHub's count: the kind says why there is none, never a bare null.
    expect(result.ipe.sourceTotals).toEqual([
      { kind: 'github.pull_request.approval', total: null, why: expect.stringContaining('issueCount') },
      GITLAB_WITHOUT_TOTAL,
    ]);
    expect(result.ipe.runs[0]!.daysWithoutRun).toHaveLength(28 - 8);
  });
});

describe("the IPE pack's source totals", () => {
  it('reconciles GitHub search counts with what the runs stored when they agree', async () => {
    const locker = await freshLocker();
    await seedPullRequests(locker, () => 1);
    const result = await run(locker, 'CHG-01', FEB);
    expect(result.ipe.sourceTotals).toEqual([
      {
        kind: 'github.pull_request.approval',
        total: 8,
        stored: 8,
        difference: 0,
        ok: true,
        runs: 8,
        differing: [],
        basis: expect.stringContaining("inside the control's"),
      },
      GITLAB_WITHOUT_TOTAL,
    ]);
  });

  it('states the difference and the run it comes from when the source counted one more', async () => {
    const locker = await freshLocker();
    const third = PR_CASES[2]!.mergedAt.slice(0, 10);
    await seedPullRequests(locker, (index) => (index === 2 ? 2 : 1));
    const result = await run(locker, 'CHG-01', FEB);
    expect(result.ipe.sourceTotals).toEqual([
      expect.objectContaining({ total: 9, stored: 8, difference: 1, ok: false, runs: 8 }),
      GITLAB_WITHOUT_TOTAL,
    ]);
    expect(result.ipe.sourceTotals[0]).toMatchObject({
      differing: [
        {
          runId: `run-${third}`,
          window: { since: `${third}T00:00:00.000Z`, until: `${third}T13:00:00.000Z` },
          sourceTotal: 2,
          stored: 1,
        },
      ],
    });
    // The bundle's ipe.json carries the same figures.
    const ipe = JSON.parse(controlTestFiles(result)['ipe.json']!);
    expect(ipe.sourceTotals[0]).toMatchObject({ total: 9, stored: 8, difference: 1, ok: false });
  });

  it('leaves out counts of runs whose window reaches outside the control window', async () => {
    const locker = await freshLocker();
    await seedPullRequests(locker, () => 1);
    const firstDay = PR_CASES[0]!.mergedAt.slice(0, 10);
    const result = await run(locker, 'CHG-01', {
      from: `${firstDay}T06:00:00.000Z`,
      to: FEB.to,
    });
    expect(result.ipe.sourceTotals[0]).toMatchObject({ total: 7, stored: 7, runs: 7, ok: true });
  });
});

describe('a quarterly access review control', () => {
  it('reports the quarter without a review as a gap, and a late revoke as an exception', async () => {
    const locker = await freshLocker();
    await locker.storeDraft(
      accessReviewDraft('2026-03-20T00:00:00.000Z', {
        remediationStatus: null,
        decidedAt: '2026-03-01T00:00:00.000Z',
      }),
    );
    const result = await run(locker, 'IAM-02', H1);
    expect(result.operation.map((o) => [o.period, o.status])).toEqual([
      ['2026-Q1', 'exceptions'],
      ['2026-Q2', 'gap'],
    ]);
    expect(result.summary).toMatchObject({
      periodsExpected: 2,
      periodsOperated: 1,
      gaps: 1,
      exceptionsOpen: 2,
    });
    expect(result.exceptions.map((e) => e.item)).toEqual([result.population.rows![0]!.id, 'period:2026-Q2']);
    expect(result.exceptions[0]!.failed).toEqual(['revokes not remediated within 14 days: 1 (zed)']);
    expect(result.sample.size).toBe(1); // quarterly -> 2, capped by the population

    await addRemediation(
      locker,
      'IAM-02',
      { item: 'period:2026-Q2', type: 'justification', text: 'Review ran in July, ticket SEC-12.' },
      { by: 'ciso' },
    );
    const again = await run(locker, 'IAM-02', H1);
    expect(again.exceptions.find((e) => e.item === 'period:2026-Q2')).toMatchObject({ status: 'justified' });
  });

  it('finds the Entra ID review whose deny was never applied, and only that one', async () => {
    const locker = await freshLocker();
    await locker.storeDraft(entraAccessReviewDraft('2026-03-20T00:00:00.000Z'));
    // Q2's review was collected two days after it ended: its unapplied deny is still within the 14 days.
    await locker.storeDraft(entraAccessReviewDraft('2026-06-20T00:00:00.000Z', 2));
    const result = await run(locker, 'IAM-02', H1);
    expect(result.operation.map((o) => [o.period, o.status])).toEqual([
      ['2026-Q1', 'exceptions'],
      ['2026-Q2', 'operated'],
    ]);
    expect(result.exceptions.map((e) => e.failed)).toEqual([['denies not applied within 14 days: 1 (dave)']]);
  });

  it('a window starting mid-quarter does not expect that quarter', async () => {
    const locker = await freshLocker();
    const result = await run(locker, 'IAM-02', {
      from: '2026-02-15T00:00:00.000Z',
      to: '2026-07-01T00:00:00.000Z',
    });
    expect(result.operation.map((o) => o.period)).toEqual(['2026-Q2']);
  });
});

describe('the register', () => {
  const bad = `version: 1
controls:
  - id: CHG-01
    title: t
    description: d
    owner: o
    frequency: event
    evidence: [{ kind: github.pull_request.approval }]
    test: { builtin: pr-approved-at-merge, params: { minApprovals: 0 } }
  - id: IAM-09
    title: t
    description: d
    owner: o
    frequency: fortnightly
    evidence: [{ kind: okta.policy }]
    test: { expression: "payload.x ==", describe: x }
`;

  it('names the control and the field of every fault', () => {
    try {
      parseRegisterText(bad, 'register.yaml');
      expect.unreachable();
    } catch (error) {
      expect(isCrosswalkError(error) && error.code).toBe('CW_CONFIG_INVALID');
      const paths = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(paths).toEqual(['controls.IAM-09.frequency']);
    }
    try {
      parseRegisterText(bad.replace('fortnightly', 'weekly'), 'register.yaml');
      expect.unreachable();
    } catch (error) {
      const paths = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(paths).toEqual(['controls.CHG-01.test.params.minApprovals', 'controls.IAM-09.test.expression']);
    }
  });

  it('refuses a test that cannot read the kinds it is given, and unknown framework controls', () => {
    const text = starterRegister();
    const wrong = structuredClone(text);
    wrong.controls[0]!.evidence = [{ kind: 'okta.policy' }];
    wrong.controls[1]!.mappings = { add: { 'soc2-2017': ['CC99.1'] } };
    try {
      parseRegisterText(JSON.stringify(wrong), 'r');
      expect.unreachable();
    } catch (error) {
      expect((error as { issues: { path: string; message: string }[] }).issues).toEqual([
        {
          path: 'controls.CHG-01.evidence.0.kind',
          message:
            'pr-approved-at-merge reads github.pull_request.approval or gitlab.merge_request.approval, not okta.policy',
        },
        { path: 'controls.CHG-02.mappings.add.soc2-2017.0', message: expect.stringContaining('CC99.1') },
      ]);
    }
  });

  it('versions are write-once and a window is tested with the register as it stood at its end', async () => {
    const locker = await freshLocker();
    const starter = starterRegister();
    const first = await applyRegister(locker, starter, {
      appliedBy: 'alice',
      at: new Date('2026-01-10T00:00:00.000Z'),
    });
    const changed = structuredClone(starter);
    changed.controls[0]!.test = { builtin: 'pr-approved-at-merge', params: { minApprovals: 2 } };
    await applyRegister(locker, changed, {
      appliedBy: 'bob',
      note: 'two approvers',
      at: new Date('2026-04-01T00:00:00.000Z'),
    });
    await expect(
      applyRegister(locker, { ...changed, controls: [] }, { appliedBy: 'mallory' }),
    ).rejects.toMatchObject({ code: 'CW_CONFIG_INVALID' });
    expect((await listRegisterVersions(locker)).map((v) => v.appliedBy)).toEqual(['alice', 'bob']);
    const q1 = await registerFor(locker, '2026-04-01');
    expect(q1.source.version).toMatchObject({ id: first.id, appliedBy: 'alice' });
    const q2 = await registerFor(locker, '2026-07-01');
    expect(q2.source.version).toMatchObject({ appliedBy: 'bob', note: 'two approvers' });
    expect(q2.register.controls[0]!.test).toEqual({
      builtin: 'pr-approved-at-merge',
      params: { minApprovals: 2 },
    });
  });
});

describe("the starter register's Google Workspace controls", () => {
  /** A day's login aggregate as the Google Workspace connector stores it. */
  function loginDay(
    day: string,
    withoutSecondFactor: number,
  ): EvidenceDraft<'google_workspace.login_activity'> {
    const occurredAt = `${day}T00:00:00.000Z`;
    return {
      kind: 'google_workspace.login_activity',
      occurredAt,
      collectedAt: `${day}T18:00:00.000Z`,
      owner: { people: [], controlOwner: 'IT operations' },
      actors: [],
      source: {
        system: 'google-workspace',
        instance: 'C03az79cb',
        ref: `C03az79cb:logins:${day}`,
        url: null,
      },
      controls: controlsFor('google_workspace.login_activity'),
      payload: {
        customer: 'C03az79cb',
        day,
        logins: 10 + withoutSecondFactor,
        loginsWithSecondFactor: 10,
        loginsWithoutSecondFactor: withoutSecondFactor,
        loginsViaSso: 0,
        failedLogins: 0,
        suspiciousLogins: 0,
        users: 5,
        usersWithoutSecondFactor:
          withoutSecondFactor > 0 ? [{ email: 'bob.jones@acme.example', logins: withoutSecondFactor }] : [],
        byLoginType: { google_password: 10 + withoutSecondFactor },
      },
      provenance: scheduledProvenance(
        { id: 'gws-acme', type: 'google-workspace' },
        'login_activity',
        `run-${day}`,
        [
          {
            method: 'GET',
            path: '/admin/reports/v1/activity/users/all/applications/login',
            status: 200,
            requestId: null,
          },
        ],
      ),
    };
  }

  it('IAM-07 finds the day with logins without a second factor, and the day with no aggregate', async () => {
    const locker = await freshLocker();
    const good = await locker.storeDraft(loginDay('2026-03-01', 0));
    const bad = await locker.storeDraft(loginDay('2026-03-02', 2));
    const result = await run(locker, 'IAM-07', {
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-04T00:00:00.000Z',
    });
    expect(result.population.rows!.map((r) => r.id)).toEqual([good.id, bad.id]);
    expect(result.exceptions.map((e) => [e.item, e.failed])).toEqual([
      [bad.id, ['not: no login without a second factor']],
      ['period:2026-03-03', expect.any(Array)],
    ]);
  });
});
