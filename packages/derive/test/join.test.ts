/**
 * The join end to end, over records the collectors themselves stored: Jira tickets from the Jira connector against
 * its loopback site, GitHub removals from the GitHub connector against its loopback organization, and Okta System
 * Log events from the Okta connector against its loopback org. Then the timeliness connector runs over the
 * locker, as the worker runs it.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { githubConnector } from '@crosswalk/connector-github';
import {
  configFor as githubConfigFor,
  acme as githubOrganization,
  startFake as startFakeGitHub,
} from '@crosswalk/connector-github/testing';
import { jiraConnector } from '@crosswalk/connector-jira';
import {
  configFor as jiraConfigFor,
  site,
  startFakeJira,
  ticket,
  user,
} from '@crosswalk/connector-jira/testing';
import { type EvidenceRecord, fixedClock, type PayloadOf } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedConnector } from '../src/index.js';
import { collectOkta, oktaAdmin, oktaEvent } from './okta.js';

type Timeliness = PayloadOf<'crosswalk.deprovisioning_timeliness'>;

const OFFBOARDING = 'project = IT AND issuetype = Offboarding';
/** The first look: the day the last ticket was resolved. */
const FIRST = '2026-03-05T12:00:00.000Z';
/** Two weeks on: every lookahead has passed. */
const LATER = '2026-03-20T08:00:00.000Z';
const at = (day: string, time: string) => `2026-03-${day}T${time}:00.000Z`;

const itAdmin = user('alice', 'Alice Admin');
const manager = user('bob', 'Bob Manager', 'bob@acme.example');

function offboarding(key: string, leaver: string, created: string, resolved: string) {
  return ticket(key, {
    project: 'IT',
    issueType: 'Offboarding',
    summary: `Offboard ${leaver}`,
    created,
    reporter: manager,
    assignee: itAdmin,
    transitions: [{ to: 'Done', at: resolved, by: itAdmin }],
    resolution: 'Done',
  });
}

const removal = (id: string, user: string, timestamp: string) => ({
  id,
  timestamp: Date.parse(timestamp),
  action: 'org.remove_member',
  actor: 'carol',
  user,
});

describe('deprovisioning timeliness, joined across Jira, Okta and GitHub', () => {
  let locker: Locker;
  let jira: Awaited<ReturnType<typeof startFakeJira>>;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  const timeliness = () => derivedConnector;
  const config = {
    type: 'crosswalk',
    slaMinutes: 1440,
    identityMap: [{ email: 'frank@acme.example', githubLogin: 'fjones-acme' }],
    sources: { jiraConnectorId: 'jira-acme', oktaConnectorId: 'okta-acme', githubConnectorId: 'github-acme' },
    controlOwner: 'secops@acme.example',
  };
  const trigger = { type: 'manual', by: 'test' } as const;
  /** The timeliness connector over March up to `now`, run at `now`. */
  const deriveMarchUpTo = (now: string) =>
    runConnector({
      connector: timeliness(),
      connectorId: 'timeliness-acme',
      config,
      locker,
      window: { since: '2026-03-01T00:00:00.000Z', until: now },
      trigger,
      clock: fixedClock(now),
    });

  async function list(
    from = '2026-03-01T00:00:00.000Z',
  ): Promise<EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[]> {
    const records: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[] = [];
    for await (const record of locker.records.list('crosswalk.deprovisioning_timeliness', {
      from,
      to: '2026-04-01T00:00:00.000Z',
    })) {
      records.push(record as EvidenceRecord<'crosswalk.deprovisioning_timeliness'>);
    }
    return records;
  }

  const latest = (records: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[], key: string) =>
    records
      .filter((r) => r.payload.ticket.key === key)
      .sort((a, b) => (a.collectedAt < b.collectedAt ? -1 : 1))
      .at(-1)!;

  beforeAll(async () => {
    locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-derive-join-'))), {
      clock: fixedClock(FIRST),
    });
    jira = await startFakeJira(
      site({
        issues: [
          offboarding('IT-101', 'dave@acme.example', at('02', '09:00'), at('02', '12:00')),
          offboarding('IT-102', 'erin@acme.example', at('03', '09:00'), at('03', '15:00')),
          offboarding('IT-103', 'grace@acme.example', at('04', '09:00'), at('04', '17:00')),
          offboarding('IT-104', 'frank@acme.example', at('05', '09:00'), at('05', '10:30')),
        ],
        queries: { [OFFBOARDING]: ['IT-101', 'IT-102', 'IT-103', 'IT-104'] },
      }),
    );
    const organization = githubOrganization();
    organization.auditLog = [
      removal('r-dave', 'dave', at('02', '11:30')),
      removal('r-erin', 'erin', at('05', '09:00')),
      // Someone else who happens to be called frank on GitHub: the identity map must not take them for Frank.
      removal('r-frank', 'frank', at('05', '09:45')),
      removal('r-fjones', 'fjones-acme', at('05', '10:00')),
    ];
    github = await startFakeGitHub(organization);

    const clock = fixedClock(FIRST);
    const window = { since: '2026-03-01T00:00:00.000Z', until: FIRST };
    const jiraRun = await runConnector({
      connector: jiraConnector,
      connectorId: 'jira-acme',
      config: jiraConfigFor(jira, {
        kinds: { deprovisioning: { jql: OFFBOARDING, subjectPattern: '^Offboard (?<subject>\\S+)' } },
      }),
      locker,
      window,
      trigger,
      clock,
    });
    expect(jiraRun.collectors[0]).toMatchObject({ status: 'succeeded', stored: 4 });
    const githubRun = await runConnector({
      connector: githubConnector,
      connectorId: 'github-acme',
      config: githubConfigFor(github),
      collectors: ['member_removed'],
      locker,
      window,
      trigger,
      clock,
    });
    expect(githubRun.collectors[0]).toMatchObject({ status: 'succeeded', stored: 4 });
    const oktaRun = await collectOkta(
      [
        // An app unassignment is not a deactivation: dave's Okta time is the deactivation half an hour later.
        oktaEvent('application.user_membership.remove', 'dave@acme.example', at('02', '09:30')),
        oktaEvent('user.lifecycle.deactivate', 'dave@acme.example', at('02', '10:00')),
        oktaEvent('user.lifecycle.suspend', 'erin@acme.example', at('03', '12:00')),
        // Okta refused this one: grace kept her access.
        oktaEvent('user.lifecycle.deactivate', 'grace@acme.example', at('04', '10:00'), 'FAILURE'),
        oktaEvent('user.lifecycle.deactivate', 'frank@acme.example', at('05', '09:30')),
      ],
      {
        connectorId: 'okta-acme',
        locker,
        window,
        trigger,
        clock,
      },
    );
    expect(oktaRun.collectors[0]).toMatchObject({ status: 'succeeded', stored: 5 });
    expect(jira.violations).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  afterAll(async () => {
    await jira?.close();
    await github?.close();
  });

  describe('on the first look, the day the last ticket was resolved', () => {
    let records: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[];

    beforeAll(async () => {
      const manifest = await deriveMarchUpTo(FIRST);
      expect(manifest.status).toBe('succeeded');
      expect(manifest.collectors[0]).toMatchObject({
        id: 'deprovisioning_timeliness',
        stored: 4,
        duplicates: 0,
      });
      records = await list();
    });

    it('times each system from the request and finds both on time', () => {
      const record = latest(records, 'IT-101');
      expect(record.payload.systems).toEqual([
        {
          system: 'okta',
          status: 'on_time',
          removal: {
            evidenceId: expect.stringMatching(/^okta\.user_lifecycle~20260302T100000000Z~/),
            sha256: expect.any(String),
          },
          deprovisionedAt: at('02', '10:00'),
          minutesToDeprovision: 60,
          removedBy: {
            id: oktaAdmin.id,
            login: 'okta-admin@acme.example',
            email: 'okta-admin@acme.example',
            name: 'Okta Admin',
          },
          matchedOn: 'login:dave@acme.example',
          searched: { from: at('01', '09:00'), until: FIRST },
        },
        {
          system: 'github',
          status: 'on_time',
          removal: {
            evidenceId: expect.stringMatching(/^github\.member_removed~20260302T113000000Z~/),
            sha256: expect.any(String),
          },
          deprovisionedAt: at('02', '11:30'),
          minutesToDeprovision: 150,
          removedBy: { login: 'carol' },
          matchedOn: 'login:dave',
          searched: { from: at('01', '09:00'), until: FIRST },
        },
      ]);
      expect(record.payload).toMatchObject({ onTime: true, final: true, supersedes: null, slaMinutes: 1440 });
    });

    it('flags a removal that came after the SLA as late', () => {
      const record = latest(records, 'IT-102');
      expect(record.payload.systems.map((s) => [s.system, s.status, s.minutesToDeprovision])).toEqual([
        ['okta', 'on_time', 180],
        ['github', 'late', 2880],
      ]);
      expect(record.payload).toMatchObject({ onTime: false, final: true });
    });

    it('says not_found when no removal is in the locker once the SLA has passed, and that the answer may still change', () => {
      const record = latest(records, 'IT-103');
      expect(
        record.payload.systems.map((s) => [s.system, s.status, s.removal, s.minutesToDeprovision]),
      ).toEqual([
        ['okta', 'not_found', null, null],
        ['github', 'not_found', null, null],
      ]);
      expect(record.payload).toMatchObject({ onTime: false, final: false });
    });

    it('finds a person by the identity map when their GitHub login differs, and ignores look-alikes', () => {
      const record = latest(records, 'IT-104');
      expect(record.payload.identity).toEqual({
        email: 'frank@acme.example',
        oktaLogins: ['frank@acme.example'],
        githubLogins: ['fjones-acme'],
        mapped: true,
      });
      expect(
        record.payload.systems.map((s) => [s.system, s.status, s.minutesToDeprovision, s.matchedOn]),
      ).toEqual([
        ['okta', 'on_time', 30, 'login:frank@acme.example'],
        ['github', 'on_time', 60, 'login:fjones-acme'],
      ]);
    });

    it('files each answer with its ticket, points at what it joined, and maps it to both frameworks', async () => {
      const tickets: EvidenceRecord[] = [];
      for await (const t of locker.records.list('jira.deprovisioning_ticket', {
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
      })) {
        tickets.push(t);
      }
      for (const record of records) {
        const source = tickets.find((t) => t.id === record.payload.ticket.evidenceId)!;
        expect(record.occurredAt).toBe(source.occurredAt);
        expect(record.payload.ticket).toMatchObject({ sha256: source.sha256, url: source.source.url });
        expect(record.source).toMatchObject({ system: 'crosswalk', instance: 'timeliness-acme', url: null });
        expect(record.owner).toEqual({ people: source.owner.people, controlOwner: 'secops@acme.example' });
        expect(record.controls['soc2-2017']).toEqual(['CC6.2', 'CC6.3']);
        expect(record.controls['iso27001-2022']).toEqual(expect.arrayContaining(['A.5.16', 'A.5.18']));
        expect(record.provenance.connector).toMatchObject({ id: 'timeliness-acme', type: 'crosswalk' });
        // The joined records, by key: one GET each, and each key holds the record the payload names.
        const joined = [
          record.payload.ticket.evidenceId,
          ...record.payload.systems.flatMap((s) => (s.removal ? [s.removal.evidenceId] : [])),
        ];
        expect(record.provenance.requests).toHaveLength(joined.length);
        for (const [index, request] of record.provenance.requests.entries()) {
          const read = await locker.records.get(request.path);
          expect(read.id).toBe(joined[index]);
        }
      }
    });

    it('stores nothing new when the same window runs again', async () => {
      const manifest = await deriveMarchUpTo(FIRST);
      expect(manifest.collectors[0]).toMatchObject({ status: 'succeeded', stored: 0, duplicates: 4 });
      // Still listed (the manifest vouches for what the run met), each marked as already stored.
      expect(manifest.records.map((r) => r.duplicate)).toEqual([true, true, true, true]);
    });
  });

  describe('two weeks later, after a removal was found late', () => {
    let records: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[];
    let first: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>;

    beforeAll(async () => {
      first = latest(await list(), 'IT-103');
      github.org.auditLog.push(removal('r-grace', 'grace', at('06', '10:00')));
      await runConnector({
        connector: githubConnector,
        connectorId: 'github-acme',
        config: githubConfigFor(github),
        collectors: ['member_removed'],
        locker,
        trigger,
        clock: fixedClock(LATER),
      });
      // No window: the collector continues from where it stopped, and looks a lookahead back for open answers.
      const manifest = await runConnector({
        connector: timeliness(),
        connectorId: 'timeliness-acme',
        config,
        locker,
        trigger,
        clock: fixedClock(LATER),
      });
      expect(manifest.collectors[0]).toMatchObject({ status: 'succeeded', stored: 1, duplicates: 3 });
      records = await list();
    });

    it('records the improved answer as a new record that supersedes the first, and keeps the first', () => {
      const answers = records.filter((r) => r.payload.ticket.key === 'IT-103');
      expect(answers.map((r) => r.id)).toContain(first.id);
      const now = latest(records, 'IT-103');
      expect(now.id).not.toBe(first.id);
      expect(now.occurredAt).toBe(first.occurredAt);
      expect(now.collectedAt).toBe(LATER);
      expect(now.payload.supersedes).toBe(first.id);
      expect(now.payload.systems.map((s) => [s.system, s.status, s.minutesToDeprovision])).toEqual([
        ['okta', 'not_found', null],
        ['github', 'late', 2940],
      ]);
      expect(now.payload).toMatchObject({ onTime: false, final: true });
      expect(now.provenance.requests.map((r) => r.path)).toContain(
        `evidence/crosswalk.deprovisioning_timeliness/2026/03/04/${first.occurredAt}-${first.id.split('~')[2]}.json`,
      );
    });

    it('leaves the answers that did not change alone', () => {
      for (const key of ['IT-101', 'IT-102', 'IT-104']) {
        expect(records.filter((r) => r.payload.ticket.key === key)).toHaveLength(1);
      }
    });

    it('stores nothing new on a rerun', async () => {
      const manifest = await deriveMarchUpTo(LATER);
      expect(manifest.collectors[0]).toMatchObject({ status: 'succeeded', stored: 0, duplicates: 4 });
    });
  });

  it('is evidence for the controls the issue names', async () => {
    const [record] = await list();
    const payload: Timeliness = record!.payload;
    expect(payload.slaMinutes).toBe(1440);
    expect(record!.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.2', 'CC6.3']));
    expect(record!.controls['iso27001-2022']).toEqual(expect.arrayContaining(['A.5.18', 'A.5.16']));
  });
});
