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
import { googleWorkspaceConnector } from '../src/index.js';
import {
  ADMIN,
  acme,
  adminUserEvent,
  configFor,
  type FakeTenant,
  NOW,
  SECRETS,
  startFake,
  user,
  WINDOW,
} from './helpers.js';

const connector = googleWorkspaceConnector;
const KINDS: EvidenceKind[] = [
  'google_workspace.users_snapshot',
  'google_workspace.admin_event',
  'google_workspace.login_activity',
];

describe('running the Google Workspace connector into a filesystem locker', () => {
  const e2e = endToEnd({
    connector,
    connectorId: 'gws-acme',
    prefix: 'cw-gws-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFake(acme()),
    config: configFor,
  });

  it('stores records of all three kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await e2e.run();
    expectFirstRun(manifest, e2e.fake, { users_snapshot: 1, admin_events: 6, login_activity: 6 });
    // The Reports API's collectors say how long their source keeps events; this window is well inside it.
    expect(manifest.collectors.map((c) => [c.sourceRetentionDays, c.sourceUnavailableBefore])).toEqual([
      [undefined, undefined],
      [180, undefined],
      [180, undefined],
    ]);
    const records = await storedRecords(e2e.locker, KINDS);
    expect(records).toHaveLength(13);
    for (const record of records) {
      e2e.expectStored(record, {
        controlOwner: 'secops@acme.example',
        requestId: /^"fake-/,
        secrets: SECRETS,
      });
    }
    const suspension = records.find(
      (r) => (r.payload as PayloadOf<'google_workspace.admin_event'>).eventName === 'SUSPEND_USER',
    )!;
    expect(suspension.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.2', 'CC6.3']));
    expect(suspension.controls['iso27001-2022']).toContain('A.5.18');
    expect(suspension.controls['iso27001-2022']).not.toContain('A.5.11');
    const snapshot = records.find((r) => r.kind === 'google_workspace.users_snapshot')!;
    expect(snapshot.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.1', 'CC6.2', 'CC6.3']));
    expect(snapshot.controls['soc2-2017']).not.toContain('CC4.1');
    expect(snapshot.controls['iso27001-2022']).toEqual(expect.arrayContaining(['A.5.18', 'A.8.2', 'A.8.5']));
    const logins = records.find((r) => r.kind === 'google_workspace.login_activity')!;
    expect(logins.controls['iso27001-2022']).toContain('A.8.5');
  });

  it('stores nothing new when the same window runs again', async () => {
    expectNothingNew(await e2e.run(), [1, 6, 6]);
  });

  it('says in the manifest which part of a window the Reports API no longer keeps', async () => {
    const locker = await tempLocker('cw-gws-e2e-retention-', '2026-08-30T00:00:00.000Z');
    const manifest = await runOnce({
      connector,
      connectorId: 'gws-acme',
      config: configFor(e2e.fake),
      locker,
      collectors: ['admin_events'],
      window: { since: '2026-01-01T00:00:00.000Z', until: '2026-08-30T00:00:00.000Z' },
      now: '2026-08-30T00:00:00.000Z',
    });
    expect(manifest.collectors[0]).toMatchObject({
      status: 'succeeded',
      sourceRetentionDays: 180,
      sourceUnavailableBefore: '2026-03-03T00:00:00.000Z',
    });
  });
});

/**
 * A week with known answers: people suspended, deleted and restored on given days, collected day by day as the
 * schedules would. Each day's run must store exactly that day's events, and each day's snapshot the state then.
 */
describe('a week of suspensions, collected day by day', () => {
  const alice = user('alice.smith@acme.example');
  const bob = user('bob.jones@acme.example');
  const carol = user(ADMIN, { isAdmin: true });
  /** What happens each day (UTC), as the admin does it. */
  const history: Record<string, [string, string, Record<string, unknown>][]> = {
    '2026-03-02': [
      ['SUSPEND_USER', String(bob.primaryEmail), { suspended: true, suspensionReason: 'ADMIN' }],
    ],
    '2026-03-04': [
      ['SUSPEND_USER', String(alice.primaryEmail), { suspended: true, suspensionReason: 'ADMIN' }],
    ],
    '2026-03-05': [['UNSUSPEND_USER', String(alice.primaryEmail), { suspended: false }]],
  };

  it('stores exactly the expected events, and snapshots that show who was suspended on each day', async () => {
    const tenant: FakeTenant = {
      ...acme(),
      users: [alice, bob, carol],
      activities: { admin: [], login: [] },
    };
    const fake = await startFake(tenant);
    try {
      const locker = await tempLocker('cw-gws-history-', '2026-03-02T00:00:00.000Z');
      const suspendedOn: Record<string, string[]> = {};
      for (const day of ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06']) {
        for (const [name, email, change] of history[day] ?? []) {
          tenant.activities.admin.push(adminUserEvent(`${day}T10:00:00.000Z`, ADMIN, name, email));
          Object.assign(tenant.users.find((u) => u.primaryEmail === email)!, change);
        }
        // The next morning's run: the day's events, and the snapshot of the users as they are then.
        const manifest = await runOnce({
          connector,
          connectorId: 'gws-acme',
          config: configFor(fake),
          locker,
          collectors: ['admin_events', 'users_snapshot'],
          window: { since: `${day}T00:00:00.000Z`, until: nextDay(day) },
          now: `${nextDay(day).slice(0, 10)}T06:00:00.000Z`,
        });
        expect(manifest.status, day).toBe('succeeded');
        const snapshot = await locker.records.getById(
          manifest.records.find((r) => r.kind === 'google_workspace.users_snapshot')!.id,
        );
        const payload = snapshot!.payload as PayloadOf<'google_workspace.users_snapshot'>;
        suspendedOn[day] = payload.users.filter((u) => u.suspended).map((u) => String(u.person.login));
      }
      const events = (await storedRecords(locker, ['google_workspace.admin_event'])).map((r) => {
        const p = r.payload as PayloadOf<'google_workspace.admin_event'>;
        return [r.occurredAt, p.action, p.target?.email];
      });
      expect(events).toEqual([
        ['2026-03-02T10:00:00.000Z', 'user_suspended', 'bob.jones@acme.example'],
        ['2026-03-04T10:00:00.000Z', 'user_suspended', 'alice.smith@acme.example'],
        ['2026-03-05T10:00:00.000Z', 'user_unsuspended', 'alice.smith@acme.example'],
      ]);
      // Snapshots are taken the morning after each day (dated that morning's day).
      expect(suspendedOn).toEqual({
        '2026-03-02': ['bob.jones@acme.example'],
        '2026-03-03': ['bob.jones@acme.example'],
        '2026-03-04': ['alice.smith@acme.example', 'bob.jones@acme.example'],
        '2026-03-05': ['bob.jones@acme.example'],
        '2026-03-06': ['bob.jones@acme.example'],
      });
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
}
