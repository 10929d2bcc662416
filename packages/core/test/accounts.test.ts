import { describe, expect, it } from 'vitest';
import { accountOf, evidenceKindIds, kindDeclaration } from '../src/index.js';

const declaring = (field: 'accounts' | 'termination') =>
  evidenceKindIds().filter((kind) => kindDeclaration(kind)[field] !== undefined);

const accounts = (kind: string, payload: unknown) => kindDeclaration(kind).accounts!.read(payload);

describe('accountOf', () => {
  it('gives every account a handle: the login, else the email, else the system id', () => {
    expect(accountOf({ login: 'dave', email: 'dave@acme.example' }, true)).toEqual({
      login: 'dave',
      email: 'dave@acme.example',
      employeeId: null,
      name: null,
      active: true,
      endedAt: null,
    });
    expect(accountOf({ email: 'erin@acme.example' }, false).login).toBe('erin@acme.example');
    expect(accountOf({ id: 'u-7', name: 'Gone' }, true)).toMatchObject({ login: 'u-7', name: 'Gone' });
    expect(accountOf({ login: 'x', email: 'x@a.example' }, true, { email: null }).email).toBeNull();
  });
});

describe('the accounts and termination declarations of the built-in connectors', () => {
  it('are declared by the user snapshots, the HR roster and the HR termination only', () => {
    expect(declaring('accounts')).toEqual([
      'github.org_members',
      'okta.users_snapshot',
      'entra.users_snapshot',
      'google_workspace.users_snapshot',
      'bamboohr.employees_snapshot',
      'aws.users_snapshot',
      'aws.identity_center_snapshot',
      'gitlab.group_members',
    ]);
    expect(declaring('accounts').map((k) => kindDeclaration(k).accounts!.holds)).toEqual([
      'access',
      'access',
      'access',
      'access',
      'employment',
      'access',
      'access',
      'access',
    ]);
    expect(declaring('termination')).toEqual(['bamboohr.termination']);
  });

  it('read which accounts can still be used, as each system states it', () => {
    const okta = accounts('okta.users_snapshot', {
      users: ['ACTIVE', 'STAGED', 'SUSPENDED', 'DEPROVISIONED'].map((status) => ({
        person: { login: `${status.toLowerCase()}@acme.example` },
        status,
      })),
    });
    expect(okta.map((a) => [a.login, a.active])).toEqual([
      ['active@acme.example', true],
      ['staged@acme.example', true],
      ['suspended@acme.example', false],
      ['deprovisioned@acme.example', false],
    ]);
    const entra = accounts('entra.users_snapshot', {
      users: [true, false, null].map((accountEnabled) => ({
        person: { login: `u${accountEnabled}` },
        accountEnabled,
      })),
    });
    expect(entra.map((a) => a.active)).toEqual([true, false, true]);
    const google = accounts('google_workspace.users_snapshot', {
      users: [
        { person: { login: 'a@acme.example' }, suspended: false, archived: false },
        { person: { login: 'b@acme.example' }, suspended: true, archived: false },
        { person: { login: 'c@acme.example' }, suspended: false, archived: true },
      ],
    });
    expect(google.map((a) => a.active)).toEqual([true, false, false]);
    const github = accounts('github.org_members', {
      members: [{ person: { login: 'dave', id: 'MDQ6' }, role: 'member' }],
    });
    expect(github).toEqual([
      { login: 'dave', email: null, employeeId: null, name: null, active: true, endedAt: null },
    ]);
  });

  it('read the HR roster and terminations by the company employee number, else the HR id', () => {
    const roster = accounts('bamboohr.employees_snapshot', {
      employees: [
        {
          person: { login: 'dave@acme.example', email: 'dave@acme.example', id: '40', name: 'Dave' },
          employeeId: '40',
          employeeNumber: 'E-040',
          status: 'Inactive',
          workEmail: 'dave@acme.example',
          terminatedAt: '2026-03-07T08:00:00.000Z',
        },
        {
          person: { id: '41', name: 'Nia' },
          employeeId: '41',
          employeeNumber: null,
          status: 'Active',
          workEmail: null,
          terminatedAt: null,
        },
      ],
    });
    expect(roster).toEqual([
      {
        login: 'dave@acme.example',
        email: 'dave@acme.example',
        employeeId: 'E-040',
        name: 'Dave',
        active: false,
        endedAt: '2026-03-07T08:00:00.000Z',
      },
      { login: '41', email: null, employeeId: '41', name: 'Nia', active: true, endedAt: null },
    ]);
    expect(
      kindDeclaration('bamboohr.termination').termination!.read({
        person: { email: 'dave@acme.example', id: '40' },
        employeeId: '40',
        employeeNumber: null,
        workEmail: 'dave@acme.example',
        terminatedAt: '2026-03-07T08:00:00.000Z',
      }),
    ).toEqual({
      person: { email: 'dave@acme.example', id: '40' },
      employeeId: '40',
      email: 'dave@acme.example',
      terminatedAt: '2026-03-07T08:00:00.000Z',
    });
  });
});
