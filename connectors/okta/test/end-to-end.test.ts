import {
  endToEnd,
  expectFirstRun,
  expectNothingNew,
  runOnce,
  storedRecords,
  tempLocker,
} from '@crosswalk/connector-testkit';
import type { EvidenceKind, PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { oktaConnector } from '../src/index.js';
import { invalidToken } from '../src/sandbox/index.js';
import { acme, configFor, NOW, oauthConfigFor, startFake, TOKEN, WINDOW } from './helpers.js';

const connector = oktaConnector;
const KINDS: EvidenceKind[] = [
  'okta.policy',
  'okta.user_lifecycle',
  'okta.users_snapshot',
  'okta.access_review',
];

describe('running the Okta connector into a filesystem locker', () => {
  const e2e = endToEnd({
    connector,
    connectorId: 'okta-acme',
    prefix: 'cw-okta-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });
  const run = (config?: unknown) => e2e.run(config);

  it('stores records of all four kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expectFirstRun(manifest, e2e.fake, {
      policies: 1,
      user_lifecycle: 5,
      users_snapshot: 1,
      access_reviews: 1,
    });

    const records = await storedRecords(e2e.locker, KINDS);
    expect(records.map((r) => r.kind).sort()).toEqual([
      'okta.access_review',
      'okta.policy',
      ...Array<string>(5).fill('okta.user_lifecycle'),
      'okta.users_snapshot',
    ]);
    for (const record of records) {
      expect(
        record.occurredAt >= '2026-03-02T00:00:00.000Z' && record.occurredAt <= '2026-03-08T00:00:00.000Z',
        record.kind,
      ).toBe(true);
      e2e.expectStored(record, {
        controlOwner: 'secops@acme.example',
        requestId: /^XfakeOkta/,
        secrets: [TOKEN],
      });
    }
    const policy = records.find((r) => r.kind === 'okta.policy')!;
    expect(policy.controls['soc2-2017']).toContain('CC6.1');
    expect(policy.controls['iso27001-2022']).toContain('A.8.5');
    expect(policy.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
    const deactivation = records.find(
      (r) =>
        r.kind === 'okta.user_lifecycle' &&
        (r.payload as PayloadOf<'okta.user_lifecycle'>).eventType === 'user.lifecycle.deactivate',
    )!;
    expect(deactivation.controls['soc2-2017']).toContain('CC6.2');
    expect(deactivation.controls['iso27001-2022']).toContain('A.5.18');
    expect(deactivation.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
    const review = records.find((r) => r.kind === 'okta.access_review')!;
    expect(review.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await run(), [1, 5, 1, 1]);
  });

  it('stores the same records over an OAuth service app as over an API token', async () => {
    const manifest = await run(oauthConfigFor(e2e.fake));
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.stored, c.duplicates])).toEqual([
      [0, 1],
      [0, 5],
      [0, 1],
      [0, 1],
    ]);
  });

  it('records a failing collector in the manifest, without the token, and still runs the others', async () => {
    e2e.fake.fault({ path: '/api/v1/users', ...invalidToken() });
    const manifest = await run();
    expect(manifest.status).toBe('partial');
    const users = manifest.collectors.find((c) => c.id === 'users_snapshot')!;
    expect(users.error).toEqual({
      code: 'CW_SOURCE_AUTH',
      message: expect.stringMatching(/^Okta rejected the credentials \(401 E0000011/),
    });
    expect(JSON.stringify(manifest)).not.toContain(TOKEN);
    expect(manifest.collectors.filter((c) => c.status === 'succeeded').map((c) => c.id)).toEqual([
      'policies',
      'user_lifecycle',
      'access_reviews',
    ]);
  });

  it('succeeds with zero access reviews in an org without governance, and says why in its state', async () => {
    const bare = await startFake(acme({ governance: false }), { governanceMissing: 401 });
    try {
      const own = await tempLocker('cw-okta-e2e-bare-', NOW);
      const manifest = await runOnce({
        connector,
        connectorId: 'okta-bare',
        config: configFor(bare),
        locker: own,
        window: WINDOW,
        now: NOW,
      });
      expect(manifest.status).toBe('succeeded');
      expect(manifest.collectors.find((c) => c.id === 'access_reviews')).toMatchObject({
        status: 'succeeded',
        stored: 0,
        error: null,
      });
      const state = await own.state.get('okta-bare');
      expect(state?.cursors['access_reviews']).toMatchObject({ cursor: { governance: 'not_available' } });
    } finally {
      await bare.close();
    }
  });
});

describe('the next day', () => {
  it("stores a new policy snapshot that points at the previous day's", async () => {
    const server = await startFake(acme());
    try {
      const locker = await tempLocker('cw-okta-e2e-days-', NOW);
      const day = (now: string) =>
        runOnce({
          connector,
          connectorId: 'okta-acme',
          config: configFor(server),
          locker,
          collectors: ['policies'],
          trigger: { type: 'schedule', scheduler: 'daily' },
          now,
        });
      const first = await day(NOW);
      const second = await day('2026-03-09T06:30:00.000Z');
      expect(first.records).toHaveLength(1);
      expect(second.records).toHaveLength(1);
      const [yesterday, today] = await Promise.all(
        [first, second].map((m) => locker.records.getById(m.records[0]!.id)),
      );
      const payload = today!.payload as PayloadOf<'okta.policy'>;
      expect(payload.previousSnapshot?.id).toBe(yesterday!.id);
      expect(payload.changedSincePrevious).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
