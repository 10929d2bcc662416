import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { controlsFor } from '@crosswalk/controls';
import {
  type EvidenceRecord,
  fixedClock,
  isCrosswalkError,
  type PayloadOf,
  type Person,
  resolveCurrent,
  supersessionEntry,
} from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import {
  derivedConnector,
  parseTimelinessConfig,
  removalSources,
  resolveIdentity,
  systemResult,
  VERSION,
} from '../src/index.js';
import { collectGoogle, GOOGLE_ADMIN, googleEvent } from './google-workspace.js';
import { collectOkta, oktaEvent } from './okta.js';

const NOW = '2026-03-10T00:00:00.000Z';
const trigger = { type: 'manual', by: 'test' } as const;

function issuesOf(input: unknown): string[] {
  try {
    parseTimelinessConfig(input);
  } catch (error) {
    expect(isCrosswalkError(error, 'CW_CONFIG_INVALID')).toBe(true);
    return (error as { issues: { path: string }[] }).issues.map((issue) => issue.path);
  }
  return [];
}

async function emptyLocker(): Promise<Locker> {
  return new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-derive-'))), {
    clock: fixedClock(NOW),
  });
}

/** A sealed ticket record, as the Jira connector `connectorId` would have stored it. */
async function storeTicket(
  locker: Locker,
  key: string,
  subject: Person | null,
  created: string,
  resolved: string,
  connectorId = 'jira-acme',
): Promise<string> {
  const payload: PayloadOf<'jira.deprovisioning_ticket'> = {
    key,
    project: 'IT',
    issueType: 'Offboarding',
    summary: `Offboard ${subject?.email ?? 'someone'}`,
    status: 'Done',
    statusCategory: 'done',
    resolution: 'Done',
    createdAt: created,
    resolvedAt: resolved,
    reporter: null,
    assignee: null,
    resolvedBy: { id: 'acc-alice', name: 'Alice Admin' },
    approver: { id: 'acc-alice', name: 'Alice Admin' },
    approvedAt: resolved,
    approvedStatus: 'Done',
    approvedByReporter: false,
    approvedBySubject: false,
    subject,
    subjectSource: subject ? 'summary' : null,
    statusHistory: [],
  };
  const result = await locker.storeDraft({
    kind: 'jira.deprovisioning_ticket',
    occurredAt: resolved,
    collectedAt: resolved,
    owner: { people: [{ id: 'acc-alice', name: 'Alice Admin' }], controlOwner: null },
    actors: [],
    source: { system: 'jira', instance: 'acme.atlassian.net', ref: key, url: null },
    controls: controlsFor('jira.deprovisioning_ticket'),
    payload,
    provenance: {
      connector: { id: connectorId, type: 'jira', version: '0.1.0' },
      collector: 'deprovisioning_tickets',
      runId: 'run-1',
      trigger,
      requests: [],
    },
  });
  return result.id;
}

/** A sealed record of another connector's kind, as that connector `connectorId` would have stored it. */
async function storeRecord<K extends 'entra.user_lifecycle' | 'google_workspace.admin_event'>(
  locker: Locker,
  kind: K,
  system: string,
  connectorId: string,
  at: string,
  payload: PayloadOf<K>,
): Promise<string> {
  const result = await locker.storeDraft({
    kind,
    occurredAt: at,
    collectedAt: at,
    owner: { people: [], controlOwner: null },
    actors: [],
    source: { system, instance: 'acme', ref: `${kind}-${at}`, url: null },
    controls: controlsFor(kind),
    payload,
    provenance: {
      connector: { id: connectorId, type: system, version: '0.1.0' },
      collector: 'lifecycle',
      runId: 'run-1',
      trigger,
      requests: [],
    },
  });
  return result.id;
}

async function timelinessRecords(locker: Locker) {
  const records: EvidenceRecord<'crosswalk.deprovisioning_timeliness'>[] = [];
  for await (const record of locker.records.list('crosswalk.deprovisioning_timeliness', {
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
  })) {
    records.push(record as EvidenceRecord<'crosswalk.deprovisioning_timeliness'>);
  }
  return records;
}

/** Okta's System Log, as connector `connectorId` collects it in March, saying dave was deactivated at `at`. */
function deactivateDave(locker: Locker, at: string, connectorId = 'okta-acme') {
  return collectOkta([oktaEvent('user.lifecycle.deactivate', 'dave@acme.example', at)], {
    connectorId,
    locker,
    window: { since: '2026-03-01T00:00:00.000Z', until: NOW },
    trigger,
    clock: fixedClock(NOW),
  });
}

/** The timeliness collector (60-minute SLA, Okta only) run into `locker` at `now`, over March up to `now`. */
function deriveTimelinessAt(locker: Locker, now: string) {
  return runConnector({
    connector: derivedConnector,
    connectorId: 'timeliness',
    config: { type: 'crosswalk', slaMinutes: 60, systems: ['okta'] },
    locker,
    window: { since: '2026-03-01T00:00:00.000Z', until: now },
    trigger,
    clock: fixedClock(now),
  });
}

describe('the deprovisioning timeliness config', () => {
  const valid = { type: 'crosswalk', slaMinutes: 1440 };

  it('fills the defaults: both systems, a 14-day lookahead, a day of lookbehind', () => {
    expect(parseTimelinessConfig(valid)).toEqual({
      type: 'crosswalk',
      slaMinutes: 1440,
      lookaheadDays: 14,
      lookbehindDays: 1,
      systems: ['okta', 'github'],
      removalActions: {},
      identityMap: [],
      sources: {},
    });
  });

  it('knows the systems from the kinds that declare how to read a removal, not from a list of vendors', () => {
    expect([...removalSources().keys()]).toEqual([
      'github',
      'okta',
      'entra',
      'google-workspace',
      'aws',
      'gitlab',
    ]);
    expect(
      removalSources()
        .get('okta')!
        .kinds.map((k) => [k.kind, k.removal.matchBy]),
    ).toEqual([['okta.user_lifecycle', 'directory']]);
    try {
      parseTimelinessConfig({ ...valid, systems: ['slack'] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain(
        'systems.0: must be one of github, okta, entra, google-workspace, aws, gitlab (systems whose evidence records removals)',
      );
    }
  });

  it('rejects each malformed field by name', () => {
    expect(issuesOf({ ...valid, slaMinutes: 0 })).toEqual(['slaMinutes']);
    expect(issuesOf({ ...valid, slaMinutes: 30 * 1440 })).toEqual(['slaMinutes']);
    expect(issuesOf({ ...valid, systems: ['okta', 'okta'] })).toEqual(['systems']);
    expect(issuesOf({ ...valid, systems: ['slack'] })).toEqual(['systems.0']);
    // Jira's kinds are of the category, but none records a removal: tickets ask for them.
    expect(issuesOf({ ...valid, systems: ['github', 'jira'] })).toEqual(['systems.1']);
    expect(issuesOf({ ...valid, identityMap: [{ email: 'frank' }] })).toEqual(['identityMap.0.email']);
    expect(
      issuesOf({ ...valid, identityMap: [{ email: 'f@acme.example', githubLogin: 'not a login' }] }),
    ).toEqual(['identityMap.0.githubLogin']);
    expect(
      issuesOf({ ...valid, identityMap: [{ email: 'F@acme.example' }, { email: 'f@acme.example' }] }),
    ).toEqual(['identityMap.1.email']);
    expect(issuesOf({ ...valid, sources: { jiraConnectorId: 'jira acme' } })).toEqual([
      'sources.jiraConnectorId',
    ]);
    expect(issuesOf({ ...valid, sources: { slackConnectorId: 'slack-acme' } })).toEqual([
      'sources.slackConnectorId',
    ]);
    expect(issuesOf({ ...valid, removalActions: { slack: ['user.removed'] } })).toEqual([
      'removalActions.slack',
    ]);
    expect(issuesOf({ ...valid, lookahead: 3 })).toEqual(['(root)']);
  });

  it('is rejected before anything is read', async () => {
    await expect(
      runConnector({
        connector: derivedConnector,
        connectorId: 'timeliness',
        config: { type: 'crosswalk', slaMinutes: -1 },
        locker: await emptyLocker(),
        trigger,
      }),
    ).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [{ path: 'connectors.timeliness.slaMinutes' }],
    });
  });

  it('stamps the package version into provenance', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(VERSION).toBe(manifest.version);
  });
});

describe('resolving who to look for', () => {
  const map = parseTimelinessConfig({
    type: 'crosswalk',
    slaMinutes: 60,
    identityMap: [
      { email: 'frank@acme.example', githubLogin: 'fjones-acme' },
      { email: 'henry@acme.example', jiraAccountId: 'acc-henry', oktaLogin: 'henry.h@acme.example' },
    ],
  }).identityMap;

  it('searches Okta by email and GitHub by the email local part when nothing is mapped', () => {
    expect(resolveIdentity({ email: 'Dave@Acme.example' }, map)).toEqual({
      email: 'dave@acme.example',
      oktaLogins: ['dave@acme.example'],
      githubLogins: ['dave'],
      mapped: false,
    });
  });

  it('replaces the guesses with what the identity map says', () => {
    expect(resolveIdentity({ email: 'frank@acme.example' }, map)).toMatchObject({
      githubLogins: ['fjones-acme'],
      oktaLogins: ['frank@acme.example'],
      mapped: true,
    });
  });

  it('finds a person Jira names only by account id', () => {
    expect(resolveIdentity({ id: 'acc-henry', name: 'Henry Hidden' }, map)).toEqual({
      email: 'henry@acme.example',
      oktaLogins: ['henry.h@acme.example'],
      githubLogins: ['henry'],
      mapped: true,
    });
    expect(resolveIdentity({ id: 'acc-unknown', name: 'Nobody' }, map)).toEqual({
      email: null,
      oktaLogins: [],
      githubLogins: [],
      mapped: false,
    });
  });

  it('takes a login from the ticket as it is', () => {
    expect(resolveIdentity({ login: 'fjones-acme' }, map)).toMatchObject({
      email: 'frank@acme.example',
      githubLogins: ['fjones-acme'],
      mapped: true,
    });
  });
});

describe('timing one system', () => {
  const identity = {
    email: 'dave@acme.example',
    oktaLogins: ['dave@acme.example'],
    githubLogins: ['dave'],
    mapped: false,
  };
  const config = { slaMinutes: 60, lookaheadDays: 14, lookbehindDays: 1 };
  const requestedAt = '2026-03-02T09:00:00.000Z';
  const removal = (at: string, login = 'dave') => ({
    evidenceId: `github.member_removed~x~${at}`,
    sha256: 'a'.repeat(64),
    key: `k-${at}`,
    at,
    handles: [`login:${login}`],
    removedBy: null,
  });
  const result = (removals: ReturnType<typeof removal>[], now = Date.parse(NOW)) =>
    systemResult({ system: 'github', matchBy: 'account', identity, removals, requestedAt, now, config });

  it('counts a removal exactly at the SLA as on time, and one millisecond later as late', () => {
    expect(result([removal('2026-03-02T10:00:00.000Z')])).toMatchObject({
      status: 'on_time',
      minutesToDeprovision: 60,
    });
    expect(result([removal('2026-03-02T10:00:00.001Z')])).toMatchObject({
      status: 'late',
      minutesToDeprovision: 61,
    });
  });

  it('takes the earliest matching removal, and counts one shortly before the request', () => {
    expect(
      result([
        removal('2026-03-02T07:00:00.000Z', 'someone-else'),
        removal('2026-03-02T08:30:00.000Z'),
        removal('2026-03-02T09:30:00.000Z'),
      ]),
    ).toMatchObject({
      status: 'on_time',
      minutesToDeprovision: -30,
      deprovisionedAt: '2026-03-02T08:30:00.000Z',
    });
  });

  it('ignores removals before the lookbehind or after the lookahead', () => {
    const later = Date.parse('2026-04-01T00:00:00.000Z');
    expect(
      result([removal('2026-02-28T09:00:00.000Z'), removal('2026-03-16T09:00:00.000Z')], later),
    ).toMatchObject({
      status: 'not_found',
      searched: { from: '2026-03-01T09:00:00.000Z', until: '2026-03-16T09:00:00.000Z' },
    });
  });

  it('is pending while the SLA has not passed, and not_found after', () => {
    expect(result([], Date.parse('2026-03-02T09:59:59.999Z')).status).toBe('pending');
    expect(result([], Date.parse('2026-03-02T10:00:00.000Z')).status).toBe('not_found');
  });

  it('is not_found at once for a ticket that names no one to look for', () => {
    const nobody = { email: null, oktaLogins: [], githubLogins: [], mapped: false };
    expect(
      systemResult({
        system: 'okta',
        matchBy: 'directory',
        identity: nobody,
        removals: [],
        requestedAt,
        now: Date.parse(requestedAt),
        config,
      }).status,
    ).toBe('not_found');
  });

  it('does not see removals stored for times after now', () => {
    expect(
      result([removal('2026-03-02T09:45:00.000Z')], Date.parse('2026-03-02T09:40:00.000Z')),
    ).toMatchObject({
      status: 'pending',
      searched: { until: '2026-03-02T09:40:00.000Z' },
    });
  });
});

describe('joining tickets in the locker', () => {
  it('joins only the configured connectors, and flags a ticket that names no one', async () => {
    const locker = await emptyLocker();
    await storeTicket(
      locker,
      'IT-1',
      { email: 'dave@acme.example' },
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
    );
    await storeTicket(locker, 'IT-2', null, '2026-03-03T09:00:00.000Z', '2026-03-03T12:00:00.000Z');
    // The same key from a Jira instance this join is not about.
    await storeTicket(
      locker,
      'IT-1',
      { email: 'dave@acme.example' },
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T12:30:00.000Z',
      'jira-other',
    );
    await deactivateDave(locker, '2026-03-02T09:10:00.000Z', 'okta-other');
    const manifest = await runConnector({
      connector: derivedConnector,
      connectorId: 'timeliness',
      config: {
        type: 'crosswalk',
        slaMinutes: 60,
        systems: ['okta'],
        sources: { jiraConnectorId: 'jira-acme', oktaConnectorId: 'okta-acme' },
      },
      locker,
      window: { since: '2026-03-01T00:00:00.000Z', until: NOW },
      trigger,
      clock: fixedClock(NOW),
    });
    expect(manifest.collectors[0]).toMatchObject({ status: 'succeeded', stored: 2 });
    const records = await timelinessRecords(locker);
    expect(
      records.map((r) => [r.payload.ticket.key, r.payload.subject, r.payload.systems.map((s) => s.status)]),
    ).toEqual([
      // okta-other's deactivation is not okta-acme's: not joined.
      ['IT-1', { email: 'dave@acme.example' }, ['not_found']],
      ['IT-2', null, ['not_found']],
    ]);
    expect(records.every((r) => r.payload.final)).toBe(false);
  });

  it("counts the removal actions a kind declares, unless the config names its own (removalActions, or Okta's oktaEventTypes)", async () => {
    const answer = async (extra: Record<string, unknown>) => {
      const locker = await emptyLocker();
      await storeTicket(
        locker,
        'IT-1',
        { email: 'dave@acme.example' },
        '2026-03-02T09:00:00.000Z',
        '2026-03-02T09:20:00.000Z',
      );
      const window = { since: '2026-03-01T00:00:00.000Z', until: NOW };
      await collectOkta(
        [oktaEvent('user.lifecycle.suspend', 'dave@acme.example', '2026-03-02T09:10:00.000Z')],
        { connectorId: 'okta-acme', locker, window, trigger, clock: fixedClock(NOW) },
      );
      await runConnector({
        connector: derivedConnector,
        connectorId: 'timeliness',
        config: { type: 'crosswalk', slaMinutes: 60, systems: ['okta'], ...extra },
        locker,
        window,
        trigger,
        clock: fixedClock(NOW),
      });
      return (await timelinessRecords(locker)).map((r) => r.payload.systems.map((s) => [s.system, s.status]));
    };
    // A suspension is one of the removals Okta's kind declares.
    expect(await answer({})).toEqual([[['okta', 'on_time']]]);
    expect(await answer({ removalActions: { okta: ['user.lifecycle.deactivate'] } })).toEqual([
      [['okta', 'not_found']],
    ]);
    expect(await answer({ oktaEventTypes: ['user.lifecycle.deactivate'] })).toEqual([
      [['okta', 'not_found']],
    ]);
  });

  it("joins a connector's removals once its kind declares how to read them, with no change to the join", async () => {
    const locker = await emptyLocker();
    await storeTicket(
      locker,
      'IT-1',
      { email: 'dave@acme.example' },
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T09:20:00.000Z',
    );
    const admin = { email: 'alice@acme.example' };
    const entra = (activity: string, at: string, result = 'success') =>
      storeRecord(locker, 'entra.user_lifecycle', 'entra', 'entra-acme', at, {
        tenant: 'acme.onmicrosoft.com',
        eventId: `audit-${at}`,
        activity,
        change: activity === 'Disable account' ? 'disabled' : 'role_removed',
        direction: 'deprovisioning',
        category: 'UserManagement',
        result,
        resultReason: null,
        actor: admin,
        actorApp: null,
        target: { email: 'dave@acme.example', login: 'dave@acme.example' },
        role: null,
        correlationId: null,
        loggedByService: 'Core Directory',
      });
    // A failed disablement and a role removal are no removal; the disablement after them is.
    await entra('Disable account', '2026-03-02T09:05:00.000Z', 'failure');
    await entra('Remove member from role', '2026-03-02T09:10:00.000Z');
    const disabled = await entra('Disable account', '2026-03-02T09:30:00.000Z');
    const suspended = await storeRecord(
      locker,
      'google_workspace.admin_event',
      'google-workspace',
      'gws-acme',
      '2026-03-02T11:00:00.000Z',
      {
        customer: 'C03az79cb',
        eventId: 'e-1',
        eventName: 'SUSPEND_USER',
        eventType: 'USER_SETTINGS',
        action: 'user_suspended',
        direction: 'deprovisioning',
        actor: admin,
        actorCallerType: 'USER',
        target: { email: 'dave@acme.example' },
        role: null,
        setting: null,
        ipAddress: null,
        parameters: [],
      },
    );
    await runConnector({
      connector: derivedConnector,
      connectorId: 'timeliness',
      config: {
        type: 'crosswalk',
        slaMinutes: 60,
        systems: ['entra', 'google-workspace'],
        sources: { entraConnectorId: 'entra-acme', googleWorkspaceConnectorId: 'gws-acme' },
      },
      locker,
      window: { since: '2026-03-01T00:00:00.000Z', until: NOW },
      trigger,
      clock: fixedClock(NOW),
    });
    const [record] = await timelinessRecords(locker);
    expect(
      record!.payload.systems.map((s) => [s.system, s.status, s.removal?.evidenceId, s.minutesToDeprovision]),
    ).toEqual([
      ['entra', 'on_time', disabled, 30],
      ['google-workspace', 'late', suspended, 120],
    ]);
    expect(record!.payload.systems[0]!.removedBy).toEqual(admin);
    expect(record!.actors.map((a) => a.role)).toEqual([
      'subject',
      'entra_removed_by',
      'google-workspace_removed_by',
    ]);
  });

  it('times removals in Google Workspace: a suspension or deletion of the person, by the admin who did it', async () => {
    const locker = await emptyLocker();
    const window = { since: '2026-03-01T00:00:00.000Z', until: NOW };
    // Dave is suspended ten minutes after his ticket; Erin only has a role taken away (no removal) and is deleted
    // two hours after hers; Frank is never touched.
    await storeTicket(
      locker,
      'IT-1',
      { email: 'dave@acme.example' },
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T09:30:00.000Z',
    );
    await storeTicket(
      locker,
      'IT-2',
      { email: 'erin@acme.example' },
      '2026-03-03T09:00:00.000Z',
      '2026-03-03T12:00:00.000Z',
    );
    await storeTicket(
      locker,
      'IT-3',
      { email: 'frank@acme.example' },
      '2026-03-04T09:00:00.000Z',
      '2026-03-04T12:00:00.000Z',
    );
    await collectGoogle(
      [
        googleEvent('SUSPEND_USER', 'dave@acme.example', '2026-03-02T09:10:00.000Z'),
        googleEvent('REVOKE_ADMIN_PRIVILEGE', 'erin@acme.example', '2026-03-03T09:05:00.000Z'),
        googleEvent('DELETE_USER', 'erin@acme.example', '2026-03-03T11:00:00.000Z'),
      ],
      { connectorId: 'gws-acme', locker, window, trigger, clock: fixedClock(NOW) },
    );
    const manifest = await runConnector({
      connector: derivedConnector,
      connectorId: 'timeliness',
      config: {
        type: 'crosswalk',
        slaMinutes: 60,
        systems: ['google-workspace'],
        sources: { googleWorkspaceConnectorId: 'gws-acme' },
      },
      locker,
      window,
      trigger,
      clock: fixedClock(NOW),
    });
    expect(manifest.collectors[0]).toMatchObject({ status: 'succeeded', stored: 3 });
    const records = await timelinessRecords(locker);
    expect(
      records.map((r) => [
        r.payload.ticket.key,
        ...r.payload.systems.map((s) => [
          s.system,
          s.status,
          s.minutesToDeprovision,
          s.removedBy?.email ?? null,
        ]),
      ]),
    ).toEqual([
      ['IT-1', ['google-workspace', 'on_time', 10, GOOGLE_ADMIN]],
      ['IT-2', ['google-workspace', 'late', 120, GOOGLE_ADMIN]],
      ['IT-3', ['google-workspace', 'not_found', null, null]],
    ]);
    const late = records.find((r) => r.payload.ticket.key === 'IT-2')!;
    expect(late.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.2', 'CC6.3']));
  });

  it('records a pending answer, then the found one superseding it, then nothing more', async () => {
    const locker = await emptyLocker();
    await storeTicket(
      locker,
      'IT-1',
      { email: 'dave@acme.example' },
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T09:20:00.000Z',
    );
    const run = (now: string) => deriveTimelinessAt(locker, now);
    await run('2026-03-02T09:30:00.000Z');
    await deactivateDave(locker, '2026-03-02T09:40:00.000Z', 'okta-acme');
    await run('2026-03-02T09:50:00.000Z');
    const again = await run('2026-03-02T09:50:00.000Z');
    expect(again.collectors[0]).toMatchObject({ stored: 0, duplicates: 1 });
    const [pending, found] = (await timelinessRecords(locker)).sort((a, b) =>
      a.collectedAt < b.collectedAt ? -1 : 1,
    );
    expect(pending!.payload).toMatchObject({
      final: false,
      supersedes: null,
      systems: [{ status: 'pending' }],
    });
    expect(found!.payload).toMatchObject({
      final: true,
      onTime: true,
      supersedes: pending!.id,
      systems: [{ status: 'on_time', minutesToDeprovision: 40 }],
    });
  });

  it('writes chains that resolve to one current answer per ticket: pending, then not_found, then late', async () => {
    const locker = await emptyLocker();
    for (const [key, email] of [
      ['IT-1', 'dave@acme.example'],
      ['IT-2', 'erin@acme.example'],
    ] as const) {
      await storeTicket(locker, key, { email }, '2026-03-02T09:00:00.000Z', '2026-03-02T09:20:00.000Z');
    }
    const run = (now: string) => deriveTimelinessAt(locker, now);
    await run('2026-03-02T09:30:00.000Z'); // both pending
    await run('2026-03-02T10:30:00.000Z'); // SLA passed: both not_found
    await deactivateDave(locker, '2026-03-02T10:40:00.000Z', 'okta-acme');
    await run('2026-03-02T10:50:00.000Z'); // IT-1 late; IT-2 unchanged
    const records = await timelinessRecords(locker);
    expect(records).toHaveLength(5);
    const resolved = resolveCurrent(records.map(supersessionEntry));
    const current = records.filter((r) => resolved.get(r.id)!.current);
    expect(current.map((r) => [r.payload.ticket.key, r.payload.systems[0]!.status]).sort()).toEqual([
      ['IT-1', 'late'],
      ['IT-2', 'not_found'],
    ]);
    const it1 = records
      .filter((r) => r.payload.ticket.key === 'IT-1')
      .sort((a, b) => (a.collectedAt < b.collectedAt ? -1 : 1));
    expect(it1.map((r) => r.payload.systems[0]!.status)).toEqual(['pending', 'not_found', 'late']);
    expect(it1.map((r) => resolved.get(r.id)!.supersededBy)).toEqual([it1[1]!.id, it1[2]!.id, null]);
  });
});
