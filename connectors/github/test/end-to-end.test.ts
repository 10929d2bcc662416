import { endToEnd, expectFirstRun, expectNothingNew, storedRecords } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { githubConnector } from '../src/index.js';
import { acme, configFor, NOW, startFake, TOKEN, WINDOW } from './helpers.js';

describe('running the GitHub connector into a filesystem locker', () => {
  const connector = githubConnector;
  const e2e = endToEnd({
    connector,
    connectorId: 'github-acme',
    prefix: 'cw-github-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });
  const run = () => e2e.run();

  it('stores records of all four kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expectFirstRun(manifest, e2e.fake, {
      pull_request_approvals: 5,
      branch_protection: 3,
      org_members: 1,
      member_removed: 1,
    });
    // GitHub's own count of the window rides in the manifest; sources without one leave the field out.
    expect(manifest.collectors.map((c) => c.sourceTotal)).toEqual([5, undefined, undefined, undefined]);
    expect(manifest.collectors.filter((c) => 'sourceTotal' in c)).toHaveLength(1);

    const records = await storedRecords(e2e.locker, [
      'github.pull_request.approval',
      'github.branch_protection',
      'github.org_members',
      'github.member_removed',
    ]);
    expect(records).toHaveLength(10);
    for (const record of records) {
      expect(record.occurredAt).toMatch(/^2026-03-0\d/);
      e2e.expectStored(record, {
        controlOwner: 'secops@acme.example',
        requestId: /^C0DE:/,
        secrets: [TOKEN],
      });
    }
    const approval = records.find((r) => r.source.ref === 'acme/api#1')!;
    expect(approval.controls['soc2-2017']).toContain('CC8.1');
    expect(approval.controls['iso27001-2022']).toContain('A.8.32');
    expect(approval.owner.people.map((p) => p.login)).toEqual(['bob']);
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await run(), [5, 3, 1, 1]);
  });

  it('records a failing collector in the manifest and still runs the others', async () => {
    e2e.fake.fault({
      path: '/orgs/acme',
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
    });
    const manifest = await run();
    expect(manifest.status).toBe('partial');
    const members = manifest.collectors.find((c) => c.id === 'org_members')!;
    expect(members.error).toEqual({
      code: 'CW_SOURCE_AUTH',
      message: expect.stringMatching(/^GitHub rejected the credentials/),
    });
    expect(JSON.stringify(manifest)).not.toContain(TOKEN);
    expect(manifest.collectors.filter((c) => c.status === 'succeeded')).toHaveLength(3);
  });

  it("keeps GitHub's count as GitHub gave it when it disagrees with the results listed", async () => {
    e2e.fake.issueCountSkew = 1;
    try {
      const manifest = await run();
      const approvals = manifest.collectors.find((c) => c.id === 'pull_request_approvals')!;
      expect(approvals).toMatchObject({ status: 'succeeded', stored: 0, duplicates: 5, sourceTotal: 6 });
      const chain = await e2e.locker.runs.verifyChain('github-acme');
      expect(chain.ok).toBe(true);
    } finally {
      e2e.fake.issueCountSkew = 0;
    }
  });
});
