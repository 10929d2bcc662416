import { endToEnd, expectNothingNew, expectStoredRecord, storedRecords } from '@crosswalk/connector-testkit';
import type { EvidenceKind } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { awsConnector } from '../src/index.js';
import { acme, configFor, NOW, SECRETS, startFake, WINDOW } from './helpers.js';

const connector = awsConnector;
const KINDS: EvidenceKind[] = [
  'aws.credential_report',
  'aws.users_snapshot',
  'aws.identity_center_snapshot',
  'aws.iam_change',
];

describe('running the AWS connector into a filesystem locker', () => {
  const e2e = endToEnd({
    connector,
    connectorId: 'aws',
    prefix: 'cw-aws-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });

  it('stores both accounts’ reports and snapshots, the Identity Center snapshot and the four IAM changes, owned, attributed and mapped', async () => {
    const manifest = await e2e.run();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual([
      ['credential_report', 'succeeded', 2, null],
      ['users_snapshot', 'succeeded', 2, null],
      ['identity_center_snapshot', 'succeeded', 1, null],
      ['iam_changes', 'succeeded', 4, null],
    ]);
    expect(e2e.fake.violations).toEqual([]);
    const records = await storedRecords(e2e.locker, KINDS);
    expect(records).toHaveLength(9);
    for (const record of records) {
      expectStoredRecord(record, {
        connector,
        connectorId: 'aws',
        now: NOW,
        controlOwner: 'platform@acme.example',
        requestId: /^[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}$/,
        secrets: SECRETS,
      });
      expect(record.controls['soc2-2017'].length).toBeGreaterThan(0);
      expect(record.controls['iso27001-2022'].length).toBeGreaterThan(0);
    }
    const change = records.find((r) => r.kind === 'aws.iam_change')!;
    expect(change.controls['iso27001-2022']).not.toContain('A.5.11');
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await e2e.run(), [2, 2, 1, 4]);
  });
});
