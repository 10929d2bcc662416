import { closedAfterEach } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { policies } from '../src/collectors/policies.js';
import { collect, configFor, contoso, POLICIES, people, policyAudit, startFake } from './helpers.js';

const start = closedAfterEach(startFake);

interface PolicyPayload {
  conditionalAccessPolicies: {
    id: string;
    displayName: string;
    state: string;
    requiresMfa: boolean;
    lastChange: { actor: { login: string } } | null;
  }[];
  authenticationMethodsPolicy: { methods: { id: string; type: string; state: string }[] } | null;
  mfaForAllUsers: { displayName: string }[];
  previousSnapshot: { id: string } | null;
  changedSincePrevious: { subject: string; name: string | null; change: string; fields: string[] }[] | null;
  changeEvents: { activity: string; actor: { login: string } | null; policyId: string | null }[];
  limitations: string[];
}

describe('entra.policy', () => {
  it('snapshots Conditional Access and the methods policy, and names who changed a policy', async () => {
    const fake = await start(contoso());
    const { records, error, cursor } = await collect(policies, configFor(fake));
    expect(error).toBeUndefined();
    expect(records).toHaveLength(1);
    expect(records[0]!.occurredAt).toBe('2026-03-08T00:00:00.000Z');
    const payload = records[0]!.payload as never as PolicyPayload;
    expect(payload.conditionalAccessPolicies.map((p) => [p.displayName, p.state, p.requiresMfa])).toEqual([
      ['Block legacy authentication', 'enabled', false],
      ['MFA for guests (report only)', 'enabledForReportingButNotEnforced', true],
      ['Require MFA for everyone', 'enabled', true],
    ]);
    // Report-only and block policies do not enforce MFA for everyone; the one enabled MFA policy for All users does.
    expect(payload.mfaForAllUsers.map((p) => p.displayName)).toEqual(['Require MFA for everyone']);
    expect(payload.authenticationMethodsPolicy!.methods.map((m) => [m.id, m.type, m.state])).toEqual([
      ['Fido2', 'fido2AuthenticationMethodConfiguration', 'enabled'],
      ['MicrosoftAuthenticator', 'microsoftAuthenticatorAuthenticationMethodConfiguration', 'enabled'],
      ['Sms', 'smsAuthenticationMethodConfiguration', 'disabled'],
    ]);
    const mfa = payload.conditionalAccessPolicies.find((p) => p.displayName === 'Require MFA for everyone')!;
    expect(mfa.lastChange?.actor?.login).toBe(people.carol.userPrincipalName);
    expect(payload.changeEvents.map((e) => e.activity)).toEqual(['Update conditional access policy']);
    expect(records[0]!.owner.people).toEqual([
      { id: people.carol.id, login: people.carol.userPrincipalName },
    ]);
    expect(payload.previousSnapshot).toBeNull();
    expect(payload.changedSincePrevious).toBeNull();
    expect(cursor).toBeDefined();
  });

  it('lists what changed since the previous day, with who changed it', async () => {
    const tenant = contoso();
    const fake = await start(tenant);
    const first = await collect(policies, configFor(fake));
    expect(first.error).toBeUndefined();
    // Overnight alice turns the MFA policy to report-only and enables SMS; the audit log says so.
    const mfa = tenant.conditionalAccess!.find((p) => p.id === POLICIES.mfaForEveryone.id)!;
    mfa.state = 'enabledForReportingButNotEnforced';
    const methods = tenant.authenticationMethodsPolicy!.authenticationMethodConfigurations as {
      id: string;
      state: string;
    }[];
    methods.find((m) => m.id === 'Sms')!.state = 'enabled';
    tenant.audits.push(
      policyAudit('Update conditional access policy', '2026-03-08T19:00:00Z', mfa, people.alice),
      policyAudit(
        'Authentication Methods Policy Update',
        '2026-03-08T19:05:00Z',
        tenant.authenticationMethodsPolicy!,
        people.alice,
      ),
    );
    const second = await collect(policies, configFor(fake), {
      now: '2026-03-09T06:30:00.000Z',
      window: { since: '2026-03-08T00:00:00.000Z', until: '2026-03-09T00:00:00.000Z' },
      cursor: first.cursor,
    });
    expect(second.error).toBeUndefined();
    const payload = second.records[0]!.payload as never as PolicyPayload;
    expect(payload.previousSnapshot?.id).toBe(first.records[0]!.id);
    expect(payload.changedSincePrevious).toEqual([
      { subject: 'authentication_method', id: 'Sms', name: 'Sms', change: 'modified', fields: ['state'] },
      {
        subject: 'conditional_access_policy',
        id: POLICIES.mfaForEveryone.id,
        name: 'Require MFA for everyone',
        change: 'modified',
        fields: ['state'],
      },
    ]);
    expect(payload.mfaForAllUsers).toEqual([]);
    expect(payload.changeEvents.map((e) => [e.activity, e.actor?.login, e.policyId])).toEqual([
      ['Update conditional access policy', people.alice.userPrincipalName, POLICIES.mfaForEveryone.id],
      ['Authentication Methods Policy Update', people.alice.userPrincipalName, 'authenticationMethodsPolicy'],
    ]);
    expect(second.records[0]!.owner.people.map((p) => p.login)).toEqual([people.alice.userPrincipalName]);

    // A rerun the same day stores nothing new and still compares with the day before.
    const rerun = await collect(policies, configFor(fake), {
      now: '2026-03-09T12:00:00.000Z',
      window: { since: '2026-03-08T00:00:00.000Z', until: '2026-03-09T00:00:00.000Z' },
      cursor: second.cursor,
      stored: new Set([second.records[0]!.id]),
    });
    expect(rerun.records[0]!.id).toBe(second.records[0]!.id);
    expect((rerun.records[0]!.payload as never as PolicyPayload).previousSnapshot?.id).toBe(
      first.records[0]!.id,
    );
  });

  it('records why Conditional Access is missing in a tenant without P1, and does not fail', async () => {
    const fake = await start(contoso({ premium: false }));
    const { records, error } = await collect(policies, configFor(fake));
    expect(error).toBeUndefined();
    const payload = records[0]!.payload as never as PolicyPayload;
    expect(payload.conditionalAccessPolicies).toEqual([]);
    expect(payload.authenticationMethodsPolicy).not.toBeNull();
    expect(payload.limitations.join('\n')).toContain(
      'conditionalAccessPolicies: the tenant has no Microsoft Entra ID P1/P2 licence',
    );
  });
});
