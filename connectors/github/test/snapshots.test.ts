import { closedAfterEach } from '@crosswalk/connector-testkit';
import { isCrosswalkError, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { branchProtection } from '../src/collectors/branch-protection.js';
import { memberRemoved } from '../src/collectors/member-removed.js';
import { orgMembers } from '../src/collectors/org-members.js';
import type { FakeOrganization } from '../src/sandbox/index.js';
import { acme, collect, configFor, people, startFake } from './helpers.js';

const fake = closedAfterEach(
  (org: FakeOrganization = acme(), options: Parameters<typeof startFake>[1] = {}) => startFake(org, options),
);

const DAY = '2026-03-08T00:00:00.000Z';

describe('the branch_protection collector', () => {
  it('takes one snapshot per non-archived repository, dated at the start of the UTC day', async () => {
    const server = await fake();
    const result = await collect(branchProtection, configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.drafts.map((d) => d.source.ref)).toEqual(['acme/api@main', 'acme/empty', 'acme/web@main']);
    for (const draft of result.drafts) {
      expect(draft.occurredAt).toBe(DAY);
      expect(draft.owner).toEqual({ people: [], controlOwner: 'secops@acme.example' });
    }
  });

  it('records classic protection and rulesets with approvals, stale dismissal, code owners, admins and bypass actors', async () => {
    const server = await fake();
    const { drafts } = await collect(branchProtection, configFor(server));
    const api = drafts[0]!.payload as PayloadOf<'github.branch_protection'>;
    expect(api).toEqual({
      repository: 'acme/api',
      branch: 'main',
      emptyRepository: false,
      protected: true,
      rules: [
        {
          source: 'classic',
          name: 'branch protection',
          requiredApprovals: 1,
          dismissStaleReviews: true,
          requireCodeOwnerReviews: false,
          requireLastPushApproval: true,
          enforceAdmins: true,
          bypassActors: ['User:carol'],
          ruleTypes: expect.arrayContaining(['pull_request', 'non_fast_forward', 'deletion']),
        },
        {
          source: 'ruleset',
          name: 'main needs two approvals',
          requiredApprovals: 2,
          dismissStaleReviews: true,
          requireCodeOwnerReviews: true,
          requireLastPushApproval: false,
          enforceAdmins: null,
          bypassActors: ['OrganizationAdmin:1:always'],
          ruleTypes: ['deletion', 'pull_request'],
        },
      ],
    });
    // First the request whose answer named the default branch (the org's repository list), then the branch's own.
    expect(drafts[0]!.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/orgs/acme/repos?per_page=100&type=all&sort=full_name 200',
      '/repos/acme/api/branches/main 200',
      '/repos/acme/api/branches/main/protection 200',
      '/repos/acme/api/rules/branches/main 200',
      '/repos/acme/api/rulesets/42?includes_parents=true 200',
    ]);
  });

  it('names the read of a configured repository, which supplied its default branch, in provenance', async () => {
    const server = await fake();
    const { drafts } = await collect(branchProtection, configFor(server, { repositories: ['web', 'api'] }));
    expect(drafts.map((d) => d.requests[0]!.path)).toEqual(['/repos/acme/web', '/repos/acme/api']);
    expect(drafts[1]!.requests.map((r) => r.path)).not.toContain('/repos/acme/web');
  });

  it('records an unprotected branch (404 "Branch not protected") as evidence of absence, not a failure', async () => {
    const server = await fake();
    const { drafts, error } = await collect(branchProtection, configFor(server));
    expect(error).toBeUndefined();
    const web = drafts.find((d) => d.source.ref === 'acme/web@main')!;
    expect(web.payload).toEqual({
      repository: 'acme/web',
      branch: 'main',
      emptyRepository: false,
      protected: false,
      rules: [],
    });
    expect(web.requests.find((r) => r.path.endsWith('/protection'))!.status).toBe(404);
  });

  it('records an empty repository without failing', async () => {
    const server = await fake();
    const { drafts } = await collect(branchProtection, configFor(server));
    expect(drafts.find((d) => d.source.ref === 'acme/empty')!.payload).toEqual({
      repository: 'acme/empty',
      branch: null,
      emptyRepository: true,
      protected: false,
      rules: [],
    });
  });

  it('produces the same ids when run again the same day', async () => {
    const server = await fake();
    const first = await collect(branchProtection, configFor(server));
    const later = await collect(branchProtection, configFor(server), { now: '2026-03-08T23:59:59.999Z' });
    expect(later.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    const tomorrow = await collect(branchProtection, configFor(server), { now: '2026-03-09T00:00:00.000Z' });
    expect(tomorrow.records[0]!.id).not.toBe(first.records[0]!.id);
  });

  it('fails naming a configured repository that does not exist', async () => {
    const server = await fake();
    const result = await collect(
      branchProtection,
      configFor(server, { repositories: ['api', 'acme/missing'] }),
    );
    expect(isCrosswalkError(result.error, 'CW_NOT_FOUND')).toBe(true);
    expect((result.error as Error).message).toContain('acme/missing');
  });
});

describe('the org_members collector', () => {
  it('records members with roles, outside collaborators and 2FA, as one daily snapshot', async () => {
    const server = await fake();
    const { drafts, error } = await collect(orgMembers, configFor(server));
    expect(error).toBeUndefined();
    expect(drafts).toHaveLength(1);
    const draft = drafts[0]!;
    expect(draft.occurredAt).toBe(DAY);
    expect(draft.source).toEqual({
      system: 'github',
      instance: 'acme',
      ref: 'acme',
      url: `${server.origin}/orgs/acme/people`,
    });
    expect(draft.owner).toEqual({ people: [], controlOwner: 'secops@acme.example' });
    expect(draft.payload).toEqual({
      organization: 'acme',
      twoFactorRequired: true,
      members: [
        { person: { login: 'alice', id: people.alice.node_id }, role: 'member' },
        { person: { login: 'bob', id: people.bob.node_id }, role: 'member' },
        { person: { login: 'carol', id: people.carol.node_id }, role: 'admin' },
        { person: { login: 'mallory', id: people.mallory.node_id }, role: 'member' },
      ],
      outsideCollaborators: [{ login: 'erin', id: people.erin.node_id }],
      membersWithoutTwoFactor: [{ login: 'mallory', id: people.mallory.node_id }],
      limitations: [],
    });
    expect(draft.requests.map((r) => r.path)).toEqual([
      '/orgs/acme',
      '/orgs/acme/members?per_page=100&role=admin',
      '/orgs/acme/members?per_page=100&role=member',
      '/orgs/acme/outside_collaborators?per_page=100',
      '/orgs/acme/members?per_page=100&filter=2fa_disabled',
    ]);
  });

  it("records null and says why when the credentials are not an owner's", async () => {
    const org = acme();
    org.twoFactorRequired = null;
    org.membersWithoutTwoFactor = null;
    const server = await fake(org);
    server.fault({
      path: '/orgs/acme/outside_collaborators',
      status: 403,
      body: { message: 'Must be an owner', documentation_url: 'https://docs.github.com/rest' },
    });
    const { drafts, error, logs } = await collect(orgMembers, configFor(server));
    expect(error).toBeUndefined();
    const payload = drafts[0]!.payload as PayloadOf<'github.org_members'>;
    expect(payload.twoFactorRequired).toBeNull();
    expect(payload.outsideCollaborators).toBeNull();
    expect(payload.membersWithoutTwoFactor).toBeNull();
    expect(payload.members).toHaveLength(4);
    expect(payload.limitations).toHaveLength(3);
    expect(payload.limitations!.join('\n')).toMatch(
      /membersWithoutTwoFactor: not readable.*422 Only owners can use this filter/,
    );
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(3);
  });
});

describe('the member_removed collector', () => {
  it('records each org.remove_member in the window from the audit log, with actor and time', async () => {
    const server = await fake();
    const { drafts, error, cursor } = await collect(memberRemoved, configFor(server));
    expect(error).toBeUndefined();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      kind: 'github.member_removed',
      occurredAt: '2026-03-03T09:15:00.123Z',
      owner: { people: [{ login: 'carol' }], controlOwner: 'secops@acme.example' },
      actors: [{ role: 'removed', person: { login: 'dave' } }],
      source: {
        system: 'github',
        instance: 'acme',
        ref: 'acme:member_removed:dave:2026-03-03T09:15:00.123Z',
      },
      payload: {
        organization: 'acme',
        member: { login: 'dave' },
        removedBy: { login: 'carol' },
        via: 'audit_log',
      },
    });
    expect(drafts[0]!.requests[0]!.path).toContain('/orgs/acme/audit-log?');
    expect(cursor).toEqual({ lastRemovedAt: '2026-03-03T09:15:00.123Z' });
  });

  it('says the audit log is not available on this plan (404), records nothing and does not fail', async () => {
    const org = acme();
    org.auditLogAvailable = false;
    const server = await fake(org);
    const { drafts, error, logs } = await collect(memberRemoved, configFor(server));
    expect(error).toBeUndefined();
    expect(drafts).toEqual([]);
    expect(logs.some((l) => l.level === 'warn' && /audit log is not available/.test(l.message))).toBe(true);
  });

  it('treats a 403 the same way', async () => {
    const server = await fake();
    server.fault({
      path: '/orgs/acme/audit-log',
      status: 403,
      body: { message: 'Forbidden', documentation_url: 'https://docs.github.com/rest' },
    });
    const { drafts, error } = await collect(memberRemoved, configFor(server));
    expect(error).toBeUndefined();
    expect(drafts).toEqual([]);
  });

  it('still fails on bad credentials', async () => {
    const server = await fake(acme(), { token: 'ghp_notTheOneConfigured000000000000000000' });
    const { error } = await collect(memberRemoved, configFor(server));
    expect(isCrosswalkError(error, 'CW_SOURCE_AUTH')).toBe(true);
  });

  it('makes no request when the audit log is turned off in the config', async () => {
    const server = await fake();
    const { drafts } = await collect(
      memberRemoved,
      configFor(server, { collectors: { member_removed: { auditLog: false } } }),
    );
    expect(drafts).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});
