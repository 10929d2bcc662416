import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, kindDeclaration } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { awsConnector } from '../src/index.js';
import {
  acme,
  collect,
  configFor,
  credentialReportCsv,
  errorText,
  PROD,
  SECRETS,
  STAGING,
  startFake,
} from './helpers.js';

const collector = (id: string) => awsConnector.collectors.find((c) => c.id === id)!;
const start = closedAfterEach(startFake);

describe('credential_report', () => {
  it('reads each account’s report strictly, after IAM finishes writing it, with the known counts', async () => {
    const fake = await start();
    const result = await collect(collector('credential_report'), configFor(fake));
    expect(result.error).toBeUndefined();
    const [production, staging] = result.records.map((r) => r.payload as Record<string, any>);
    expect(production!.accountId).toBe(PROD);
    expect(production!.generatedAt).toBe('2026-03-16T06:00:00.000Z');
    expect(production!.counts).toEqual({
      users: 3,
      passwordEnabled: 2,
      passwordWithoutMfa: 1, // bob
      activeAccessKeys: 3, // alice, bob, ci-deployer's first
      activeKeysOlderThan90Days: 1, // bob's, rotated 2025-06-01
      activeKeysUnused90Days: 1, // bob's, never used
      rootMfaActive: true,
      rootActiveAccessKeys: 0,
    });
    const ci = production!.users.find((u: { user: string }) => u.user === 'ci-deployer');
    expect(ci.passwordEnabled).toBe(false);
    expect(ci.accessKeys).toEqual([
      {
        slot: 1,
        active: true,
        lastRotated: '2026-03-01T00:00:00.000Z',
        lastUsed: '2026-03-15T23:00:00.000Z',
        lastUsedRegion: 'us-east-1',
        lastUsedService: 'ecr',
      },
      {
        slot: 2,
        active: false,
        lastRotated: '2025-01-01T00:00:00.000Z',
        lastUsed: null,
        lastUsedRegion: null,
        lastUsedService: null,
      },
    ]);
    expect(staging!.accountId).toBe(STAGING);
    expect(staging!.counts.rootMfaActive).toBe(false);
    expect(staging!.counts.rootActiveAccessKeys).toBe(1);
    // IAM needed two polls in production (STARTED, INPROGRESS, then COMPLETE) and none in staging.
    expect(fake.calledFor('iam:GenerateCredentialReport')).toBe(4);
    expect(fake.calledFor('iam:GetCredentialReport')).toBe(2);
    expect(result.records[0]!.occurredAt).toBe('2026-03-16T06:00:00.000Z');
    expect(fake.violations).toEqual([]);
  });

  it('assumes the staging account’s role with its external id and reads staging with the session key', async () => {
    const fake = await start();
    const result = await collect(collector('credential_report'), configFor(fake));
    expect(result.error).toBeUndefined();
    expect([...fake.sessions.values()]).toEqual([
      {
        accountId: STAGING,
        roleArn: `arn:aws:iam::${STAGING}:role/CrosswalkAudit`,
        externalId: 'crosswalk-acme',
      },
    ]);
    const staging = fake.requests.filter((r) => /Credential=ASIA/.test(r.authorization ?? ''));
    expect(staging.map((r) => new URLSearchParams(String(r.body)).get('Action'))).toEqual([
      'GenerateCredentialReport',
      'GetCredentialReport',
    ]);
    for (const record of result.records) expect(JSON.stringify(record)).not.toContain('session-secret');
  });

  it.each([
    [
      'a renamed column',
      (csv: string) => csv.replace('mfa_active', 'mfa_enabled'),
      /column 8 is "mfa_enabled", expected "mfa_active"/,
    ],
    [
      'a missing column',
      (csv: string) => csv.replace(',cert_2_last_rotated', ''),
      /Invalid Record Length|cannot be read/,
    ],
    [
      'a value off its column',
      (csv: string) => csv.replace(/^(bob,[^,]+,[^,]+,)true/m, '$1yes'),
      /line 4, column password_enabled: "yes" is not true or false/,
    ],
    [
      'a time that is no time',
      (csv: string) => csv.replace('2025-06-01T10:00:00+00:00', 'June 2025'),
      /column access_key_1_last_rotated: "June 2025" is not a time/,
    ],
    ['no root row', (csv: string) => csv.replace(/^<root_account>.*\n/m, ''), /0 root account rows/],
  ])('refuses a report with %s, naming where (CW_SOURCE_DATA)', async (_, edit, message) => {
    const organization = acme();
    const production = organization.accounts[0]!;
    production.reportCsv = edit(credentialReportCsv(production));
    const fake = await start(organization);
    const result = await collect(collector('credential_report'), configFor(fake));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect(errorText(result.error)).toMatch(message);
    expect(errorText(result.error)).toContain(PROD);
    expect(result.records).toEqual([]);
  });

  it('gives up with CW_SOURCE_UNAVAILABLE when IAM never finishes the report within the allowed wait', async () => {
    const organization = acme();
    organization.accounts[0]!.reportPolls = 1_000;
    const fake = await start(organization);
    const result = await collect(
      collector('credential_report'),
      configFor(fake, {
        requests: { backoffMs: 10, reportPollMs: 400, reportMaxWaitSeconds: 1 },
      }),
    );
    expect(isCrosswalkError(result.error, 'CW_SOURCE_UNAVAILABLE')).toBe(true);
    expect(errorText(result.error)).toMatch(
      /had not finished the credential report of account 111122223333 after 1s/,
    );
    expect(fake.calledFor('iam:GenerateCredentialReport')).toBeLessThanOrEqual(4);
  });

  it('names the missing permission when IAM denies the report (403, not retried)', async () => {
    const fake = await start();
    fake.fault({
      path: '/',
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: iam:GenerateCredentialReport</Message></Error></ErrorResponse>',
    });
    const result = await collect(collector('credential_report'), configFor(fake));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_AUTH')).toBe(true);
    expect(errorText(result.error)).toMatch(/IAM GenerateCredentialReport/);
    expect(errorText(result.error)).toMatch(/iam:GenerateCredentialReport/);
    expect(fake.requests).toHaveLength(1);
    for (const secret of SECRETS) expect(errorText(result.error)).not.toContain(secret);
  });
});

describe('users_snapshot', () => {
  it('lists users, groups and policies, the administrators through groups, and the root user per account', async () => {
    const fake = await start();
    const result = await collect(
      collector('users_snapshot'),
      configFor(fake, { requests: { authorizationDetailsPageSize: 2 } }),
    );
    expect(result.error).toBeUndefined();
    const [production, staging] = result.records.map((r) => r.payload as Record<string, any>);
    expect(
      production!.users.map((u: { userName: string; groups: string[] }) => [u.userName, u.groups]),
    ).toEqual([
      ['alice@acme.example', ['Admins']],
      ['bob', ['Developers']],
      ['ci-deployer', []],
    ]);
    expect(production!.users[0].person).toMatchObject({
      login: 'alice@acme.example',
      email: 'alice@acme.example',
    });
    expect(production!.groups.map((g: { groupName: string }) => g.groupName)).toEqual([
      'Admins',
      'Developers',
    ]);
    expect(production!.counts).toEqual({ users: 3, groups: 2, administrators: 1 });
    expect(production!.root).toEqual({ mfaEnabled: true, accessKeysPresent: false });
    // The leaver and orphaned-account joins read every listed IAM user as an account of its own login.
    const accounts = kindDeclaration('aws.users_snapshot').accounts!;
    expect(accounts.read(result.records[0]!.payload).map((a) => [a.login, a.email, a.active])).toEqual([
      ['alice@acme.example', 'alice@acme.example', true],
      ['bob', null, true],
      ['ci-deployer', null, true],
    ]);
    expect([accounts.holds, accounts.matchBy]).toEqual(['access', 'account']);
    expect(staging!.root).toEqual({ mfaEnabled: false, accessKeysPresent: true });
    // Five entities at two a page: three pages in production, one in staging.
    expect(fake.calledFor('iam:GetAccountAuthorizationDetails')).toBe(4);
    expect(result.records[0]!.occurredAt).toBe('2026-03-16T00:00:00.000Z');
    expect(fake.violations).toEqual([]);
  });
});

describe('identity_center_snapshot', () => {
  it('lists Identity Center users and who holds which permission set in each configured account', async () => {
    const fake = await start();
    const result = await collect(collector('identity_center_snapshot'), configFor(fake));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(1);
    const snapshot = result.records[0]!.payload as Record<string, any>;
    expect(snapshot.users.map((u: { email: string }) => u.email)).toEqual([
      'erin@acme.example',
      'frank@acme.example',
      'grace@acme.example',
    ]);
    expect(
      snapshot.assignments.map((a: Record<string, any>) => [
        a.accountId,
        a.permissionSetName,
        a.principalType,
        a.person?.email ?? null,
      ]),
    ).toEqual([
      [PROD, 'AdministratorAccess', 'USER', 'erin@acme.example'],
      [PROD, 'ReadOnly', 'USER', 'frank@acme.example'],
      [STAGING, 'ReadOnly', 'USER', 'frank@acme.example'],
      [STAGING, 'ReadOnly', 'GROUP', null],
    ]);
    expect(snapshot.counts).toEqual({ users: 3, assignments: 4 });
    const accounts = kindDeclaration('aws.identity_center_snapshot').accounts!;
    expect(accounts.read(snapshot).map((a) => [a.login, a.email, a.name])).toEqual([
      ['erin@acme.example', 'erin@acme.example', 'Erin'],
      ['frank@acme.example', 'frank@acme.example', 'Frank'],
      ['grace@acme.example', 'grace@acme.example', 'Grace'],
    ]);
    // Identity Center is read with production's own key: no role is assumed for it.
    expect(fake.sessions.size).toBe(0);
    expect(fake.violations).toEqual([]);
  });

  it('reads nothing when Identity Center is not configured', async () => {
    const fake = await start();
    const result = await collect(
      collector('identity_center_snapshot'),
      configFor(fake, { identityCenter: undefined }),
    );
    expect(result.error).toBeUndefined();
    expect(result.records).toEqual([]);
    expect(fake.requests).toEqual([]);
  });
});

describe('iam_changes', () => {
  it('keeps the window’s access changes with their actor and target, newest pages first, and nothing else', async () => {
    const fake = await start();
    const result = await collect(
      collector('iam_changes'),
      configFor(fake, { requests: { lookupEventsPageSize: 2 } }),
    );
    expect(result.error).toBeUndefined();
    const changes = result.records.map((r) => {
      const p = r.payload as Record<string, any>;
      return [r.occurredAt, p.action, p.actor?.login, p.target?.login, p.errorCode];
    });
    expect(changes).toEqual([
      ['2026-03-12T10:00:00.000Z', 'DeleteUser', 'bob', 'alice@acme.example', 'AccessDenied'],
      ['2026-03-11T09:00:00.000Z', 'UpdateAccessKey:Inactive', 'erin@acme.example', 'bob', null],
      ['2026-03-10T14:05:00.000Z', 'DeleteUser', 'alice@acme.example', 'carol', null],
      ['2026-03-10T14:00:00.000Z', 'DeleteLoginProfile', 'alice@acme.example', 'carol', null],
    ]);
    // Six events of the window at two a page: three LookupEvents pages in production, one empty one in staging,
    // each asking for IAM's events only.
    const lookups = fake.requests.filter((r) => String(r.headers['x-amz-target']).endsWith('.LookupEvents'));
    expect(lookups.map((r) => /Credential=ASIA/.test(r.authorization ?? ''))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect((lookups[0]!.body as Record<string, unknown>).LookupAttributes).toEqual([
      { AttributeKey: 'EventSource', AttributeValue: 'iam.amazonaws.com' },
    ]);
    expect(fake.violations).toEqual([]);
  });

  it('declares removals: a successful DeleteUser or DeleteLoginProfile counts, a denied call removes nothing', async () => {
    const fake = await start();
    const result = await collect(collector('iam_changes'), configFor(fake));
    const removal = kindDeclaration('aws.iam_change').removal!;
    const read = result.records.map((r) => removal.read(r.payload));
    expect(read).toEqual([
      null,
      {
        removed: { login: 'bob' },
        removedBy: expect.objectContaining({ email: 'erin@acme.example' }),
        action: 'UpdateAccessKey:Inactive',
      },
      {
        removed: { login: 'carol' },
        removedBy: expect.objectContaining({ login: 'alice@acme.example' }),
        action: 'DeleteUser',
      },
      {
        removed: { login: 'carol' },
        removedBy: expect.objectContaining({ login: 'alice@acme.example' }),
        action: 'DeleteLoginProfile',
      },
    ]);
    expect(removal.matchBy).toBe('account');
    expect(removal.actions).toEqual(['DeleteUser', 'DeleteLoginProfile']);
  });

  it('refuses a page token CloudTrail repeats', async () => {
    const fake = await start();
    const first = await collect(
      collector('iam_changes'),
      configFor(fake, { requests: { lookupEventsPageSize: 2 } }),
    );
    expect(first.error).toBeUndefined();
    const token = fake.requests.find((r) => (r.body as { NextToken?: string })?.NextToken)!;
    fake.fault({
      path: '/',
      times: 99,
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: { Events: [], NextToken: (token.body as { NextToken: string }).NextToken },
    });
    const result = await collect(
      collector('iam_changes'),
      configFor(fake, { requests: { lookupEventsPageSize: 2 } }),
    );
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect(errorText(result.error)).toMatch(/repeated a LookupEvents page token/);
  });
});

describe('the config', () => {
  it('accepts no credentials (the SDK chain) and refuses an Identity Center account that is not configured', async () => {
    const fake = await start();
    const { accessKey: _, ...chain } = configFor(fake);
    expect(awsConnector.configSchema.safeParse(chain).success).toBe(true);
    const bad = awsConnector.configSchema.safeParse(
      configFor(fake, {
        identityCenter: {
          account: '999999999999',
          instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
          identityStoreId: 'd-1234567890',
        },
      }),
    );
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['identityCenter.account']);
  });
});
