import { closedAfterEach } from '@crosswalk/connector-testkit';
import { type EvidenceRecord, isCrosswalkError, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { accessReviews } from '../src/collectors/access-reviews.js';
import { userLifecycle } from '../src/collectors/user-lifecycle.js';
import { usersSnapshot } from '../src/collectors/users-snapshot.js';
import { parseOktaConfig } from '../src/config.js';
import {
  event,
  type FakeCampaign,
  type FakeOktaOptions,
  invalidToken,
  userEntity,
} from '../src/sandbox/index.js';
import { review as reviewShape, user as userShape } from '../src/sandbox/templates.js';
import { handleWebhook } from '../src/webhooks.js';
import { acme, collect, configFor, OKTA_SYSTEM, people, startFake, TOKEN } from './helpers.js';

const fake = closedAfterEach(
  (org: ReturnType<typeof acme> = acme(), options: Partial<FakeOktaOptions> = {}) => startFake(org, options),
);

const lifecycle = (record: EvidenceRecord) => record.payload as PayloadOf<'okta.user_lifecycle'>;

describe('the user lifecycle collector (okta.user_lifecycle)', () => {
  it('records each deactivation, suspension, app unassignment, activation and creation of the window, one per event', async () => {
    const server = await fake();
    const result = await collect(userLifecycle, configFor(server));
    expect(result.error).toBeUndefined();
    expect(
      result.records.map((r) => [
        r.occurredAt,
        lifecycle(r).eventType,
        lifecycle(r).direction,
        lifecycle(r).target.login,
      ]),
    ).toEqual([
      ['2026-03-02T09:00:00.000Z', 'user.lifecycle.create', 'provisioning', 'frank.new@acme.example'],
      ['2026-03-02T09:30:00.000Z', 'user.lifecycle.activate', 'provisioning', 'bob.jones@acme.example'],
      ['2026-03-03T15:00:00.000Z', 'user.lifecycle.deactivate', 'deprovisioning', 'dave.leaver@acme.example'],
      [
        '2026-03-03T15:05:00.000Z',
        'application.user_membership.remove',
        'deprovisioning',
        'dave.leaver@acme.example',
      ],
      [
        '2026-03-04T08:00:00.000Z',
        'user.lifecycle.suspend',
        'deprovisioning',
        'erin.contractor@acme.example',
      ],
    ]);
    // Okta filters by event type; the window is passed as since/until.
    const query = new URL(server.received('/api/v1/logs')[0]!.path, server.url).searchParams;
    expect(Object.fromEntries(query)).toMatchObject({
      since: '2026-03-01T00:00:00.000Z',
      until: '2026-03-08T00:00:00.000Z',
      limit: '1000',
      sortOrder: 'ASCENDING',
      filter:
        'eventType eq "user.lifecycle.deactivate" or eventType eq "user.lifecycle.suspend" or ' +
        'eventType eq "application.user_membership.remove" or eventType eq "user.lifecycle.activate" or ' +
        'eventType eq "user.lifecycle.create"',
    });
    expect(result.cursor).toEqual({ lastPublished: '2026-03-04T08:00:00.000Z' });
  });

  it('names the actor as owner, the user as target, the app for an unassignment, and the event uuid as the ref', async () => {
    const server = await fake();
    const org = server.org;
    const result = await collect(userLifecycle, configFor(server));
    const removal = result.records.find(
      (r) => lifecycle(r).eventType === 'application.user_membership.remove',
    )!;
    const source = org.events.find((e) => e.eventType === 'application.user_membership.remove')!;
    expect(removal.source).toEqual({
      system: 'okta',
      instance: new URL(server.url).host,
      ref: source.uuid,
      url: `${server.url}/api/v1/logs?filter=${encodeURIComponent(`uuid eq "${source.uuid}"`).replace(/%20/g, '+')}`,
    });
    expect(removal.owner).toEqual({
      people: [
        { id: people.carol.id, login: people.carol.login, email: people.carol.email, name: 'Carol Admin' },
      ],
      controlOwner: 'secops@acme.example',
    });
    expect(lifecycle(removal)).toMatchObject({
      eventId: source.uuid,
      target: { id: people.dave.id, login: 'dave.leaver@acme.example' },
      application: { id: org.apps[0]!.id, name: 'Salesforce' },
      outcome: { result: 'SUCCESS', reason: null },
      transactionId: source.transactionId,
    });
    expect(removal.actors).toEqual([
      { role: 'deprovisioning', person: expect.objectContaining({ login: 'dave.leaver@acme.example' }) },
    ]);
    // An automated suspension is Okta's system principal's doing.
    const suspension = result.records.find((r) => lifecycle(r).eventType === 'user.lifecycle.suspend')!;
    expect(suspension.owner.people).toEqual([
      { id: OKTA_SYSTEM.id, login: 'system@okta.com', email: 'system@okta.com', name: 'Okta System' },
    ]);
  });

  it('fails, naming the event, when Okta returns a lifecycle event without a user target', async () => {
    const org = acme();
    const bad = event('user.lifecycle.deactivate', '2026-03-05T10:00:00.000Z', userEntity(people.carol), [
      { id: org.apps[0]!.id, type: 'AppInstance', alternateId: 'Salesforce', displayName: 'Salesforce' },
    ]);
    org.events.push(bad);
    const server = await fake(org);
    const result = await collect(userLifecycle, configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect((result.error as Error).message).toBe(
      `Okta returned System Log event ${bad.uuid} (user.lifecycle.deactivate) without a user target`,
    );
  });

  it('skips an event it does not keep (another type) before reading it as evidence, so its shape cannot fail the run', async () => {
    const org = acme();
    // A policy change has no user target; a collection narrowed to uuids (an event hook's) can still be answered it.
    const other = event('policy.lifecycle.update', '2026-03-05T10:00:00.000Z', userEntity(people.carol), [
      { id: '00p1policy', type: 'PolicyEntity', alternateId: 'unknown', displayName: 'Default Policy' },
    ]);
    org.events.push(other);
    const server = await fake(org);
    const kept = org.events.find((e) => e.eventType === 'user.lifecycle.deactivate')!;
    const result = await collect(userLifecycle, configFor(server), {
      filter: { eventIds: `${kept.uuid},${other.uuid}` },
    });
    expect(result.error).toBeUndefined();
    expect(result.records.map((r) => lifecycle(r).eventId)).toEqual([kept.uuid]);
    // The same with a type the config leaves out, and an event that fell outside the window.
    const narrowed = await collect(
      userLifecycle,
      configFor(server, { collectors: { user_lifecycle: { eventTypes: ['user.lifecycle.suspend'] } } }),
      { filter: { eventIds: `${kept.uuid},${other.uuid}` } },
    );
    expect(narrowed.error).toBeUndefined();
    expect(narrowed.records).toEqual([]);
  });

  it('takes the event types from the config', async () => {
    const server = await fake();
    const result = await collect(
      userLifecycle,
      configFor(server, { collectors: { user_lifecycle: { eventTypes: ['user.lifecycle.deactivate'] } } }),
    );
    expect(result.records.map((r) => lifecycle(r).eventType)).toEqual(['user.lifecycle.deactivate']);
  });
});

describe('the users snapshot collector (okta.users_snapshot)', () => {
  const snapshot = (record: EvidenceRecord) => record.payload as PayloadOf<'okta.users_snapshot'>;

  it('lists every user, the deprovisioned too, with status, dates, admin roles and app assignments', async () => {
    const server = await fake();
    const result = await collect(usersSnapshot, configFor(server));
    expect(result.error).toBeUndefined();
    const record = result.records[0]!;
    expect(record.occurredAt).toBe('2026-03-08T00:00:00.000Z');
    const payload = snapshot(record);
    const org = server.org;
    const [salesforce, github] = org.apps;
    expect(
      payload.users.map((u) => [
        u.person.login,
        u.status,
        u.adminRoles?.map((r) => r.type),
        u.applications.length,
      ]),
    ).toEqual([
      ['alice.smith@acme.example', 'ACTIVE', [], 2],
      ['bob.jones@acme.example', 'ACTIVE', ['READ_ONLY_ADMIN'], 2],
      ['carol.admin@acme.example', 'ACTIVE', ['ORG_ADMIN', 'SUPER_ADMIN'], 1],
      ['dave.leaver@acme.example', 'DEPROVISIONED', [], 0],
      ['erin.contractor@acme.example', 'SUSPENDED', [], 0],
      ['frank.new@acme.example', 'STAGED', [], 0],
    ]);
    const carol = payload.users.find((u) => u.person.login === 'carol.admin@acme.example')!;
    expect(carol).toMatchObject({
      person: { id: people.carol.id, name: 'Carol Admin' },
      created: '2025-06-01T09:00:00.000Z',
      lastLogin: '2026-03-06T08:00:00.000Z',
      statusChanged: '2025-06-01T09:05:00.000Z',
      adminRoles: [
        { type: 'ORG_ADMIN', label: 'Organization Administrator', assignmentType: 'GROUP' },
        { type: 'SUPER_ADMIN', label: 'Super Administrator', assignmentType: 'USER' },
      ],
      applications: [salesforce!.id],
    });
    expect(payload.users.find((u) => u.status === 'STAGED')!.lastLogin).toBeNull();
    expect(payload.applications.map((a) => [a.label, a.assignedUsers])).toEqual([
      ['GitHub Enterprise', 2],
      ['Salesforce', 3],
    ]);
    expect(github).toBeDefined();
    expect(payload.counts).toEqual({
      users: 6,
      byStatus: { ACTIVE: 3, DEPROVISIONED: 1, SUSPENDED: 1, STAGED: 1 },
      admins: 2,
      applications: 2,
    });
    expect(payload.adminsNotInUsers).toEqual([]);
    expect(payload.limitations).toEqual([]);
    // Admin roles are read only for the users who hold one.
    expect(server.received(/^\/api\/v1\/users\/[^/]+\/roles$/)).toHaveLength(2);
  });

  it('records an admin role holder the users list left out, by id with their roles, instead of dropping them', async () => {
    const server = await fake();
    // The active users' list comes back without bob, who holds READ_ONLY_ADMIN (e.g. created while it was paged).
    server.fault({
      path: '/api/v1/users',
      times: 1,
      status: 200,
      body: server.org.users
        .filter((u) => u.status !== 'DEPROVISIONED' && u.id !== people.bob.id)
        .map((u) => userShape(server.url, u)),
    });
    const result = await collect(usersSnapshot, configFor(server));
    expect(result.error).toBeUndefined();
    const payload = snapshot(result.records[0]!);
    expect(payload.users.map((u) => u.person.id)).not.toContain(people.bob.id);
    expect(payload.adminsNotInUsers).toEqual([
      {
        person: { id: people.bob.id },
        adminRoles: [expect.objectContaining({ type: 'READ_ONLY_ADMIN' })],
      },
    ]);
    expect(payload.counts.admins).toBe(2);
    expect(payload.limitations).toEqual([
      `adminRoles: 1 admin role holder(s) not in the users list, recorded by id in adminsNotInUsers: ${people.bob.id}`,
    ]);
  });

  it('says so, instead of failing, when the credentials cannot read admin roles', async () => {
    const server = await fake();
    server.fault({
      path: '/api/v1/iam/assignees/users',
      status: 403,
      body: {
        errorCode: 'E0000006',
        errorSummary: 'You do not have permission to perform the requested action',
        errorCauses: [],
      },
    });
    const result = await collect(usersSnapshot, configFor(server));
    expect(result.error).toBeUndefined();
    const payload = snapshot(result.records[0]!);
    expect(payload.users.every((u) => u.adminRoles === null)).toBe(true);
    expect(payload.counts.admins).toBeNull();
    expect(payload.limitations).toEqual([
      expect.stringMatching(
        /^adminRoles: not readable with these credentials \(Okta refused GET \/api\/v1\/iam\/assignees\/users\?limit=100 \(403 .*\): missing permission/,
      ),
    ]);
  });
});

describe('the access reviews collector (okta.access_review)', () => {
  const review = (record: EvidenceRecord) => record.payload as PayloadOf<'okta.access_review'>;

  it('records each campaign completed in the window with every review, dated at its end', async () => {
    const server = await fake();
    const result = await collect(accessReviews, configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(1);
    const record = result.records[0]!;
    const campaign = server.org.governance!.campaigns[0]!;
    // Okta gave the end with an offset (16:00 at -08:00): records keep UTC.
    expect(record.occurredAt).toBe('2026-03-05T00:00:00.000Z');
    const payload = review(record);
    expect(payload.campaign).toEqual({
      id: campaign.id,
      name: 'Q1 Salesforce access review',
      description: 'Q1 Salesforce access review access certification',
      status: 'COMPLETED',
      scheduleType: 'ONE_OFF',
      reviewerType: 'USER',
      startDate: '2026-02-20T00:00:00.000Z',
      endDate: '2026-03-05T00:00:00.000Z',
      recurringCampaignId: null,
      createdBy: people.carol.id,
      remediation: { accessApproved: 'NO_ACTION', accessRevoked: 'DENY', noResponse: 'NO_ACTION' },
    });
    expect(
      payload.reviews.map((r) => [
        r.principal.login,
        r.reviewer?.login,
        r.decision,
        r.decidedAt,
        r.remediationStatus,
      ]),
    ).toEqual([
      ['erin.contractor@acme.example', 'carol.admin@acme.example', 'UNREVIEWED', null, 'NONE'],
      ['alice.smith@acme.example', 'carol.admin@acme.example', 'APPROVE', '2026-02-25T10:00:00.000Z', 'NONE'],
      ['bob.jones@acme.example', 'carol.admin@acme.example', 'REVOKE', '2026-02-26T10:00:00.000Z', 'SUCCESS'],
      ['dave.leaver@acme.example', 'carol.admin@acme.example', 'REVOKE', '2026-02-27T10:00:00.000Z', 'OPEN'],
    ]);
    expect(payload.facts).toEqual({
      reviews: 4,
      approved: 1,
      revoked: 2,
      unreviewed: 1,
      allDecided: false,
      revokedAndRemediated: 1,
      revokedNotRemediated: 1,
    });
    expect(record.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
    expect(record.source.ref).toBe(`campaign:${campaign.id}`);
    expect(result.drafts[0]!.requests.map((r) => r.path.split('?')[0])).toEqual([
      '/governance/api/v1/campaigns',
      `/governance/api/v1/campaigns/${campaign.id}`,
      '/governance/api/v1/reviews',
    ]);
    expect(result.cursor).toMatchObject({ governance: 'available' });
  });

  it("leaves out a review Okta lists for another campaign: it is not this campaign's evidence and would skew its facts", async () => {
    const server = await fake();
    const [completed, other] = server.org.governance!.campaigns as [FakeCampaign, FakeCampaign];
    const foreign = { ...other.reviews[0]!, decision: 'APPROVE' as const, id: 'icr-foreign' };
    server.fault({
      path: '/governance/api/v1/reviews',
      status: 200,
      body: {
        data: [
          ...completed.reviews.map((r) => reviewShape(server.url, completed.id, r)),
          reviewShape(server.url, other.id, foreign),
        ],
        _links: { self: { href: `${server.url}/governance/api/v1/reviews` } },
      },
    });
    const result = await collect(accessReviews, configFor(server));
    expect(result.error).toBeUndefined();
    const payload = review(result.records[0]!);
    expect(payload.reviews.map((r) => r.id)).toEqual(expect.not.arrayContaining(['icr-foreign']));
    expect(payload.facts.reviews).toBe(completed.reviews.length);
    expect(payload.facts.approved).toBe(1);
    expect(
      result.logs.some(
        (l) => l.level === 'warn' && l.message.includes(`review icr-foreign of campaign ${other.id}`),
      ),
    ).toBe(true);
  });

  it('leaves running campaigns for the run after they complete, and old ones to the runs that saw them', async () => {
    const server = await fake();
    const running = server.org.governance!.campaigns[1]!;
    const result = await collect(accessReviews, configFor(server));
    expect(result.records.map((r) => review(r).campaign.name)).toEqual(['Q1 Salesforce access review']);
    // Okta is asked for completed campaigns only.
    expect(server.received('/governance/api/v1/campaigns')[0]!.path).toContain(
      'filter=status+eq+%22COMPLETED%22',
    );
    running.status = 'COMPLETED';
    const later = await collect(accessReviews, configFor(server), {
      now: '2026-03-21T01:00:00.000Z',
      window: { since: '2026-03-20T00:00:00.000Z', until: '2026-03-21T00:00:00.000Z' },
    });
    expect(later.records.map((r) => [review(r).campaign.name, r.occurredAt])).toEqual([
      ['Q1 GitHub access review', '2026-03-20T00:00:00.000Z'],
    ]);
  });

  for (const missing of [404, 401] as const) {
    it(`treats an org without Okta Identity Governance (${missing}) as "not available": logged, no records, no failure`, async () => {
      const server = await fake(acme({ governance: false }), { governanceMissing: missing });
      const result = await collect(accessReviews, configFor(server));
      expect(result.error).toBeUndefined();
      expect(result.records).toEqual([]);
      expect(result.cursor).toMatchObject({
        governance: 'not_available',
        checkedAt: '2026-03-08T06:30:00.000Z',
      });
      const warning = result.logs.find((l) => l.level === 'warn')!;
      expect(warning.message).toMatch(/^Okta Identity Governance is not available in this org/);
      expect(warning.message).toContain(missing === 404 ? 'E0000007' : 'E0000015');
      expect(server.requests).toHaveLength(1);
    });
  }

  it('still fails on an expired token: that is not an org without governance', async () => {
    const server = await fake();
    server.fault({ path: '/governance/api/v1/campaigns', ...invalidToken() });
    const result = await collect(accessReviews, configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
  });

  it('makes no request at all when governance is switched off in the config', async () => {
    const server = await fake();
    const result = await collect(
      accessReviews,
      configFor(server, { collectors: { access_reviews: { governance: false } } }),
    );
    expect(result.error).toBeUndefined();
    expect(server.requests).toEqual([]);
  });
});

describe('Okta event hooks', () => {
  it('turn a delivered lifecycle event into a collection that writes the same record as the scheduled one', async () => {
    const server = await fake();
    const config = parseOktaConfig(configFor(server));
    const deactivation = server.org.events.find((e) => e.eventType === 'user.lifecycle.deactivate')!;
    const polled = await collect(userLifecycle, configFor(server));
    const fromLog = polled.records.find((r) => r.source.ref === deactivation.uuid)!;
    const session = server.org.events.find((e) => e.eventType === 'user.session.start')!;
    const logged = (await (
      await fetch(`${server.url}/api/v1/logs?limit=1000`, { headers: { authorization: `SSWS ${TOKEN}` } })
    ).json()) as {
      uuid: string;
    }[];
    const outcome = handleWebhook(
      {
        event: 'com.okta.event_hook',
        deliveryId: 'delivery-1',
        receivedAt: '2026-03-03T15:00:02.000Z',
        payload: {
          eventType: 'com.okta.event_hook',
          eventTypeVersion: '1.0',
          data: { events: logged.filter((e) => e.uuid === deactivation.uuid || e.uuid === session.uuid) },
        },
      },
      config,
    );
    expect(outcome.emit).toEqual([]);
    expect(outcome.collect).toEqual([
      {
        collector: 'user_lifecycle',
        window: {
          since: deactivation.published,
          until: new Date(Date.parse(deactivation.published) + 1).toISOString(),
        },
        filter: { eventIds: deactivation.uuid },
      },
    ]);
    const [request] = outcome.collect;
    const hooked = await collect(userLifecycle, configFor(server), {
      window: request!.window!,
      filter: request!.filter!,
    });
    expect(hooked.records).toHaveLength(1);
    const record = hooked.records[0]!;
    expect([record.id, record.kind, record.occurredAt, record.source, record.payload]).toEqual([
      fromLog.id,
      fromLog.kind,
      fromLog.occurredAt,
      fromLog.source,
      fromLog.payload,
    ]);
    expect(
      handleWebhook(
        { event: 'x', deliveryId: 'd', receivedAt: '2026-03-03T15:00:02.000Z', payload: {} },
        config,
      ),
    ).toEqual({ emit: [], collect: [] });
  });
});
