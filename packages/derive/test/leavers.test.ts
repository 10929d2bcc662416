/**
 * The HR leaver join and the daily orphaned accounts, on a history with known answers, over records the connectors
 * themselves stored in a locker on real S3 (Ceph RGW): BambooHR's roster and terminations from its loopback
 * company (America/Los_Angeles), Okta's daily users snapshots and System Log deactivations from its loopback org,
 * GitHub's daily member snapshots and audit-log removals from its loopback organization. Then the derived
 * connector runs over the locker, as the worker runs it.
 *
 * Five leavers, terminated on dates in Los Angeles (SLA 240 minutes from the end of the date there):
 * - dave: on time everywhere (Okta +60, GitHub +120);
 * - erin: late in Okta (+600), on time in GitHub (+90) under the login `erin-gh`, linked by an alias;
 * - gus: on time in Okta (+30), never removed from GitHub: still active;
 * - uma: on time in Okta (+180); her GitHub account `zz-top` matches no rule: GitHub unmatched, and `zz-top` is an
 *   orphaned account of no one HR knows every day;
 * - edge: terminated 2026-03-05 in Los Angeles, effective 2026-03-06T08:00Z; removed at 07:30Z on 03-06 in both
 *   systems, still 03-05 locally: on time, -30 minutes (read as UTC it would be 450 minutes late).
 * alice stays. Snapshots are read at 12:00Z each day from 03-02 to 03-08.
 */
import { registerFor, testControl } from '@crosswalk/assurance';
import { runConnector } from '@crosswalk/collect';
import { bamboohrConnector } from '@crosswalk/connector-bamboohr';
import {
  configFor as bamboohrConfigFor,
  employee,
  startFake as startFakeBambooHr,
  terminate,
} from '@crosswalk/connector-bamboohr/testing';
import { githubConnector } from '@crosswalk/connector-github';
import { account, organization } from '@crosswalk/connector-github/sandbox';
import {
  configFor as githubConfigFor,
  startFake as startFakeGitHub,
} from '@crosswalk/connector-github/testing';
import { oktaConnector } from '@crosswalk/connector-okta';
import {
  configFor as oktaConfigFor,
  startFake as startFakeOkta,
  user,
} from '@crosswalk/connector-okta/testing';
import { type EvidenceKind, type EvidenceRecord, fixedClock } from '@crosswalk/core';
import { Locker, parseLockerConfig, type S3LockerConfig, S3ObjectStore } from '@crosswalk/locker';
import { createTestBucket, s3LockerSettings, s3TestConfig } from '@crosswalk/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { derivedConnector } from '../src/index.js';
import { collectOkta, oktaEvent } from './okta.js';

const s3 = await s3TestConfig();
const ZONE = 'America/Los_Angeles';
const at = (day: string, time: string) => `2026-03-${day}T${time}:00.000Z`;
const DAYS = ['02', '03', '04', '05', '06', '07', '08'];
const NOW = at('10', '00:00');
/** The week of events, collected once it is over. */
const WEEK = { since: at('01', '00:00'), until: at('09', '00:00') };
const AFTER = at('09', '01:00');
const trigger = { type: 'manual', by: 'test' } as const;
const email = (name: string) => `${name}@acme.example`;

/** Each person's accounts and when each lost access (null: never). */
const history = {
  alice: { okta: null, github: { login: 'alice', removedAt: null } },
  dave: { okta: at('04', '09:00'), github: { login: 'dave', removedAt: at('04', '10:00') } },
  erin: { okta: at('04', '18:00'), github: { login: 'erin-gh', removedAt: at('04', '09:30') } },
  gus: { okta: at('04', '08:30'), github: { login: 'gus', removedAt: null } },
  uma: { okta: at('04', '11:00'), github: { login: 'zz-top', removedAt: null } },
  edge: { okta: at('06', '07:30'), github: { login: 'edge', removedAt: at('06', '07:30') } },
} as const;
type Name = keyof typeof history;
const names = Object.keys(history) as Name[];
const gone = (removedAt: string | null, time: string) => removedAt !== null && removedAt <= time;

function company() {
  const people = names.map((name, index) => employee(index + 1, email(name)));
  const [alice, dave, erin, gus, uma, edge] = people;
  for (const person of [dave, erin, gus, uma]) terminate(person!, '2026-03-03', at('02', '17:00'));
  terminate(edge!, '2026-03-05', at('05', '20:00'));
  return { domain: 'acme', employees: [alice!, ...[dave, erin, gus, uma, edge].map((p) => p!)] };
}

describe.skipIf(!s3)('leavers from HR, joined across Okta and GitHub, on a locker on S3', () => {
  let locker: Locker;
  const leaversConfig = {
    type: 'crosswalk',
    slaMinutes: 1440,
    controlOwner: 'secops@acme.example',
    leavers: {
      slaMinutes: 240,
      lookaheadDays: 3,
      systems: ['okta', 'github'],
      rules: { github: ['email_local_part'] },
      aliases: [{ email: 'erin@acme.example', logins: { github: ['erin-gh'] } }],
    },
  };
  const derive = () =>
    runConnector({
      connector: derivedConnector,
      connectorId: 'leavers-acme',
      config: leaversConfig,
      locker,
      window: { since: at('01', '00:00'), until: at('09', '00:00') },
      trigger,
      clock: fixedClock(NOW),
      collectors: ['leaver_timeliness', 'orphaned_accounts'],
    });

  async function list<K extends EvidenceKind>(kind: K): Promise<EvidenceRecord<K>[]> {
    const records: EvidenceRecord<K>[] = [];
    for await (const record of locker.records.list(kind, {
      from: at('01', '00:00'),
      to: at('20', '00:00'),
    })) {
      records.push(record as EvidenceRecord<K>);
    }
    return records;
  }

  /** Runs one collector of a source connector into the locker; resolves to its result in the run's manifest. */
  async function collectOne(
    run: { connector: unknown; connectorId: string; config: unknown; collector: string },
    window: { since: string; until: string },
    now: string,
  ) {
    const manifest = await runConnector({
      connector: run.connector,
      connectorId: run.connectorId,
      config: run.config,
      collectors: [run.collector],
      locker,
      window,
      trigger,
      clock: fixedClock(now),
    } as Parameters<typeof runConnector>[0]);
    return manifest.collectors[0]!;
  }

  /** One day's snapshots of Okta, GitHub and BambooHR, read at 12:00Z with the state of that moment. */
  async function snapshotDay(day: string, bamboohr: Awaited<ReturnType<typeof startFakeBambooHr>>) {
    const time = at(day, '12:00');
    const window = { since: at(day, '00:00'), until: time };
    const okta = await startFakeOkta({
      users: names.map((name) =>
        user(email(name), { status: gone(history[name].okta, time) ? 'DEPROVISIONED' : 'ACTIVE' }),
      ),
      adminRoles: {},
      apps: [],
      policies: [],
      authenticators: [],
      events: [],
      governance: null,
    });
    const github = await startFakeGitHub(
      organization('acme', {
        members: names
          .filter((name) => !gone(history[name].github.removedAt, time))
          .map((name) => ({ user: account(history[name].github.login), role: 'member' as const })),
      }),
    );
    try {
      for (const run of [
        {
          connector: oktaConnector,
          connectorId: 'okta-acme',
          config: oktaConfigFor(okta),
          collector: 'users_snapshot',
        },
        {
          connector: githubConnector,
          connectorId: 'github-acme',
          config: githubConfigFor(github),
          collector: 'org_members',
        },
        {
          connector: bamboohrConnector,
          connectorId: 'bamboohr-acme',
          config: bamboohrConfigFor(bamboohr, { timeZone: ZONE }),
          collector: 'employees_snapshot',
        },
      ]) {
        expect((await collectOne(run, window, time)).status, run.connectorId).toBe('succeeded');
      }
    } finally {
      await okta.close();
      await github.close();
    }
  }

  beforeAll(async () => {
    const bucket = await createTestBucket(s3!);
    locker = new Locker(
      new S3ObjectStore(parseLockerConfig(s3LockerSettings(s3!, bucket)) as S3LockerConfig),
      {
        clock: fixedClock(NOW),
      },
    );
    const bamboohr = await startFakeBambooHr(company());
    try {
      for (const day of DAYS) await snapshotDay(day, bamboohr);
      // The events, once the week is over: terminations, Okta deactivations, GitHub removals.
      const terminations = await collectOne(
        {
          connector: bamboohrConnector,
          connectorId: 'bamboohr-acme',
          config: bamboohrConfigFor(bamboohr, { timeZone: ZONE }),
          collector: 'terminations',
        },
        WEEK,
        AFTER,
      );
      expect(terminations).toMatchObject({ status: 'succeeded', stored: 5 });
    } finally {
      await bamboohr.close();
    }
    const window = WEEK;
    const clock = fixedClock(AFTER);
    const okta = await collectOkta(
      names.flatMap((name) => {
        const removedAt = history[name].okta;
        return removedAt ? [oktaEvent('user.lifecycle.deactivate', email(name), removedAt)] : [];
      }),
      { connectorId: 'okta-acme', locker, window, trigger, clock },
    );
    expect(okta.collectors[0]).toMatchObject({ status: 'succeeded', stored: 5 });
    const org = organization('acme', {
      auditLog: names.flatMap((name) => {
        const { login, removedAt } = history[name].github;
        return removedAt
          ? [
              {
                id: `r-${login}`,
                timestamp: Date.parse(removedAt),
                action: 'org.remove_member',
                actor: 'carol',
                user: login,
              },
            ]
          : [];
      }),
    });
    const github = await startFakeGitHub(org);
    try {
      const removals = await collectOne(
        {
          connector: githubConnector,
          connectorId: 'github-acme',
          config: githubConfigFor(github),
          collector: 'member_removed',
        },
        WEEK,
        AFTER,
      );
      expect(removals).toMatchObject({ status: 'succeeded', stored: 3 });
    } finally {
      await github.close();
    }
    const manifest = await derive();
    expect(manifest.collectors.map((c) => [c.id, c.status])).toEqual([
      ['leaver_timeliness', 'succeeded'],
      ['orphaned_accounts', 'succeeded'],
    ]);
  }, 180_000);

  it('times each leaver in each system from the end of the termination date in Los Angeles', async () => {
    const records = await list('crosswalk.leaver_timeliness');
    expect(records).toHaveLength(5);
    const answers = Object.fromEntries(
      records.map((r) => [
        r.payload.termination.email!.split('@')[0],
        {
          terminatedAt: r.payload.termination.terminatedAt,
          systems: Object.fromEntries(
            r.payload.systems.map((s) => [s.system, [s.status, s.minutesFromTermination, s.endedFrom]]),
          ),
          onTime: r.payload.onTime,
          stillActiveIn: r.payload.stillActiveIn,
          unmatchedIn: r.payload.unmatchedIn,
          final: r.payload.final,
        },
      ]),
    );
    const march4 = at('04', '08:00');
    expect(answers).toEqual({
      dave: {
        terminatedAt: march4,
        systems: { okta: ['on_time', 60, 'removal_event'], github: ['on_time', 120, 'removal_event'] },
        onTime: true,
        stillActiveIn: [],
        unmatchedIn: [],
        final: true,
      },
      erin: {
        terminatedAt: march4,
        systems: { okta: ['late', 600, 'removal_event'], github: ['on_time', 90, 'removal_event'] },
        onTime: false,
        stillActiveIn: [],
        unmatchedIn: [],
        final: true,
      },
      gus: {
        terminatedAt: march4,
        systems: { okta: ['on_time', 30, 'removal_event'], github: ['still_active', null, null] },
        onTime: false,
        stillActiveIn: ['github'],
        unmatchedIn: [],
        final: true,
      },
      uma: {
        terminatedAt: march4,
        systems: { okta: ['on_time', 180, 'removal_event'], github: ['unmatched', null, null] },
        onTime: true,
        stillActiveIn: [],
        unmatchedIn: ['github'],
        final: true,
      },
      edge: {
        terminatedAt: at('06', '08:00'),
        systems: { okta: ['on_time', -30, 'removal_event'], github: ['on_time', -30, 'removal_event'] },
        onTime: true,
        stillActiveIn: [],
        unmatchedIn: [],
        final: true,
      },
    });
    const gus = records.find((r) => r.payload.termination.email === email('gus'))!;
    const github = gus.payload.systems.find((s) => s.system === 'github')!;
    expect(github).toMatchObject({
      accounts: ['gus'],
      matchedBy: 'email_local_part',
      lastSeenActive: at('06', '12:00'),
    });
    const erin = records.find((r) => r.payload.termination.email === email('erin'))!;
    expect(erin.payload.systems.find((s) => s.system === 'github')).toMatchObject({
      accounts: ['erin-gh'],
      matchedBy: 'alias',
    });
    expect(erin.payload.systems.find((s) => s.system === 'okta')).toMatchObject({ matchedBy: 'email' });
  });

  it('lists, per day, the active accounts of leavers and of no one HR knows', async () => {
    const records = await list('crosswalk.orphaned_accounts');
    const byDay = Object.fromEntries(
      records.map((r) => [
        r.payload.day,
        r.payload.systems.flatMap((s) => s.orphaned.map((o) => `${s.system}:${o.login}:${o.reason}`)),
      ]),
    );
    const always = 'github:zz-top:unknown';
    expect(byDay).toEqual({
      '2026-03-01': [],
      '2026-03-02': [always],
      '2026-03-03': [always],
      '2026-03-04': ['okta:erin@acme.example:terminated', 'github:gus:terminated', always],
      '2026-03-05': ['github:gus:terminated', always],
      '2026-03-06': ['github:gus:terminated', always],
      '2026-03-07': ['github:gus:terminated', always],
      '2026-03-08': ['github:gus:terminated', always],
    });
    const first = records.find((r) => r.payload.day === '2026-03-01')!;
    // No snapshot that day: the systems are listed unobserved, not silently clean.
    expect(first.payload.systems.map((s) => s.snapshots.length)).toEqual([0, 0]);
    const day4 = records.find((r) => r.payload.day === '2026-03-04')!.payload;
    expect(day4.roster).toMatchObject({ system: 'bamboohr', people: 6 });
    expect(day4.systems.map((s) => [s.system, s.accounts, s.active])).toEqual([
      ['okta', 6, 3],
      // dave and erin-gh were removed that morning: absent, not listed inactive.
      ['github', 4, 4],
    ]);
  });

  it("gives the starter register's HR controls exactly the leavers and days at fault", async () => {
    const window = { from: WEEK.since, to: WEEK.until };
    const { register, source } = await registerFor(locker, window.to);
    const test = (control: string) =>
      testControl({
        locker,
        register,
        registerSource: source,
        control,
        ...window,
        seed: 'audit-2026',
        now: new Date(NOW),
      });
    const leavers = await list('crosswalk.leaver_timeliness');
    const idOf = (name: string) => leavers.find((r) => r.payload.termination.email === email(name))!.id;
    const late = await test('IAM-10');
    // erin late in Okta, gus still active in GitHub, uma unmatched in GitHub; dave and edge pass.
    expect(late.exceptions.map((e) => e.item).sort()).toEqual(
      [idOf('erin'), idOf('gus'), idOf('uma')].sort(),
    );
    const orphans = await list('crosswalk.orphaned_accounts');
    const dayOf = (id: string) => orphans.find((r) => r.id === id)!.payload.day;
    const orphaned = await test('IAM-11');
    expect(orphaned.exceptions.map((e) => dayOf(e.item)).sort()).toEqual(DAYS.map((d) => `2026-03-${d}`));
  });

  it('stores nothing new when run again knowing nothing new', async () => {
    const before =
      (await list('crosswalk.leaver_timeliness')).length + (await list('crosswalk.orphaned_accounts')).length;
    const manifest = await derive();
    expect(manifest.collectors.map((c) => c.stored)).toEqual([0, 0]);
    const after =
      (await list('crosswalk.leaver_timeliness')).length + (await list('crosswalk.orphaned_accounts')).length;
    expect(after).toBe(before);
  });
});
