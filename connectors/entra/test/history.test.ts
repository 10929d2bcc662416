import { expectStoredRecord, runOnce, storedRecords, tempLocker } from '@crosswalk/connector-testkit';
import type { EvidenceRecord, PayloadOf } from '@crosswalk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraConnector } from '../src/index.js';
import { CLIENT_SECRET, configFor, contoso, type FakeEntra, people, startFake } from './helpers.js';

/**
 * A week of daily runs against a tenant that changes under them, as it would in the world: frank is created on 03-02,
 * dave disabled on 03-03 and deleted on 03-05, bob disabled on 03-08 at 01:00; an access review instance ends on
 * 03-05 with one deny never applied. Each run at 06:00 collects everything since the one before. The records stored
 * are known in advance, day by day.
 */
const DAYS = ['03-02', '03-03', '03-04', '03-05', '03-06', '03-07', '03-08'];
const at = (day: string, time = '06:00:00.000') => `2026-${day}T${time}Z`;

describe('a week of Entra ID collections', () => {
  let fake: FakeEntra;
  const records: EvidenceRecord[] = [];
  const stored: Record<string, number[]> = {};

  beforeAll(async () => {
    const tenant = contoso();
    const { bob, dave, frank } = people;
    // Before the week: frank does not exist yet, dave is enabled.
    const enabled = (id: string, value: boolean) => {
      const user = tenant.users.find((u) => u.id === id);
      if (user) user.accountEnabled = value;
    };
    tenant.users = tenant.users.filter((u) => u.id !== frank.id);
    enabled(dave.id, true);
    // What happened in the tenant before each run, keyed by the run's day.
    const world: Record<string, () => void> = {
      '03-03': () => tenant.users.push(frank),
      '03-04': () => enabled(dave.id, false),
      '03-06': () => {
        tenant.users = tenant.users.filter((u) => u.id !== dave.id);
      },
      '03-08': () => enabled(bob.id, false),
    };
    fake = await startFake(tenant);
    const locker = await tempLocker('cw-entra-history-', at('03-08'));
    let since = '2026-03-01T00:00:00.000Z';
    for (const day of DAYS) {
      world[day]?.();
      const manifest = await runOnce({
        connector: entraConnector,
        connectorId: 'entra-contoso',
        config: configFor(fake),
        locker,
        window: { since, until: at(day) },
        now: at(day),
      });
      expect(manifest.status, day).toBe('succeeded');
      for (const collector of manifest.collectors)
        stored[collector.id] = [...(stored[collector.id] ?? []), collector.stored];
      since = at(day);
    }
    records.push(
      ...(await storedRecords(locker, [
        'entra.users_snapshot',
        'entra.user_lifecycle',
        'entra.policy',
        'entra.access_review',
        'entra.sign_in_summary',
      ])),
    );
  }, 120_000);

  afterAll(() => fake.close());

  const of = <K extends EvidenceRecord['kind']>(kind: K) =>
    records.filter((r) => r.kind === kind).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

  it('stores exactly one snapshot per day for each daily kind (full coverage of the week)', () => {
    expect(stored.users_snapshot).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(stored.policies).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(of('entra.users_snapshot').map((r) => r.occurredAt)).toEqual(
      DAYS.map((d) => at(d, '00:00:00.000')),
    );
    expect(of('entra.policy').map((r) => r.occurredAt)).toEqual(DAYS.map((d) => at(d, '00:00:00.000')));
    // Sign-ins: each day that ended by a run, once: 03-01 (ended before the first run) to 03-07.
    expect(
      of('entra.sign_in_summary').map((r) => (r.payload as PayloadOf<'entra.sign_in_summary'>).day),
    ).toEqual(['03-01', ...DAYS.slice(0, -1)].map((d) => `2026-${d}`));
    expect(fake.violations).toEqual([]);
  });

  it('shows each user disabled from the day after they were, and gone after deletion', () => {
    const state = (login: string) =>
      of('entra.users_snapshot').map((r) => {
        const user = (r.payload as PayloadOf<'entra.users_snapshot'>).users.find(
          (u) => u.person.login === login,
        );
        return user ? (user.accountEnabled ? 'enabled' : 'disabled') : 'absent';
      });
    // One word a day, for the week's seven snapshots.
    const week = (person: { userPrincipalName: string }) => state(person.userPrincipalName).join(' ');
    expect(week(people.dave)).toBe('enabled enabled disabled disabled absent absent absent');
    expect(week(people.bob)).toBe('enabled enabled enabled enabled enabled enabled disabled');
    expect(week(people.frank)).toBe('absent enabled enabled enabled enabled enabled enabled');
  });

  it('records every lifecycle event of the week once, on the day it happened, with who did it', () => {
    expect(
      of('entra.user_lifecycle').map((r) => {
        const p = r.payload as PayloadOf<'entra.user_lifecycle'>;
        return [
          r.occurredAt.slice(5, 16),
          p.change,
          p.target.login,
          p.actor?.login ?? p.actorApp?.displayName,
        ];
      }),
    ).toEqual([
      ['03-02T09:00', 'created', people.frank.userPrincipalName, 'Workday to Entra ID provisioning'],
      ['03-03T15:00', 'disabled', people.dave.userPrincipalName, people.carol.userPrincipalName],
      ['03-04T11:00', 'role_assigned', people.alice.userPrincipalName, people.carol.userPrincipalName],
      ['03-05T08:30', 'deleted', people.dave.userPrincipalName, people.carol.userPrincipalName],
      ['03-06T16:45', 'role_removed', people.alice.userPrincipalName, people.carol.userPrincipalName],
      ['03-08T01:00', 'disabled', people.bob.userPrincipalName, people.carol.userPrincipalName],
    ]);
    // The hourly overlap is the runner's; each event is stored by exactly one run.
    expect(stored.user_lifecycle!.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('stores the access review once, the day its instance ended, with the one deny never applied', () => {
    const reviews = of('entra.access_review');
    expect(reviews).toHaveLength(1);
    expect(stored.access_reviews).toEqual([0, 0, 0, 1, 0, 0, 0]);
    const facts = (reviews[0]!.payload as PayloadOf<'entra.access_review'>).facts;
    expect(facts).toMatchObject({ denied: 2, deniedAndApplied: 1, deniedNotApplied: 1 });
  });

  it('names who changed a policy from the day the change was logged, and no other change', () => {
    const policies = of('entra.policy').map((r) => r.payload as PayloadOf<'entra.policy'>);
    const lastChanged = policies.map(
      (p) =>
        p.conditionalAccessPolicies.find((c) => c.displayName === 'Require MFA for everyone')!.lastChange
          ?.actor?.login ?? null,
    );
    expect(lastChanged).toEqual([
      null,
      null,
      null,
      people.carol.userPrincipalName,
      ...Array(3).fill(people.carol.userPrincipalName),
    ]);
    expect(policies.map((p) => p.changedSincePrevious?.length ?? null)).toEqual([null, 0, 0, 0, 0, 0, 0]);
  });

  it('stores records owned, attributed with Graph request ids and mapped to both frameworks, without the secret', () => {
    for (const record of records) {
      expectStoredRecord(record, {
        connector: entraConnector,
        connectorId: 'entra-contoso',
        now: record.collectedAt,
        controlOwner: 'secops@contoso.example',
        requestId: /^[0-9a-f-]{36}$/,
        secrets: [CLIENT_SECRET],
      });
    }
  });
});
