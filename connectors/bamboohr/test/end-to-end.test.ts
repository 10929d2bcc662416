import { endToEnd, expectFirstRun, expectNothingNew, storedRecords } from '@crosswalk/connector-testkit';
import type { EvidenceKind } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { bamboohrConnector } from '../src/index.js';
import { acme, configFor, NOW, SECRETS, startFake, WINDOW } from './helpers.js';

const connector = bamboohrConnector;
const KINDS: EvidenceKind[] = ['bamboohr.employees_snapshot', 'bamboohr.termination'];

describe('running the BambooHR connector into a filesystem locker', () => {
  const e2e = endToEnd({
    connector,
    connectorId: 'hr',
    prefix: 'cw-bamboohr-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });

  it('stores the snapshot and the two terminations, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await e2e.run();
    expectFirstRun(manifest, e2e.fake, { employees_snapshot: 1, terminations: 2 });
    const records = await storedRecords(e2e.locker, KINDS);
    expect(records.map((r) => [r.kind, r.occurredAt])).toEqual(
      expect.arrayContaining([
        ['bamboohr.employees_snapshot', '2026-03-16T00:00:00.000Z'],
        ['bamboohr.termination', '2026-03-05T05:00:00.000Z'],
        ['bamboohr.termination', '2026-03-09T04:00:00.000Z'],
      ]),
    );
    expect(records).toHaveLength(3);
    for (const record of records) {
      e2e.expectStored(record, {
        controlOwner: 'people-ops@acme.example',
        requestId: /^fake-/,
        secrets: SECRETS,
      });
      expect(record.controls['soc2-2017']).toEqual(['CC6.2', 'CC6.3']);
      expect(record.controls['iso27001-2022']).not.toContain('A.5.11');
    }
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await e2e.run(), [1, 2]);
  });
});
