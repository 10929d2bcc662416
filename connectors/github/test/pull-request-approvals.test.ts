import { closedAfterEach } from '@crosswalk/connector-testkit';
import { type EmittedDraft, isCrosswalkError, type PayloadOf } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import {
  approvalFacts,
  mergedSearchQuery,
  pullRequestApprovals,
  searchScopes,
} from '../src/collectors/pull-request-approvals.js';
import { parseGitHubConfig } from '../src/config.js';
import { type FakeOrganization, mergedPullRequest, review, sha } from '../src/sandbox/index.js';
import { acme, collect, configFor, manyPullRequests, people, startFake, WINDOW } from './helpers.js';

type Payload = PayloadOf<'github.pull_request.approval'>;

const fake = closedAfterEach((org: FakeOrganization = acme()) => startFake(org));

function byRef(drafts: EmittedDraft[]) {
  return Object.fromEntries(
    drafts.map((d) => [
      d.source.ref,
      d as EmittedDraft<'github.pull_request.approval'> & { payload: Payload },
    ]),
  );
}

describe('the pull_request_approvals collector', () => {
  it('records every pull request merged in the window, across repositories, and none outside it', async () => {
    const server = await fake();
    const result = await collect(pullRequestApprovals, configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.drafts.map((d) => d.source.ref).sort()).toEqual([
      'acme/api#1',
      'acme/api#2',
      'acme/api#3',
      'acme/api#4',
      'acme/web#7',
    ]);
    // Five PRs with their reviews in one GraphQL request.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /graphql']);
  });

  it('dates each record at its merge and links it to the pull request', async () => {
    const server = await fake();
    const { drafts } = await collect(pullRequestApprovals, configFor(server));
    const web = byRef(drafts)['acme/web#7']!;
    expect(web.occurredAt).toBe('2026-03-06T16:45:30.000Z');
    expect(web.payload.mergedAt).toBe(web.occurredAt);
    expect(web.source).toEqual({
      system: 'github',
      instance: 'acme',
      ref: 'acme/web#7',
      url: 'https://github.com/acme/web/pull/7',
    });
    expect(web.payload).toMatchObject({
      repository: 'acme/web',
      number: 7,
      baseBranch: 'main',
      headCommit: sha('7:2'),
    });
    expect(web.payload.reviews).toHaveLength(3);
    expect(web.payload.reviews[0]).toEqual({
      reviewer: { login: 'alice', id: people.alice.node_id, name: 'Alice Author' },
      state: 'CHANGES_REQUESTED',
      submittedAt: '2026-03-06T10:00:00.000Z',
      commit: sha('7:2'),
    });
  });

  it('names the approvers as owners and the author, merger and other reviewers as actors', async () => {
    const server = await fake();
    const { drafts } = await collect(pullRequestApprovals, configFor(server));
    const web = byRef(drafts)['acme/web#7']!;
    expect(web.owner.people.map((p) => p.login)).toEqual(['carol', 'alice']);
    expect(web.owner.controlOwner).toBe('secops@acme.example');
    expect(web.actors.map((a) => `${a.role}:${a.person.login}`)).toEqual(['author:bob', 'merger:alice']);
    expect(web.payload.approvalsBeforeMerge).toBe(2);
    const three = byRef(drafts)['acme/api#3']!;
    expect(three.actors.map((a) => `${a.role}:${a.person.login}`)).toEqual([
      'author:alice',
      'merger:alice',
      'reviewer:bob',
    ]);
  });

  describe('computes the facts an auditor tests', () => {
    it('for a PR approved on its final commit and merged by its author', async () => {
      const { drafts } = await collect(pullRequestApprovals, configFor(await fake()));
      expect(byRef(drafts)['acme/api#1']!.payload).toMatchObject({
        approvedByNonAuthor: true,
        approvalOnFinalCommit: true,
        selfMerged: true,
        approvalsBeforeMerge: 1,
      });
    });

    it('for a PR approved on an older commit (approvalOnFinalCommit false)', async () => {
      const { drafts } = await collect(pullRequestApprovals, configFor(await fake()));
      expect(byRef(drafts)['acme/api#2']!.payload).toMatchObject({
        approvedByNonAuthor: true,
        approvalOnFinalCommit: false,
        selfMerged: false,
        approvalsBeforeMerge: 1,
      });
    });

    it('for a PR approved only by its author (approvedByNonAuthor false, the merger answers for it)', async () => {
      const { drafts } = await collect(pullRequestApprovals, configFor(await fake()));
      const three = byRef(drafts)['acme/api#3']!;
      expect(three.payload).toMatchObject({
        approvedByNonAuthor: false,
        approvalOnFinalCommit: false,
        selfMerged: true,
        approvalsBeforeMerge: 0,
        changesRequestedAtMerge: false,
        approvedAfterMerge: false,
      });
      expect(three.owner.people.map((p) => p.login)).toEqual(['alice']);
    });

    it('for a PR approved only an hour after it was merged: not approved, approvedAfterMerge says the rest', async () => {
      const { drafts } = await collect(pullRequestApprovals, configFor(await fake()));
      const four = byRef(drafts)['acme/api#4']!;
      expect(four.payload).toMatchObject({
        approvedByNonAuthor: false,
        approvalOnFinalCommit: false,
        selfMerged: false,
        approvalsBeforeMerge: 0,
        changesRequestedAtMerge: false,
        approvedAfterMerge: true,
      });
      // The late approver did not answer for the merge; the merger did.
      expect(four.owner.people.map((p) => p.login)).toEqual(['carol']);
      expect(four.actors.map((a) => `${a.role}:${a.person.login}`)).toContain('reviewer:alice');
    });

    it('for a PR approved, then sent back by the same reviewer, then merged by an admin: not approved', async () => {
      const org = acme();
      const head = sha('9:1');
      org.repositories[0]!.pulls.push(
        mergedPullRequest(9, {
          author: people.alice,
          mergedBy: people.carol,
          mergedAt: '2026-03-06T12:00:00Z',
          commits: [head],
          reviews: [
            review(people.bob, 'APPROVED', '2026-03-06T09:00:00Z', head),
            review(people.bob, 'CHANGES_REQUESTED', '2026-03-06T10:00:00Z', head),
          ],
        }),
      );
      const { drafts, error } = await collect(pullRequestApprovals, configFor(await fake(org)));
      expect(error).toBeUndefined();
      const nine = byRef(drafts)['acme/api#9']!;
      expect(nine.payload).toMatchObject({
        approvedByNonAuthor: false,
        approvalOnFinalCommit: false,
        approvalsBeforeMerge: 0,
        changesRequestedAtMerge: true,
        approvedAfterMerge: false,
      });
      expect(nine.owner.people.map((p) => p.login)).toEqual(['carol']);
      expect(nine.actors.map((a) => `${a.role}:${a.person.login}`)).toEqual([
        'author:alice',
        'merger:carol',
        'reviewer:bob',
      ]);
    });
  });

  describe("judges reviews as GitHub does: each reviewer's latest opinion before the merge stands", () => {
    const author = { login: 'alice' };
    const bob = { login: 'bob' };
    const carol = { login: 'carol' };
    const MERGED = '2026-03-06T12:00:00.000Z';
    const HEAD = sha('head');
    const OLD = sha('old');
    const at = (time: string) => `2026-03-06T${time}.000Z`;
    const r = (
      reviewer: { login: string },
      state: Payload['reviews'][number]['state'],
      time: string,
      commit = HEAD,
    ) => ({
      reviewer,
      state,
      submittedAt: at(time),
      commit,
    });
    const facts = (reviews: Payload['reviews'], mergedBy = carol) => {
      const { approvers, ...rest } = approvalFacts({
        author,
        mergedBy,
        mergedAt: MERGED,
        headCommit: HEAD,
        reviews,
      });
      return { ...rest, approvers: approvers.map((p) => p.login) };
    };

    it('a comment after an approval leaves the approval standing', () => {
      expect(facts([r(bob, 'APPROVED', '09:00:00'), r(bob, 'COMMENTED', '10:00:00')])).toMatchObject({
        approvedByNonAuthor: true,
        approvalOnFinalCommit: true,
        approvalsBeforeMerge: 1,
        approvers: ['bob'],
      });
    });

    it('an approval after a change request replaces it', () => {
      expect(facts([r(bob, 'CHANGES_REQUESTED', '09:00:00'), r(bob, 'APPROVED', '10:00:00')])).toMatchObject({
        approvedByNonAuthor: true,
        changesRequestedAtMerge: false,
        approvers: ['bob'],
      });
    });

    it('a change request after an approval replaces it', () => {
      expect(facts([r(bob, 'APPROVED', '09:00:00'), r(bob, 'CHANGES_REQUESTED', '10:00:00')])).toMatchObject({
        approvedByNonAuthor: false,
        approvalOnFinalCommit: false,
        changesRequestedAtMerge: true,
        approvalsBeforeMerge: 0,
        approvers: [],
      });
    });

    it('a dismissed review counts for nothing, and an earlier opinion does not come back with it', () => {
      expect(facts([r(bob, 'DISMISSED', '09:00:00')])).toMatchObject({
        approvedByNonAuthor: false,
        approvers: [],
      });
      expect(facts([r(bob, 'CHANGES_REQUESTED', '08:00:00'), r(bob, 'DISMISSED', '09:00:00')])).toMatchObject(
        {
          approvedByNonAuthor: false,
          changesRequestedAtMerge: false,
        },
      );
    });

    it('a stale approval (before the last push) still stands, but not on the final commit', () => {
      expect(facts([r(bob, 'APPROVED', '09:00:00', OLD)])).toMatchObject({
        approvedByNonAuthor: true,
        approvalOnFinalCommit: false,
        approvalsBeforeMerge: 1,
      });
    });

    it("the author's own approval never counts", () => {
      expect(facts([r(author, 'APPROVED', '09:00:00')], author)).toMatchObject({
        approvedByNonAuthor: false,
        selfMerged: true,
        approvers: [],
      });
    });

    it('an approval at or after the merge is recorded apart, never as an approval', () => {
      expect(facts([r(bob, 'APPROVED', '12:00:00'), r(carol, 'APPROVED', '13:00:00')])).toMatchObject({
        approvedByNonAuthor: false,
        approvalOnFinalCommit: false,
        approvalsBeforeMerge: 0,
        approvedAfterMerge: true,
      });
      // A change request after the merge does not undo an approval that stood at it.
      expect(facts([r(bob, 'APPROVED', '09:00:00'), r(bob, 'CHANGES_REQUESTED', '13:00:00')])).toMatchObject({
        approvedByNonAuthor: true,
        changesRequestedAtMerge: false,
        approvedAfterMerge: false,
      });
    });

    it('several reviewers: each stands on their own latest opinion, in the order they gave it', () => {
      expect(
        facts([
          r(carol, 'APPROVED', '08:00:00', OLD),
          r(bob, 'CHANGES_REQUESTED', '09:00:00'),
          r(bob, 'APPROVED', '10:00:00'),
          r(carol, 'CHANGES_REQUESTED', '11:00:00'),
          r(carol, 'COMMENTED', '11:30:00'),
        ]),
      ).toMatchObject({
        approvedByNonAuthor: true,
        approvalOnFinalCommit: true,
        approvalsBeforeMerge: 1,
        changesRequestedAtMerge: true,
        approvers: ['bob'],
      });
    });
  });

  it('cites the GraphQL request that produced each record, with its request id', async () => {
    const server = await fake();
    const { drafts } = await collect(pullRequestApprovals, configFor(server));
    for (const draft of drafts) {
      expect(draft.requests).toEqual([
        { method: 'POST', path: '/graphql', status: 200, requestId: server.requests[0]!.requestId },
      ]);
    }
  });

  it('reads 250 merged PRs in three pages of 100', async () => {
    const server = await fake(manyPullRequests(250));
    const result = await collect(pullRequestApprovals, configFor(server));
    expect(result.error).toBeUndefined();
    expect(result.records).toHaveLength(250);
    expect(new Set(result.records.map((r) => r.id)).size).toBe(250);
    expect(server.requests).toHaveLength(3);
    // Each record cites the page it came from.
    expect(new Set(result.drafts.map((d) => d.requests[0]!.requestId)).size).toBe(3);
  });

  it('splits the window when GitHub counts more than the 1,000 results search returns', async () => {
    const server = await fake(manyPullRequests(1500));
    const result = await collect(pullRequestApprovals, configFor(server));
    expect(result.error).toBeUndefined();
    expect(new Set(result.drafts.map((d) => d.source.ref)).size).toBe(1500);
    expect(result.logs.some((l) => /splitting the window/.test(l.message))).toBe(true);
    // GitHub's count is taken from the halves read, not the whole window's as well.
    expect(result.sourceTotal).toBe(1500);
  }, 60_000);

  it('pages through the reviews of a PR that has more than 100', async () => {
    const org = acme();
    const head = sha('8:1');
    org.repositories[0]!.pulls.push(
      mergedPullRequest(8, {
        author: people.alice,
        mergedBy: people.bob,
        mergedAt: '2026-03-06T10:00:00Z',
        commits: [head],
        reviews: [
          ...Array.from({ length: 120 }, (_, i) =>
            review(
              people.carol,
              'COMMENTED',
              `2026-03-06T08:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
              head,
            ),
          ),
          review(people.bob, 'APPROVED', '2026-03-06T09:30:00Z', head),
        ],
      }),
    );
    const server = await fake(org);
    const { drafts, error } = await collect(pullRequestApprovals, configFor(server));
    expect(error).toBeUndefined();
    const eight = byRef(drafts)['acme/api#8']!;
    expect(eight.payload.reviews).toHaveLength(121);
    expect(eight.payload.approvalOnFinalCommit).toBe(true);
    expect(eight.requests).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('fails naming the item when GitHub lists a merged PR without mergedAt', async () => {
    const org = acme();
    org.repositories[0]!.pulls.push(
      mergedPullRequest(9, {
        author: people.alice,
        mergedAt: null,
        listedAsMergedAt: '2026-03-05T10:00:00Z',
      }),
    );
    const server = await fake(org);
    const result = await collect(pullRequestApprovals, configFor(server));
    expect(isCrosswalkError(result.error, 'CW_SOURCE_DATA')).toBe(true);
    expect((result.error as Error).message).toContain('acme/api#9');
    expect((result.error as Error).message).toContain('mergedAt');
  });

  it('searches only the configured repositories', async () => {
    const server = await fake();
    const result = await collect(pullRequestApprovals, configFor(server, { repositories: ['web'] }));
    expect(result.drafts.map((d) => d.source.ref)).toEqual(['acme/web#7']);
  });

  it('saves the latest mergedAt as its cursor, and a rerun of the window produces the same records', async () => {
    const server = await fake();
    const first = await collect(pullRequestApprovals, configFor(server));
    expect(first.cursor).toEqual({ lastMergedAt: '2026-03-06T16:45:30.000Z' });
    const second = await collect(pullRequestApprovals, configFor(server), { cursor: first.cursor });
    expect(second.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    expect(second.cursor).toBeUndefined();
  });

  describe('with a filter from a webhook', () => {
    it('fetches that one pull request, whatever the window, and reports no count for the window', async () => {
      const server = await fake();
      const result = await collect(pullRequestApprovals, configFor(server), {
        filter: { repository: 'acme/api', number: '5' },
      });
      expect(result.error).toBeUndefined();
      expect(result.drafts.map((d) => d.source.ref)).toEqual(['acme/api#5']);
      expect(server.requests).toHaveLength(1);
      expect(result.sourceTotal).toBeUndefined();
    });

    it('rejects a repository outside the organization before any request', async () => {
      const server = await fake();
      const result = await collect(pullRequestApprovals, configFor(server), {
        filter: { repository: 'evil/api', number: '1' },
      });
      expect(isCrosswalkError(result.error, 'CW_INPUT_INVALID')).toBe(true);
      expect(server.requests).toHaveLength(0);
    });

    it('fails with CW_NOT_FOUND for a pull request GitHub does not have', async () => {
      const server = await fake();
      const result = await collect(pullRequestApprovals, configFor(server), {
        filter: { repository: 'acme/api', number: '404' },
      });
      expect(isCrosswalkError(result.error, 'CW_NOT_FOUND')).toBe(true);
      expect((result.error as Error).message).toContain('acme/api#404');
    });
  });
});

describe('the merged-PR search query', () => {
  it('covers the half-open window in whole seconds', () => {
    const query = mergedSearchQuery('org:acme', Date.parse(WINDOW.since), Date.parse(WINDOW.until));
    expect(query).toBe(
      'is:pr is:merged merged:2026-03-01T00:00:00Z..2026-03-07T23:59:59Z sort:created-asc org:acme',
    );
    expect(
      mergedSearchQuery(
        'org:acme',
        Date.parse('2026-03-01T00:00:00.500Z'),
        Date.parse('2026-03-02T00:00:00.500Z'),
      ),
    ).toContain('merged:2026-03-01T00:00:01Z..2026-03-02T00:00:00Z');
  });

  it('groups many configured repositories into queries GitHub accepts', () => {
    const repositories = Array.from({ length: 30 }, (_, i) => `service-number-${i}`);
    const scopes = searchScopes(
      parseGitHubConfig({ type: 'github', org: 'acme', repositories, auth: { kind: 'token', token: 't' } }),
    );
    expect(scopes.length).toBeGreaterThan(1);
    for (const scope of scopes) expect(scope.length).toBeLessThanOrEqual(180);
    expect(scopes.join(' ').split(' ')).toHaveLength(30);
  });
});
