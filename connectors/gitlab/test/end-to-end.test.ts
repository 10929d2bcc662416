import { endToEnd, expectNothingNew, expectStoredRecord, storedRecords } from '@crosswalk/connector-testkit';
import type { EvidenceKind } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { gitlabConnector } from '../src/index.js';
import { acme, configFor, NOW, SECRETS, startFake, WINDOW } from './helpers.js';

const connector = gitlabConnector;
const KINDS: EvidenceKind[] = [
  'gitlab.merge_request.approval',
  'gitlab.branch_protection',
  'gitlab.group_members',
  'gitlab.member_removed',
];

describe('running the GitLab connector into a filesystem locker', () => {
  const e2e = endToEnd({
    connector,
    connectorId: 'gitlab',
    prefix: 'cw-gitlab-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });

  it('stores every kind, each dated, owned, attributed with GitLab request ids and mapped to both frameworks', async () => {
    const manifest = await e2e.run();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual([
      ['merge_request_approvals', 'succeeded', 7, null],
      ['branch_protection', 'succeeded', 2, null],
      ['group_members', 'succeeded', 1, null],
      ['member_removed', 'succeeded', 1, null],
    ]);
    expect(e2e.fake.violations).toEqual([]);
    const records = await storedRecords(e2e.locker, KINDS);
    expect(records).toHaveLength(11);
    for (const record of records) {
      expectStoredRecord(record, {
        connector,
        connectorId: 'gitlab',
        now: NOW,
        controlOwner: 'eng-leads@acme.example',
        requestId: /^01FAKE/,
        secrets: SECRETS,
      });
    }
    const mergeRequest = records.find((r) => r.kind === 'gitlab.merge_request.approval')!;
    expect(mergeRequest.controls['soc2-2017']).toContain('CC8.1');
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await e2e.run(), [7, 2, 1, 1]);
  });
});
