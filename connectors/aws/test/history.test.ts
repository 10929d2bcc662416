import { closedAfterEach } from '@crosswalk/connector-testkit';
import { describe, expect, it } from 'vitest';
import { awsConnector } from '../src/index.js';
import { accessKey, acme, collect, configFor, iamUser, PROD, startFake, trailEvent } from './helpers.js';

const collector = (id: string) => awsConnector.collectors.find((c) => c.id === id)!;
const start = closedAfterEach(startFake);
const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}`;

/**
 * Three days of a changing production account, each day's snapshot, report and changes read as the daily runs
 * would: known answers per day.
 * - day 17: as acme() (alice, bob, ci-deployer);
 * - day 18: bob's key deactivated by alice (09:00) and bob's user deleted (10:00, after his login profile);
 *   hana joins without MFA;
 * - day 19: hana enables MFA; a denied DeleteUser of ci-deployer by hana.
 */
describe('a production account over three days', () => {
  it('gives each day the known users, console-without-MFA count and removals', async () => {
    const organization = acme();
    organization.accounts = [organization.accounts[0]!];
    const production = organization.accounts[0]!;
    production.reportPolls = 0;
    const fake = await start(organization);
    const config = configFor(fake, { accounts: [{ accountId: PROD }], identityCenter: undefined });
    const daily = async (d: number) => {
      const now = `${day(d)}T06:00:00.000Z`;
      production.reportGeneratedAt = now;
      const window = { since: `${day(d - 1)}T00:00:00.000Z`, until: `${day(d)}T00:00:00.000Z` };
      const users = await collect(collector('users_snapshot'), config, { now, window });
      const report = await collect(collector('credential_report'), config, { now, window });
      const changes = await collect(collector('iam_changes'), config, { now, window });
      for (const result of [users, report, changes]) expect(result.error).toBeUndefined();
      const snapshot = users.records[0]!.payload as { users: { userName: string }[] };
      const counts = (report.records[0]!.payload as { counts: Record<string, unknown> }).counts;
      return {
        users: snapshot.users.map((u) => u.userName),
        passwordWithoutMfa: counts.passwordWithoutMfa,
        activeAccessKeys: counts.activeAccessKeys,
        changes: changes.records.map((r) => {
          const p = r.payload as {
            action: string;
            target: { login: string } | null;
            errorCode: string | null;
          };
          return [r.occurredAt, p.action, p.target?.login ?? null, p.errorCode];
        }),
      };
    };

    production.events = [];
    expect(await daily(17)).toEqual({
      users: ['alice@acme.example', 'bob', 'ci-deployer'],
      passwordWithoutMfa: 1,
      activeAccessKeys: 3,
      changes: [],
    });

    const bob = production.users.find((u) => u.name === 'bob')!;
    bob.keys[0]!.active = false;
    production.users = production.users.filter((u) => u !== bob);
    production.users.push(iamUser('hana', { mfa: false, createdAt: '2026-03-17T11:00:00Z' }));
    const alice = { userName: 'alice@acme.example' };
    production.events.push(
      trailEvent(PROD, 'UpdateAccessKey', '2026-03-17T09:00:00Z', alice, {
        userName: 'bob',
        status: 'Inactive',
        accessKeyId: bob.keys[0]!.id,
      }),
      trailEvent(PROD, 'DeleteLoginProfile', '2026-03-17T09:59:00Z', alice, { userName: 'bob' }),
      trailEvent(PROD, 'DeleteAccessKey', '2026-03-17T09:59:30Z', alice, {
        userName: 'bob',
        accessKeyId: bob.keys[0]!.id,
      }),
      trailEvent(PROD, 'DeleteUser', '2026-03-17T10:00:00Z', alice, { userName: 'bob' }),
    );
    expect(await daily(18)).toEqual({
      users: ['alice@acme.example', 'ci-deployer', 'hana'],
      passwordWithoutMfa: 1, // hana now, bob gone
      activeAccessKeys: 2,
      changes: [
        ['2026-03-17T10:00:00.000Z', 'DeleteUser', 'bob', null],
        ['2026-03-17T09:59:30.000Z', 'DeleteAccessKey', 'bob', null],
        ['2026-03-17T09:59:00.000Z', 'DeleteLoginProfile', 'bob', null],
        ['2026-03-17T09:00:00.000Z', 'UpdateAccessKey:Inactive', 'bob', null],
      ],
    });

    production.users.find((u) => u.name === 'hana')!.mfa = true;
    production.users
      .find((u) => u.name === 'ci-deployer')!
      .keys.push(accessKey({ lastRotated: '2026-03-18T12:00:00Z' }));
    production.users.find((u) => u.name === 'ci-deployer')!.keys.splice(1, 1);
    production.events.push(
      trailEvent(
        PROD,
        'DeleteUser',
        '2026-03-18T15:00:00Z',
        { userName: 'hana' },
        { userName: 'ci-deployer' },
        { errorCode: 'AccessDenied' },
      ),
    );
    expect(await daily(19)).toEqual({
      users: ['alice@acme.example', 'ci-deployer', 'hana'],
      passwordWithoutMfa: 0,
      activeAccessKeys: 3,
      changes: [['2026-03-18T15:00:00.000Z', 'DeleteUser', 'ci-deployer', 'AccessDenied']],
    });
    expect(fake.violations).toEqual([]);
  });
});
