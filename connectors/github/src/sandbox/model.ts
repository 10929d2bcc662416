/**
 * What the fake GitHub knows: one organization with people, repositories, merged pull requests with reviews,
 * protection settings and an audit log. Tests build it with the helpers below; the server renders it in REST and
 * GraphQL shapes.
 */
import { createHash } from 'node:crypto';
import type { Account, ClassicProtectionShape, RepositoryShape, RulesetShape } from './templates.js';

export type { Account, ClassicProtectionShape, RulesetShape };

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface FakeReview {
  author: Account | null;
  state: ReviewState;
  submittedAt: string;
  commit: string;
}

export interface FakePullRequest {
  number: number;
  title: string;
  author: Account;
  mergedBy: Account | null;
  createdAt: string;
  /** null with `listedAsMergedAt` set: the malformed case, search lists it as merged but it has no mergedAt. */
  mergedAt: string | null;
  listedAsMergedAt?: string;
  baseRefName: string;
  commits: string[];
  mergeCommit: string | null;
  reviews: FakeReview[];
}

export interface FakeRepository extends Omit<RepositoryShape, 'org'> {
  classicProtection: ClassicProtectionShape | null;
  rulesets: RulesetShape[];
  pulls: FakePullRequest[];
}

export interface FakeAuditEvent {
  id: string;
  timestamp: number;
  action: string;
  actor: string;
  user: string;
}

export interface FakeOrganization {
  account: Account;
  /** null: the credentials are not an owner's, so GitHub leaves the field out. */
  twoFactorRequired: boolean | null;
  members: { user: Account; role: 'admin' | 'member' }[];
  outsideCollaborators: Account[];
  /** null: only owners may filter by 2FA; GitHub answers 422. */
  membersWithoutTwoFactor: Account[] | null;
  /** false: not Enterprise Cloud, GitHub answers 404. */
  auditLogAvailable: boolean;
  auditLog: FakeAuditEvent[];
  repositories: FakeRepository[];
}

let nextId = 1000;

export function account(login: string, name: string | null = null): Account {
  const id = nextId++;
  return { login, id, node_id: `U_${Buffer.from(`user:${login}`).toString('base64url')}`, name };
}

/** A deterministic 40-hex commit id. */
export function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

export function organization(login: string, overrides: Partial<FakeOrganization> = {}): FakeOrganization {
  return {
    account: { login, id: nextId++, node_id: `O_${Buffer.from(`org:${login}`).toString('base64url')}` },
    twoFactorRequired: true,
    members: [],
    outsideCollaborators: [],
    membersWithoutTwoFactor: [],
    auditLogAvailable: true,
    auditLog: [],
    repositories: [],
    ...overrides,
  };
}

export function repository(name: string, overrides: Partial<FakeRepository> = {}): FakeRepository {
  return {
    name,
    id: nextId++,
    defaultBranch: 'main',
    archived: false,
    private: true,
    empty: false,
    classicProtection: null,
    rulesets: [],
    pulls: [],
    ...overrides,
  };
}

/**
 * A merged pull request: `author` opens it at `createdAt`, pushes `commits` (the last is the head), `reviews`
 * happen, `mergedBy` merges at `mergedAt`.
 */
export function mergedPullRequest(
  number: number,
  fields: Pick<FakePullRequest, 'author' | 'mergedAt'> & Partial<FakePullRequest>,
): FakePullRequest {
  const mergedAt = fields.mergedAt ?? fields.listedAsMergedAt!;
  return {
    number,
    title: `Change ${number}`,
    mergedBy: fields.author,
    createdAt: new Date(Date.parse(mergedAt) - 3_600_000).toISOString().replace('.000Z', 'Z'),
    baseRefName: 'main',
    commits: [sha(`${number}:1`)],
    mergeCommit: sha(`${number}:merge`),
    reviews: [],
    ...fields,
  };
}

export function review(
  author: Account | null,
  state: ReviewState,
  submittedAt: string,
  commit: string,
): FakeReview {
  return { author, state, submittedAt, commit };
}

/** GitHub's timestamps have whole seconds: `2026-03-10T14:22:05Z`. */
export function githubTime(at: number | string | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
