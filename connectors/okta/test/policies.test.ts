import { closedAfterEach } from '@crosswalk/connector-testkit';
import { type EvidenceRecord, evidenceId, isCrosswalkError, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, policies } from '../src/collectors/policies.js';
import { event, userEntity } from '../src/sandbox/index.js';
import { logEvent } from '../src/sandbox/templates.js';
import { acme, collect, configFor, NOW, people, startFake } from './helpers.js';

type Payload = PayloadOf<'okta.policy'>;

const fake = closedAfterEach((org: ReturnType<typeof acme> = acme()) => startFake(org));

const payloadOf = (record: EvidenceRecord) => record.payload as Payload;
const TOMORROW = '2026-03-09T05:00:00.000Z';

describe('the policies collector (okta.policy)', () => {
  it("takes one snapshot of the day: the four policy types with their rules, and the org's authenticators", async () => {
    const server = await fake();
    const result = await collect(policies, configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(1);
    const record = result.records[0]!;
    expect(record.occurredAt).toBe('2026-03-08T00:00:00.000Z');
    const payload = payloadOf(record);
    expect(payload.policyTypes).toEqual(['OKTA_SIGN_ON', 'PASSWORD', 'MFA_ENROLL', 'ACCESS_POLICY']);
    expect(payload.policies.map((p) => [p.type, p.name, p.rules.map((r) => r.name)])).toEqual([
      ['ACCESS_POLICY', 'Any two factors', ['Require 2FA', 'Catch-all Rule']],
      ['MFA_ENROLL', 'Default MFA enrollment', ['Default Rule']],
      ['OKTA_SIGN_ON', 'Default Policy', ['MFA everywhere', 'Office network']],
      ['PASSWORD', 'Default Password Policy', ['Default Rule']],
    ]);
    // Okta's settings as Okta sent them: auditors read minLength, lockout, enrollment themselves.
    const password = payload.policies.find((p) => p.type === 'PASSWORD')!;
    expect(password.settings).toMatchObject({
      password: { complexity: { minLength: 12 }, lockout: { maxAttempts: 10 } },
    });
    expect(payload.authenticators.map((a) => [a.key, a.status])).toEqual([
      ['okta_email', 'ACTIVE'],
      ['okta_password', 'ACTIVE'],
      ['okta_verify', 'ACTIVE'],
      ['phone_number', 'INACTIVE'],
      ['webauthn', 'ACTIVE'],
    ]);
    expect(record.source).toMatchObject({ system: 'okta', ref: `${new URL(server.url).host}:policies` });
  });

  it('says which rules let a user in with one factor, so "was MFA enforced" has an answer per day', async () => {
    const server = await fake();
    const payload = payloadOf((await collect(policies, configFor(server))).records[0]!);
    const rules = payload.policies.flatMap((p) =>
      p.rules.map((r) => [p.type, r.name, r.access, r.requiresMfa]),
    );
    expect(rules).toEqual([
      ['ACCESS_POLICY', 'Require 2FA', 'ALLOW', true],
      ['ACCESS_POLICY', 'Catch-all Rule', 'DENY', null],
      ['MFA_ENROLL', 'Default Rule', null, null],
      ['OKTA_SIGN_ON', 'MFA everywhere', 'ALLOW', true],
      ['OKTA_SIGN_ON', 'Office network', 'ALLOW', false],
      ['PASSWORD', 'Default Rule', null, null],
    ]);
    expect(payload.rulesAllowingSingleFactor.map((r) => [r.policyName, r.ruleName])).toEqual([
      ['Default Policy', 'Office network'],
    ]);
  });

  it('names who last changed each policy from policy.* System Log events, and makes them the owner', async () => {
    const server = await fake();
    const result = await collect(policies, configFor(server));
    const record = result.records[0]!;
    const payload = payloadOf(record);
    expect(server.received('/api/v1/logs')[0]!.path).toContain(
      encodeURIComponent('eventType sw "policy."').replace(/%20/g, '+'),
    );
    expect(payload.changeEvents.map((e) => [e.eventType, e.actor?.login, e.targetName])).toEqual([
      ['policy.lifecycle.update', 'carol.admin@acme.example', 'Default Policy'],
      ['policy.rule.update', 'carol.admin@acme.example', 'Require 2FA'],
    ]);
    const access = payload.policies.find((p) => p.type === 'ACCESS_POLICY')!;
    expect(access.lastChange).toMatchObject({
      eventType: 'policy.rule.update',
      at: '2026-03-04T11:00:00.000Z',
      ruleId: access.rules[0]!.id,
    });
    expect(payload.policies.find((p) => p.type === 'PASSWORD')!.lastChange).toBeNull();
    expect(record.owner).toEqual({
      people: [expect.objectContaining({ login: 'carol.admin@acme.example' })],
      controlOwner: 'secops@acme.example',
    });
    // Every request behind the snapshot is cited, each with Okta's request id.
    expect(result.drafts[0]!.requests.length).toBe(server.requests.length);
    expect(result.drafts[0]!.requests.every((r) => r.requestId?.startsWith('XfakeOkta'))).toBe(true);
  });

  it('keeps only policy events of the window, whatever else the System Log answers, as changes and owners', async () => {
    const org = acme();
    const server = await fake(org);
    const inWindow = org.events.filter((e) => e.eventType.startsWith('policy.'));
    // An answer wider than the query asked for: a user event from before the window, by another actor.
    const stray = event('user.lifecycle.deactivate', '2026-02-20T10:00:00.000Z', userEntity(people.bob), [
      userEntity(people.dave),
    ]);
    const outOfWindowPolicy = event(
      'policy.lifecycle.update',
      '2026-03-09T10:00:00.000Z',
      userEntity(people.bob),
      [
        {
          id: org.policies[0]!.id,
          type: 'PolicyEntity',
          alternateId: 'unknown',
          displayName: org.policies[0]!.name,
        },
      ],
    );
    server.fault({
      path: '/api/v1/logs',
      status: 200,
      body: [stray, ...inWindow, outOfWindowPolicy].map(logEvent),
    });
    const result = await collect(policies, configFor(server));
    expect(result.error).toBeUndefined();
    const payload = payloadOf(result.records[0]!);
    expect(payload.changeEvents.map((e) => e.eventId).sort()).toEqual(inWindow.map((e) => e.uuid).sort());
    expect(result.records[0]!.owner.people).toEqual([
      expect.objectContaining({ login: 'carol.admin@acme.example' }),
    ]);
  });

  it('files a same-day rerun under the same id, so it stores nothing new and keeps the first run as the baseline', async () => {
    const server = await fake();
    const stored = new Set<string>();
    const first = await collect(policies, configFor(server), { stored });
    const again = await collect(policies, configFor(server), {
      stored,
      cursor: first.cursor,
      now: '2026-03-08T18:00:00.000Z',
    });
    expect(again.records[0]!.id).toBe(first.records[0]!.id);
    expect(stored.size).toBe(1);
    expect(payloadOf(first.records[0]!).previousSnapshot).toBeNull();
    expect(payloadOf(first.records[0]!).changedSincePrevious).toBeNull();
    expect(again.cursor).toMatchObject({ latest: { id: first.records[0]!.id } });
  });

  it("points at the previous day's snapshot and lists what changed since, and who changed it", async () => {
    const org = acme();
    const server = await fake(org);
    const stored = new Set<string>();
    const today = await collect(policies, configFor(server), { stored });
    const todayRecord = today.records[0]!;

    // Overnight carol drops the MFA requirement of the sign-on rule, and deactivates the phone authenticator.
    const signOn = org.policies.find((p) => p.type === 'OKTA_SIGN_ON')!;
    const mfaRule = signOn.rules[0]!;
    mfaRule.actions = { signon: { access: 'ALLOW', requireFactor: false, primaryFactor: 'PASSWORD_IDP' } };
    mfaRule.lastUpdated = '2026-03-08T22:15:00.000Z';
    org.authenticators.find((a) => a.key === 'webauthn')!.status = 'INACTIVE';
    org.events.push(
      event('policy.rule.update', '2026-03-08T22:15:00.000Z', userEntity(people.carol), [
        { id: mfaRule.id, type: 'PolicyRule', alternateId: 'unknown', displayName: mfaRule.name },
      ]),
    );
    const window = { since: '2026-03-08T00:00:00.000Z', until: '2026-03-09T05:00:00.000Z' };
    const tomorrow = await collect(policies, configFor(server), {
      stored,
      cursor: today.cursor,
      now: TOMORROW,
      window,
    });
    expect(tomorrow.error).toBeUndefined();
    const record = tomorrow.records[0]!;
    expect(record.occurredAt).toBe('2026-03-09T00:00:00.000Z');
    const payload = payloadOf(record);
    expect(payload.previousSnapshot).toEqual({
      id: todayRecord.id,
      occurredAt: '2026-03-08T00:00:00.000Z',
      contentSha256: payloadOf(todayRecord).contentSha256,
    });
    expect(todayRecord.id).toBe(evidenceId('okta.policy', todayRecord.source, '2026-03-08T00:00:00.000Z'));
    expect(payload.changedSincePrevious).toEqual([
      {
        subject: 'rule',
        id: mfaRule.id,
        name: 'MFA everywhere',
        policyId: signOn.id,
        change: 'modified',
        fields: ['actions', 'lastUpdated', 'requiresMfa'],
      },
      {
        subject: 'authenticator',
        id: org.authenticators.find((a) => a.key === 'webauthn')!.id,
        name: 'Security Key or Biometric',
        policyId: null,
        change: 'modified',
        fields: ['status'],
      },
    ]);
    expect(payload.rulesAllowingSingleFactor.map((r) => r.ruleName)).toEqual([
      'MFA everywhere',
      'Office network',
    ]);
    // The rule event names only the rule; the collector knows its policy.
    expect(payload.policies.find((p) => p.id === signOn.id)!.lastChange).toMatchObject({
      ruleId: mfaRule.id,
      policyId: signOn.id,
    });
    expect(record.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
  });

  it('remembers who last changed a policy after the event has left the window', async () => {
    const server = await fake();
    const first = await collect(policies, configFor(server));
    const later = await collect(policies, configFor(server), {
      cursor: first.cursor,
      now: '2026-03-20T01:00:00.000Z',
      window: { since: '2026-03-19T00:00:00.000Z', until: '2026-03-20T01:00:00.000Z' },
    });
    const payload = payloadOf(later.records[0]!);
    expect(payload.changeEvents).toEqual([]);
    expect(payload.policies.find((p) => p.type === 'ACCESS_POLICY')!.lastChange?.eventType).toBe(
      'policy.rule.update',
    );
    expect(payload.changedSincePrevious).toEqual([]);
    expect(later.records[0]!.owner.people.map((p) => p.login)).toEqual(['carol.admin@acme.example']);
  });

  it('lists added and removed rules as such', () => {
    const digest = (name: string, status: string) => ({
      subject: 'rule' as const,
      name,
      policyId: 'p1',
      fields: { status },
    });
    expect(
      diffSnapshots(
        { 'rule:a': digest('A', 'x'), 'rule:b': digest('B', 'x') },
        { 'rule:b': digest('B', 'x'), 'rule:c': digest('C', 'x') },
      ),
    ).toEqual([
      { subject: 'rule', id: 'a', name: 'A', policyId: 'p1', change: 'removed', fields: [] },
      { subject: 'rule', id: 'c', name: 'C', policyId: 'p1', change: 'added', fields: [] },
    ]);
  });

  it('fails, naming the policy, when Okta returns a rule without an id', async () => {
    const org = acme();
    const server = await fake(org);
    server.fault({
      path: new RegExp(`^/api/v1/policies/${org.policies[2]!.id}/rules$`),
      status: 200,
      body: [{ name: 'nameless', type: 'PASSWORD' }],
    });
    const result = await collect(policies, configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect((result.error as Error).message).toBe(
      `Okta returned rule (no id) of policy ${org.policies[2]!.id} without an id`,
    );
    expect(result.records).toEqual([]);
  });

  it('notes what an Okta Classic Engine org lacks (access policies, authenticators) instead of failing', async () => {
    const server = await fake();
    server.fault({
      path: '/api/v1/policies',
      query: { type: 'ACCESS_POLICY' },
      status: 400,
      body: {
        errorCode: 'E0000001',
        errorSummary: 'Api validation failed: type',
        errorCauses: [{ errorSummary: 'Invalid policy type.' }],
      },
    });
    server.fault({
      path: '/api/v1/authenticators',
      status: 401,
      body: {
        errorCode: 'E0000015',
        errorSummary: 'You do not have permission to access the feature you are requesting',
        errorCauses: [],
      },
    });
    const result = await collect(policies, configFor(server));
    expect(result.error).toBeUndefined();
    const payload = payloadOf(result.records[0]!);
    expect(payload.policies.map((p) => p.type)).toEqual(['MFA_ENROLL', 'OKTA_SIGN_ON', 'PASSWORD']);
    expect(payload.authenticators).toEqual([]);
    expect(payload.limitations).toEqual([
      expect.stringMatching(
        /^ACCESS_POLICY policies: not available in this org \(Okta answered 400 E0000001 Api validation failed: type; Invalid policy type\./,
      ),
      expect.stringMatching(
        /^authenticators: not available in this org \(Okta rejected the credentials \(401 E0000015/,
      ),
    ]);
  });

  it('still fails when the token is rejected: that is not a missing feature', async () => {
    const server = await fake();
    server.fault({
      path: '/api/v1/authenticators',
      status: 401,
      body: { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorCauses: [] },
    });
    const result = await collect(policies, configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
  });

  it('is filed at the start of the UTC day it was taken', async () => {
    const server = await fake();
    const result = await collect(policies, configFor(server), { now: NOW });
    expect(result.records[0]!.occurredAt).toBe('2026-03-08T00:00:00.000Z');
  });
});
