import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { type EvidenceKind, type EvidenceRecord, fixedClock, type PayloadOf } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oktaConnector } from '../src/index.js';
import { acme, configFor, NOW, oauthConfigFor, startFake, TOKEN, WINDOW } from './helpers.js';
import { type FakeOkta, invalidToken } from './server/index.js';

const KINDS: EvidenceKind[] = [
  'okta.policy',
  'okta.user_lifecycle',
  'okta.users_snapshot',
  'okta.access_review',
];

async function lockerAt(prefix: string, now = NOW): Promise<Locker> {
  return new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), prefix))), {
    clock: fixedClock(now),
  });
}

async function everything(locker: Locker): Promise<EvidenceRecord[]> {
  const records: EvidenceRecord[] = [];
  for (const kind of KINDS) {
    for await (const record of locker.records.list(kind, {
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
    })) {
      records.push(record);
    }
  }
  return records;
}

describe('running the Okta connector into a filesystem locker', () => {
  let server: FakeOkta;
  let locker: Locker;
  const run = (config = configFor(server)) =>
    runConnector({
      connector: oktaConnector,
      connectorId: 'okta-acme',
      config,
      locker,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock(NOW),
    });

  beforeAll(async () => {
    server = await startFake(acme());
    locker = await lockerAt('cw-okta-e2e-');
  });

  afterAll(() => server.close());

  it('stores records of all four kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual([
      ['policies', 'succeeded', 1, null],
      ['user_lifecycle', 'succeeded', 5, null],
      ['users_snapshot', 'succeeded', 1, null],
      ['access_reviews', 'succeeded', 1, null],
    ]);
    expect(server.violations).toEqual([]);

    const records = await everything(locker);
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
      expect(record.collectedAt).toBe(NOW);
      expect(record.owner.controlOwner).toBe('secops@acme.example');
      expect(record.source.system).toBe('okta');
      expect(record.provenance.connector).toEqual({
        id: 'okta-acme',
        type: 'okta',
        version: oktaConnector.version,
      });
      expect(record.provenance.requests.length).toBeGreaterThan(0);
      for (const request of record.provenance.requests) expect(request.requestId).toMatch(/^XfakeOkta/);
      expect(record.controls['soc2-2017'].length).toBeGreaterThan(0);
      expect(record.controls['iso27001-2022'].length).toBeGreaterThan(0);
      expect(JSON.stringify(record)).not.toContain(TOKEN);
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
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    // The manifest vouches for every record the run met; none of them is new.
    expect(manifest.records.length).toBeGreaterThan(0);
    expect(manifest.records.filter((record) => !record.duplicate)).toEqual([]);
    expect(manifest.collectors.map((c) => c.stored)).toEqual([0, 0, 0, 0]);
    expect(manifest.collectors.map((c) => c.duplicates)).toEqual([1, 5, 1, 1]);
  });

  it('stores the same records over an OAuth service app as over an API token', async () => {
    const manifest = await run(oauthConfigFor(server));
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.stored, c.duplicates])).toEqual([
      [0, 1],
      [0, 5],
      [0, 1],
      [0, 1],
    ]);
  });

  it('records a failing collector in the manifest, without the token, and still runs the others', async () => {
    server.fault({ path: '/api/v1/users', ...invalidToken() });
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
      const own = await lockerAt('cw-okta-e2e-bare-');
      const manifest = await runConnector({
        connector: oktaConnector,
        connectorId: 'okta-bare',
        config: configFor(bare),
        locker: own,
        window: WINDOW,
        trigger: { type: 'manual', by: 'test' },
        clock: fixedClock(NOW),
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
      const locker = await lockerAt('cw-okta-e2e-days-');
      const day = (now: string) =>
        runConnector({
          connector: oktaConnector,
          connectorId: 'okta-acme',
          config: configFor(server),
          locker,
          collectors: ['policies'],
          trigger: { type: 'schedule', scheduler: 'daily' },
          clock: fixedClock(now),
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
