import { progressCursorSchema, saveProgress } from '@crosswalk/connector-kit';
import {
  type CollectorContext,
  type CollectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type PayloadOf,
  type Person,
  type ProvenanceRequest,
} from '@crosswalk/core';
import type { z } from 'zod';
import { GitHubClient } from '../client.js';
import { configuredRepositories, type GitHubConfig, requestSettings } from '../config.js';
import { personOrNull, sameAccount, sourceTime } from '../people.js';

type Payload = PayloadOf<'github.pull_request.approval'>;

/** GitHub search returns at most this many results per query, whatever issueCount says. */
export const SEARCH_RESULT_CAP = 1000;

const ACTOR = `
  __typename
  login
  ... on Node { id }
  ... on User { name }
`;

const REVIEWS = `
  pageInfo { hasNextPage endCursor }
  nodes {
    state
    submittedAt
    author { ${ACTOR} }
    commit { oid }
  }
`;

/** One merged pull request with its reviews and head commit: everything a record needs, in one round trip. */
const PULL_REQUEST_FIELDS = `
  __typename
  id
  number
  title
  url
  merged
  mergedAt
  baseRefName
  headRefOid
  repository { nameWithOwner }
  author { ${ACTOR} }
  mergedBy { ${ACTOR} }
  mergeCommit { oid }
  commits(last: 1) { nodes { commit { oid } } }
  reviews(first: 100) { ${REVIEWS} }
`;

export const SEARCH_QUERY = `
  query CrosswalkMergedPullRequests($searchQuery: String!, $first: Int!, $after: String) {
    search(type: ISSUE, query: $searchQuery, first: $first, after: $after) {
      issueCount
      pageInfo { hasNextPage endCursor }
      nodes { ... on PullRequest { ${PULL_REQUEST_FIELDS} } }
    }
  }
`;

export const PULL_REQUEST_QUERY = `
  query CrosswalkPullRequest($owner: String!, $name: String!, $number: Int!) {
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) { ${PULL_REQUEST_FIELDS} }
    }
  }
`;

export const MORE_REVIEWS_QUERY = `
  query CrosswalkMoreReviews($id: ID!, $after: String) {
    node(id: $id) {
      ... on PullRequest { reviews(first: 100, after: $after) { ${REVIEWS} } }
    }
  }
`;

interface ActorNode {
  __typename?: string;
  login?: string | null;
  id?: string | null;
  name?: string | null;
}

interface ReviewNode {
  state: Payload['reviews'][number]['state'];
  submittedAt: string | null;
  author: ActorNode | null;
  commit: { oid: string } | null;
}

interface ReviewConnection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: (ReviewNode | null)[] | null;
}

export interface PullRequestNode {
  __typename?: string;
  id: string;
  number: number;
  title: string;
  url: string;
  merged: boolean;
  mergedAt: string | null;
  baseRefName: string;
  headRefOid: string | null;
  repository: { nameWithOwner: string };
  author: ActorNode | null;
  mergedBy: ActorNode | null;
  mergeCommit: { oid: string } | null;
  commits: { nodes: ({ commit: { oid: string } } | null)[] | null };
  reviews: ReviewConnection;
}

interface SearchResult {
  search: {
    issueCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: (Partial<PullRequestNode> | null)[];
  };
}

/** The latest merge time collected: progress, for logs and operators. */
const cursorSchema = progressCursorSchema('lastMergedAt');
type Cursor = z.infer<typeof cursorSchema>;

/** GitHub search qualifiers take seconds; the window is half-open, so the last included second is ceil(until) - 1 s. */
function searchRange(since: number, until: number): string {
  const first = new Date(Math.ceil(since / 1000) * 1000);
  const last = new Date(Math.ceil(until / 1000) * 1000 - 1000);
  const format = (date: Date) => date.toISOString().replace('.000Z', 'Z');
  return `${format(first)}..${format(last)}`;
}

/**
 * Search scopes: the whole org, or the configured repositories in groups small enough for GitHub's 256-character
 * query limit (several `repo:` qualifiers in one query are OR-ed).
 */
export function searchScopes(config: GitHubConfig): string[] {
  const repositories = configuredRepositories(config);
  if (!repositories) return [`org:${config.org}`];
  const scopes: string[] = [];
  let current: string[] = [];
  for (const repository of repositories) {
    const qualifier = `repo:${repository}`;
    if (current.length > 0 && [...current, qualifier].join(' ').length > 180) {
      scopes.push(current.join(' '));
      current = [];
    }
    current.push(qualifier);
  }
  if (current.length > 0) scopes.push(current.join(' '));
  return scopes;
}

export function mergedSearchQuery(scope: string, since: number, until: number): string {
  // created-asc: an order that later activity on a merged PR (comments, labels) cannot reshuffle mid-pagination.
  return `is:pr is:merged merged:${searchRange(since, until)} sort:created-asc ${scope}`;
}

type Review = Payload['reviews'][number];
type Facts = Pick<
  Payload,
  | 'approvedByNonAuthor'
  | 'approvalOnFinalCommit'
  | 'selfMerged'
  | 'approvalsBeforeMerge'
  | 'changesRequestedAtMerge'
  | 'approvedAfterMerge'
>;

/**
 * Each reviewer's review that stood when the pull request was merged, as GitHub judges a review decision: a
 * reviewer's latest APPROVED or CHANGES_REQUESTED review replaces their earlier ones, a COMMENTED (or PENDING) review
 * replaces nothing, and a DISMISSED review counts for nothing (whichever it was before). Reviews submitted at or
 * after the merge did not exist when it happened. The author's own reviews never count.
 */
export function standingReviews(input: {
  author: Person | null;
  mergedAt: string;
  reviews: readonly Review[];
}): Review[] {
  const latest: Review[] = [];
  const ordered = input.reviews
    .filter(
      (review) =>
        review.reviewer !== null &&
        !sameAccount(review.reviewer, input.author) &&
        review.submittedAt !== null &&
        review.submittedAt < input.mergedAt &&
        (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED' || review.state === 'DISMISSED'),
    )
    .sort((a, b) => a.submittedAt!.localeCompare(b.submittedAt!));
  for (const review of ordered) {
    const index = latest.findIndex((known) => sameAccount(known.reviewer, review.reviewer));
    if (index >= 0) latest.splice(index, 1);
    latest.push(review);
  }
  return latest.filter((review) => review.state !== 'DISMISSED');
}

/**
 * Decides the facts from the reviews, as they stood at the merge: what an auditor filters on describes the state in
 * which the change went in, so an approval given afterwards is recorded apart (`approvedAfterMerge`), never as an
 * approval. Exported for the tests that pin each rule down.
 */
export function approvalFacts(input: {
  author: Person | null;
  mergedBy: Person | null;
  mergedAt: string;
  headCommit: string;
  reviews: Payload['reviews'];
}): Facts & { approvers: Person[] } {
  const standing = standingReviews(input);
  const approvals = standing.filter((review) => review.state === 'APPROVED');
  const approvers = approvals.map((review) => review.reviewer!);
  return {
    approvedByNonAuthor: approvals.length > 0,
    approvalOnFinalCommit: approvals.some((review) => review.commit === input.headCommit),
    selfMerged: sameAccount(input.author, input.mergedBy),
    approvalsBeforeMerge: approvers.length,
    changesRequestedAtMerge: standing.some((review) => review.state === 'CHANGES_REQUESTED'),
    approvedAfterMerge: input.reviews.some(
      (review) =>
        review.state === 'APPROVED' &&
        review.reviewer !== null &&
        !sameAccount(review.reviewer, input.author) &&
        review.submittedAt !== null &&
        review.submittedAt >= input.mergedAt,
    ),
    approvers,
  };
}

function itemName(node: Partial<PullRequestNode>): string {
  return `${node.repository?.nameWithOwner ?? 'unknown repository'}#${node.number ?? '?'}`;
}

/** Builds the draft, failing loudly on a pull request that lacks what every merged one has. */
export function pullRequestDraft(
  node: Partial<PullRequestNode>,
  reviews: ReviewNode[],
  context: { org: string; controlOwner: string | null; requests: ProvenanceRequest[] },
): EmittedDraft<'github.pull_request.approval'> {
  const item = `pull request ${itemName(node)}`;
  if (!node.repository?.nameWithOwner || typeof node.number !== 'number') {
    throw new CrosswalkError('CW_SOURCE_DATA', `GitHub returned ${item} without its repository or number`, {
      where: item,
    });
  }
  const mergedAt = sourceTime(node.mergedAt, item, 'mergedAt although it was listed as merged');
  const headCommit = node.commits?.nodes?.at(-1)?.commit.oid ?? node.headRefOid;
  if (!headCommit) {
    throw new CrosswalkError('CW_SOURCE_DATA', `GitHub returned ${item} without a head commit`, {
      where: item,
    });
  }
  const author = personOrNull(node.author);
  const mergedBy = personOrNull(node.mergedBy);
  const payloadReviews: Payload['reviews'] = reviews.map((review) => ({
    reviewer: personOrNull(review.author),
    state: review.state,
    submittedAt: review.submittedAt === null ? null : sourceTime(review.submittedAt, item, 'a review time'),
    commit: review.commit?.oid ?? null,
  }));
  const { approvers, ...facts } = approvalFacts({
    author,
    mergedBy,
    mergedAt,
    headCommit,
    reviews: payloadReviews,
  });
  const actors: EmittedDraft['actors'] = [];
  if (author) actors.push({ role: 'author', person: author });
  if (mergedBy) actors.push({ role: 'merger', person: mergedBy });
  for (const review of payloadReviews) {
    const reviewer = review.reviewer;
    if (
      !reviewer ||
      sameAccount(reviewer, author) ||
      approvers.some((approver) => sameAccount(approver, reviewer))
    ) {
      continue;
    }
    if (!actors.some((actor) => actor.role === 'reviewer' && sameAccount(actor.person, reviewer))) {
      actors.push({ role: 'reviewer', person: reviewer });
    }
  }
  const repository = node.repository.nameWithOwner;
  // Who answers for the change: its approvers at the merge; without any, whoever merged it unapproved.
  const owners = approvers.length > 0 ? approvers : mergedBy ? [mergedBy] : [];
  return {
    kind: 'github.pull_request.approval',
    occurredAt: mergedAt,
    owner: { people: owners, controlOwner: context.controlOwner },
    actors,
    source: {
      system: 'github',
      instance: context.org,
      ref: `${repository}#${node.number}`,
      url: node.url ?? null,
    },
    payload: {
      repository,
      number: node.number,
      title: node.title ?? '',
      author,
      mergedBy,
      mergedAt,
      baseBranch: node.baseRefName ?? '',
      headCommit,
      mergeCommit: node.mergeCommit?.oid ?? null,
      reviews: payloadReviews,
      ...facts,
    },
    requests: context.requests,
  };
}

class Collection {
  readonly client: GitHubClient;
  lastMergedAt: string | undefined;
  /** GitHub's issueCount summed over the ranges read (split ones count once, by their halves). */
  issueCount = 0;

  constructor(readonly ctx: CollectorContext<GitHubConfig>) {
    this.client = new GitHubClient(ctx.config, { log: ctx.log, signal: ctx.signal });
  }

  /** All reviews of a pull request: the first 100 came inline; a PR with more is paged through on its own. */
  async reviews(node: Partial<PullRequestNode>): Promise<ReviewNode[]> {
    const reviews = (node.reviews?.nodes ?? []).filter((review): review is ReviewNode => review !== null);
    let page = node.reviews?.pageInfo;
    while (page?.hasNextPage) {
      const more = await this.client.graphql<{ node: { reviews: ReviewConnection } | null }>(
        MORE_REVIEWS_QUERY,
        { id: node.id, after: page.endCursor },
        `reviews of ${itemName(node)}`,
      );
      if (!more.node) break;
      reviews.push(
        ...(more.node.reviews.nodes ?? []).filter((review): review is ReviewNode => review !== null),
      );
      page = more.node.reviews.pageInfo;
    }
    return reviews;
  }

  async emit(node: Partial<PullRequestNode>, requests: ProvenanceRequest[]): Promise<void> {
    const mark = this.client.recorder.mark();
    const reviews = await this.reviews(node);
    const draft = pullRequestDraft(node, reviews, {
      org: this.ctx.config.org,
      controlOwner: this.ctx.config.controlOwner ?? null,
      requests: [...requests, ...this.client.recorder.since(mark)],
    });
    await this.ctx.emit(draft);
    if (this.lastMergedAt === undefined || draft.occurredAt > this.lastMergedAt)
      this.lastMergedAt = draft.occurredAt;
  }

  /**
   * Every PR merged in [since, until) in one search scope, 100 per request. A range GitHub counts more than
   * 1,000 results for is split in two, since search would silently stop at the 1,000th.
   */
  async searchRange(scope: string, since: number, until: number): Promise<number> {
    const pageSize = requestSettings(this.ctx.config).pageSize;
    let after: string | null = null;
    let count = 0;
    for (;;) {
      const mark = this.client.recorder.mark();
      const query = mergedSearchQuery(scope, since, until);
      const result: SearchResult = await this.client.graphql<SearchResult>(
        SEARCH_QUERY,
        { searchQuery: query, first: pageSize, after },
        'search for merged pull requests',
      );
      if (after === null && result.search.issueCount > SEARCH_RESULT_CAP && until - since > 2000) {
        const middle = Math.floor((since + (until - since) / 2) / 1000) * 1000;
        this.ctx.log.info(
          { scope, issueCount: result.search.issueCount },
          'more merged pull requests than one search returns; splitting the window',
        );
        return (
          (await this.searchRange(scope, since, middle)) + (await this.searchRange(scope, middle, until))
        );
      }
      if (after === null) this.issueCount += result.search.issueCount;
      if (after === null && result.search.issueCount > SEARCH_RESULT_CAP) {
        this.ctx.log.warn(
          { scope, issueCount: result.search.issueCount, since: new Date(since).toISOString() },
          'more merged pull requests in two seconds than GitHub search returns; only the first 1,000 are read',
        );
      }
      const requests = this.client.recorder.since(mark);
      for (const node of result.search.nodes) {
        if (node === null || node.__typename !== 'PullRequest') continue;
        const mergedAt = node.mergedAt ? Date.parse(node.mergedAt) : Number.NaN;
        // Search dates are whole seconds; the window is exact. A missing mergedAt fails in pullRequestDraft.
        if (mergedAt < since || mergedAt >= until) continue;
        await this.emit(node, requests);
        count += 1;
      }
      if (!result.search.pageInfo.hasNextPage) return count;
      after = result.search.pageInfo.endCursor;
    }
  }

  async one(repository: string, number: number): Promise<void> {
    const [owner, name] = repository.split('/') as [string, string];
    const mark = this.client.recorder.mark();
    const result = await this.client.graphql<{
      repository: { pullRequest: Partial<PullRequestNode> | null } | null;
    }>(PULL_REQUEST_QUERY, { owner, name, number }, `pull request ${repository}#${number}`);
    const node = result.repository?.pullRequest;
    if (!node) {
      throw new CrosswalkError('CW_NOT_FOUND', `GitHub has no pull request ${repository}#${number}`, {
        where: `${repository}#${number}`,
      });
    }
    if (!node.merged) {
      this.ctx.log.info({ repository, number }, 'pull request is not merged; nothing to record yet');
      return;
    }
    await this.emit(node, this.client.recorder.since(mark));
  }
}

function filterTarget(config: GitHubConfig, filter: Readonly<Record<string, string>>) {
  const repository = filter.repository;
  const number = Number(filter.number);
  if (!repository || !/^[^/]+\/[^/]+$/.test(repository) || !Number.isInteger(number) || number <= 0) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      'pull_request_approvals takes a filter of { repository: "org/name", number: "<positive integer>" }',
      { where: 'filter' },
    );
  }
  const owner = repository.split('/')[0]!;
  const allowed = configuredRepositories(config)?.map((name) => name.toLowerCase());
  if (
    owner.toLowerCase() !== config.org.toLowerCase() ||
    (allowed && !allowed.includes(repository.toLowerCase()))
  ) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${repository} is not one of this connector's repositories`,
      {
        where: 'filter.repository',
      },
    );
  }
  return { repository, number };
}

/**
 * `github.pull_request.approval`: every pull request merged in the window, with its reviews, through GraphQL
 * search in pages of 100 (1,000 PRs take about ten requests, not one per PR). With a webhook's filter
 * `{ repository, number }` it fetches that one pull request, whatever the window.
 */
export const pullRequestApprovals: CollectorDefinition<GitHubConfig, Cursor> = {
  id: 'pull_request_approvals',
  kind: 'github.pull_request.approval',
  cursorSchema,
  description:
    'Every pull request merged in the window with its reviews and the approval facts an auditor tests',
  async collect(ctx) {
    const collection = new Collection(ctx);
    const filtered = ctx.filter.repository !== undefined || ctx.filter.number !== undefined;
    if (filtered) {
      const { repository, number } = filterTarget(ctx.config, ctx.filter);
      await collection.one(repository, number);
    } else {
      const since = Date.parse(ctx.window.since);
      const until = Date.parse(ctx.window.until);
      let total = 0;
      for (const scope of searchScopes(ctx.config))
        total += await collection.searchRange(scope, since, until);
      ctx.log.info(
        { pullRequests: total, requests: collection.client.recorder.entries.length },
        'merged pull requests collected',
      );
    }
    // The cursor records progress; membership is the window's, so a rerun re-lists and the locker dedups.
    saveProgress(ctx, 'lastMergedAt', collection.lastMergedAt);
    // GitHub's own count of the window, for the IPE pack to reconcile with what was stored; one pull request
    // fetched by a webhook's filter has none.
    return filtered ? {} : { sourceTotal: collection.issueCount };
  },
};
