import { closedAfterEach } from '@crosswalk/connector-testkit';
import type { PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { adminEvents } from '../src/collectors/admin-events.js';
import { loginActivity } from '../src/collectors/login-activity.js';
import { usersSnapshot } from '../src/collectors/users-snapshot.js';
import { COLLECTOR_SCOPES } from '../src/config.js';
import {
  ADMIN,
  acme,
  collect,
  configFor,
  errorText,
  googleError,
  people,
  roles,
  SECRETS,
  startFake,
  userRateLimited,
} from './helpers.js';

const start = closedAfterEach(startFake);

describe('users_snapshot', () => {
  it('records every user with suspension, archive, 2SV, admin flags, roles and last login', async () => {
    const fake = await start(acme());
    const result = await collect(usersSnapshot, configFor(fake, { requests: { usersPageSize: 4 } }));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(1);
    const record = result.records[0]!;
    expect(record.occurredAt).toBe('2026-03-08T00:00:00.000Z');
    expect(record.source).toMatchObject({
      system: 'google-workspace',
      instance: 'C03az79cb',
      ref: 'C03az79cb:users',
    });
    const payload = record.payload as PayloadOf<'google_workspace.users_snapshot'>;
    const byLogin = Object.fromEntries(payload.users.map((u) => [u.person.login, u]));
    expect(Object.keys(byLogin)).toEqual([
      'alice.smith@acme.example',
      'bob.jones@acme.example',
      'carol.admin@acme.example',
      'dave.leaver@acme.example',
      'erin.archived@acme.example',
      'frank.new@acme.example',
    ]);
    expect(byLogin['dave.leaver@acme.example']).toMatchObject({
      suspended: true,
      suspensionReason: 'ADMIN',
      lastLogin: '2026-03-02T17:40:00.000Z',
    });
    expect(byLogin['erin.archived@acme.example']).toMatchObject({ archived: true, suspended: false });
    // Google's 1970 "never signed in" is no login at all.
    expect(byLogin['frank.new@acme.example']!.lastLogin).toBeNull();
    expect(byLogin['bob.jones@acme.example']).toMatchObject({ enrolledIn2Sv: false, enforcedIn2Sv: false });
    expect(byLogin['carol.admin@acme.example']).toMatchObject({
      isAdmin: true,
      adminRoles: [
        {
          roleId: roles.superAdmin.roleId,
          roleName: '_SEED_ADMIN_ROLE',
          isSuperAdminRole: true,
          scopeType: 'CUSTOMER',
          orgUnitId: null,
          assignedTo: 'user',
        },
      ],
    });
    expect(byLogin['alice.smith@acme.example']!.adminRoles).toEqual([
      {
        roleId: roles.helpDesk.roleId,
        roleName: '_HELP_DESK_ADMIN_ROLE',
        isSuperAdminRole: false,
        scopeType: 'ORG_UNIT',
        orgUnitId: '03ph8a2z1enx4lx',
        assignedTo: 'user',
      },
    ]);
    expect(payload.groupRoleAssignments).toEqual([
      {
        groupId: '01234567890abcdefgroup',
        roleId: roles.userManagement.roleId,
        roleName: '_USER_MANAGEMENT_ADMIN_ROLE',
        scopeType: 'CUSTOMER',
        orgUnitId: null,
      },
    ]);
    expect(payload.counts).toEqual({
      users: 6,
      suspended: 1,
      archived: 1,
      active: 4,
      activeWithout2Sv: 2,
      activeNotEnforced2Sv: 1,
      admins: 2,
    });
    expect(payload.limitations).toEqual([]);
    // Two pages of users (page size 4), the roles and the role assignments, each citing Google's ETag.
    expect(record.provenance.requests.map((r) => r.path.split('?')[0])).toEqual([
      '/token',
      '/admin/directory/v1/users',
      '/admin/directory/v1/users',
      '/admin/directory/v1/customer/C03az79cb/roles',
      '/admin/directory/v1/customer/C03az79cb/roleassignments',
    ]);
    for (const request of record.provenance.requests) expect(request.requestId).toMatch(/^"fake-/);
    expect(fake.received('/admin/directory/v1/users')[1]!.query.get('pageToken')).toBeTruthy();
  });

  it('asks for the scopes of this collector only, acting as the configured admin', async () => {
    const fake = await start(acme());
    await collect(usersSnapshot, configFor(fake));
    const token = fake.received('/token')[0]!;
    const assertion = new URLSearchParams(String(token.body)).get('assertion')!;
    const claims = JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({
      iss: 'crosswalk-reader@acme-compliance.iam.gserviceaccount.com',
      sub: ADMIN,
      aud: fake.tokenUri,
      scope: COLLECTOR_SCOPES.users_snapshot.join(' '),
    });
    expect(claims.exp - claims.iat).toBe(3600);
    // One token for the whole collection.
    expect(fake.tokensIssued).toBe(1);
  });

  it('names the scopes to grant when domain-wide delegation does not grant them', async () => {
    const fake = await start(acme(), {
      grantedScopes: ['https://www.googleapis.com/auth/admin.directory.user.readonly'],
    });
    const result = await collect(usersSnapshot, configFor(fake));
    expect(result.error).toMatchObject({ code: 'CW_SOURCE_AUTH', retryable: false });
    const text = errorText(result.error);
    expect(text).toContain('unauthorized_client');
    expect(text).toContain('https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly');
    expect(text).toContain('domain-wide delegation');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(fake.received('/admin/')).toEqual([]);
  });

  it('names the missing scope when Google answers 403 insufficientPermissions, and says when roles are unreadable', async () => {
    const fake = await start(acme());
    fake.fault({
      path: /\/roles$/,
      status: 403,
      body: googleError(
        403,
        'PERMISSION_DENIED',
        'insufficientPermissions',
        'Request had insufficient authentication scopes.',
      ),
    });
    const partial = await collect(usersSnapshot, configFor(fake));
    expect(partial.error).toBeUndefined();
    const payload = partial.records[0]!.payload as PayloadOf<'google_workspace.users_snapshot'>;
    expect(payload.users.every((u) => u.adminRoles === null)).toBe(true);
    expect(payload.counts.admins).toBeNull();
    expect(payload.limitations).toHaveLength(1);
    expect(payload.limitations[0]).toContain('insufficient authentication scopes');
    expect(payload.limitations[0]).toContain('admin.directory.rolemanagement.readonly');

    fake.fault({
      path: '/admin/directory/v1/users',
      status: 403,
      body: googleError(403, 'PERMISSION_DENIED', 'forbidden', 'Not Authorized to access this resource/api'),
    });
    const refused = await collect(usersSnapshot, configFor(fake));
    expect(refused.error).toMatchObject({ code: 'CW_SOURCE_AUTH' });
    expect(errorText(refused.error)).toContain(`${ADMIN} must be an admin whose role can read this`);
  });

  it("waits out the Admin SDK's 403 userRateLimitExceeded instead of failing on it", async () => {
    const fake = await start(acme());
    fake.fault({ path: '/admin/directory/v1/users', ...userRateLimited() });
    const result = await collect(usersSnapshot, configFor(fake, { requests: { backoffMs: 10 } }));
    expect(result.error).toBeUndefined();
    expect(fake.received('/admin/directory/v1/users').map((r) => r.status)).toEqual([403, 200]);
  }, 20_000);
});

describe('admin_events', () => {
  it('records exactly the user, role and security events of the window, with the actor and the user concerned', async () => {
    const fake = await start(acme());
    const result = await collect(adminEvents, configFor(fake, { requests: { activitiesPageSize: 3 } }));
    expect(result.error).toBeUndefined();
    const rows = result.records.map((r) => {
      const p = r.payload as PayloadOf<'google_workspace.admin_event'>;
      return [r.occurredAt, p.eventName, p.action, p.direction, p.target?.email ?? null];
    });
    expect(rows.sort()).toEqual([
      [
        '2026-03-02T18:05:00.000Z',
        'SUSPEND_USER',
        'user_suspended',
        'deprovisioning',
        'dave.leaver@acme.example',
      ],
      ['2026-03-03T09:00:00.000Z', 'DELETE_USER', 'user_deleted', 'deprovisioning', 'gina.gone@acme.example'],
      [
        '2026-03-04T11:30:00.000Z',
        'UNDELETE_USER',
        'user_restored',
        'provisioning',
        'gina.gone@acme.example',
      ],
      ['2026-03-05T08:00:00.000Z', 'ASSIGN_ROLE', 'role_assigned', 'privilege', 'alice.smith@acme.example'],
      [
        '2026-03-06T14:00:00.000Z',
        'ENFORCE_STRONG_AUTHENTICATION',
        'two_step_verification_enforcement_changed',
        'security',
        null,
      ],
      [
        '2026-03-07T16:20:00.000Z',
        'CHANGE_PASSWORD_MIN_LENGTH',
        'security_setting_changed',
        'security',
        null,
      ],
    ]);
    const suspension = result.records.find(
      (r) => (r.payload as PayloadOf<'google_workspace.admin_event'>).eventName === 'SUSPEND_USER',
    )!;
    expect(suspension.owner.people).toEqual([{ id: String(people.carol.id), login: ADMIN, email: ADMIN }]);
    expect(suspension.actors).toEqual([
      {
        role: 'deprovisioning',
        person: { login: 'dave.leaver@acme.example', email: 'dave.leaver@acme.example' },
      },
    ]);
    const enforcement = result.records.find(
      (r) =>
        (r.payload as PayloadOf<'google_workspace.admin_event'>).action ===
        'two_step_verification_enforcement_changed',
    )!;
    expect((enforcement.payload as PayloadOf<'google_workspace.admin_event'>).setting).toEqual({
      name: null,
      oldValue: 'false',
      newValue: 'true',
      orgUnit: '/',
    });
    // Nine activities in pages of three, all of them inside [startTime, endTime) asked for.
    const asked = fake.received('/admin/reports/v1/activity/users/all/applications/admin');
    expect(asked[0]!.query.get('startTime')).toBe('2026-03-01T00:00:00.000Z');
    expect(asked[0]!.query.get('endTime')).toBe('2026-03-08T00:00:00.000Z');
    expect(asked).toHaveLength(3);
    expect(result.cursor).toEqual({ lastEventAt: '2026-03-07T16:20:00.000Z' });
  });

  it('keeps the configured event types only', async () => {
    const fake = await start(acme());
    const result = await collect(
      adminEvents,
      configFor(fake, { collectors: { admin_events: { eventTypes: ['APPLICATION_SETTINGS'] } } }),
    );
    expect(
      result.records.map((r) => (r.payload as PayloadOf<'google_workspace.admin_event'>).eventName),
    ).toEqual(['CHANGE_APPLICATION_SETTING']);
  });

  it('reads only the 180 days the Reports API keeps, and says so, when the window reaches further back', async () => {
    const fake = await start(acme());
    const result = await collect(adminEvents, configFor(fake), {
      now: '2026-08-30T00:00:00.000Z',
      window: { since: '2026-01-01T00:00:00.000Z', until: '2026-08-30T00:00:00.000Z' },
    });
    expect(result.error).toBeUndefined();
    // 180 days before 2026-08-30 is 2026-03-03: the events of 1 and 2 March are no longer served.
    expect(fake.received('/admin/reports/')[0]!.query.get('startTime')).toBe('2026-03-03T00:00:00.000Z');
    expect(result.records.map((r) => r.occurredAt)[0]).toBe('2026-03-08T01:00:00.000Z');
    expect(result.records).toHaveLength(6);
    expect(result.logs.some((line) => line.message.includes('keeps 180 days'))).toBe(true);
  });
});

describe('login_activity', () => {
  it('counts each settled day once: logins, those without a second factor, failures and the users concerned', async () => {
    const fake = await start(acme());
    const first = await collect(loginActivity, configFor(fake));
    expect(first.error).toBeUndefined();
    // 1 to 6 March: 7 March ended less than 12 hours before 06:30 on the 8th.
    expect(first.records.map((r) => r.occurredAt)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
      '2026-03-05T00:00:00.000Z',
      '2026-03-06T00:00:00.000Z',
    ]);
    expect(first.records[0]!.payload).toMatchObject({ logins: 0, users: 0, usersWithoutSecondFactor: [] });
    expect(first.records[5]!.payload).toEqual({
      customer: 'C03az79cb',
      day: '2026-03-06',
      logins: 4,
      loginsWithSecondFactor: 1,
      loginsWithoutSecondFactor: 2,
      loginsViaSso: 1,
      failedLogins: 1,
      suspiciousLogins: 0,
      users: 3,
      usersWithoutSecondFactor: [{ email: 'bob.jones@acme.example', logins: 2 }],
      byLoginType: { google_password: 3, saml: 1 },
    });
    expect(first.cursor).toEqual({ lastDay: '2026-03-06' });

    const next = await collect(loginActivity, configFor(fake), {
      now: '2026-03-09T06:30:00.000Z',
      window: { since: '2026-03-08T00:00:00.000Z', until: '2026-03-09T06:30:00.000Z' },
      cursor: first.cursor,
    });
    // 8 March ended at midnight, less than 12 hours before: it waits for the next run.
    expect(next.records.map((r) => r.occurredAt)).toEqual(['2026-03-07T00:00:00.000Z']);
    expect(next.cursor).toEqual({ lastDay: '2026-03-07' });
    expect(next.records[0]!.payload).toMatchObject({
      logins: 1,
      loginsWithSecondFactor: 1,
      loginsWithoutSecondFactor: 0,
      suspiciousLogins: 1,
    });
  });
});
