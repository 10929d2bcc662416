/**
 * The state a loopback GitLab serves: one group with its users, members, projects (merge requests with their pushes
 * and approvals, protected branches, approval rules) and audit events. The fake derives GitLab's answers (events,
 * diff versions, approvals) from it, so a test states a history once.
 */

export interface FakeUser {
  id: number;
  username: string;
  name: string;
  twoFactor: boolean;
  state?: 'active' | 'blocked';
}

export interface FakePush {
  at: string;
  sha: string;
  userId: number;
}

export interface FakeApproval {
  userId: number;
  at: string;
}

export interface FakeMergeRequest {
  iid: number;
  title: string;
  authorId: number;
  createdAt: string;
  mergedAt: string;
  mergedById: number;
  sourceBranch: string;
  targetBranch: string;
  /** Oldest first; the last one's sha is the head commit that was merged. */
  pushes: FakePush[];
  approvals: FakeApproval[];
  /** From a fork: its pushes are the fork's events, not this project's. */
  fromFork?: boolean;
}

export interface FakeAccess {
  access_level: number;
  access_level_description: string;
}

export interface FakeProtectedBranch {
  name: string;
  push: FakeAccess[];
  merge: FakeAccess[];
  allowForcePush: boolean;
  codeOwnerApprovalRequired: boolean;
}

export interface FakeApprovalRule {
  name: string;
  ruleType: 'regular' | 'any_approver' | 'code_owner';
  approvalsRequired: number;
  userIds: number[];
  protectedBranches: string[];
}

export interface FakeProject {
  id: number;
  path: string;
  defaultBranch: string;
  protectedBranches: FakeProtectedBranch[];
  approvalRules: FakeApprovalRule[];
  approvalSettings: {
    resetApprovalsOnPush: boolean;
    authorMayApprove: boolean;
    committersMayNotApprove: boolean;
  };
  mergeRequests: FakeMergeRequest[];
}

export interface FakeMember {
  userId: number;
  accessLevel: number;
  expiresAt?: string;
}

/** A member removed from the group or one of its projects, as GitLab's audit event records it. */
export interface FakeRemoval {
  id: number;
  userId: number;
  byId: number;
  at: string;
  entityType: 'Group' | 'Project';
  entityPath: string;
}

export interface FakeGroup {
  id: number;
  fullPath: string;
  requireTwoFactor: boolean;
  users: FakeUser[];
  members: FakeMember[];
  projects: FakeProject[];
  removals: FakeRemoval[];
}

export const MAINTAINERS: FakeAccess = { access_level: 40, access_level_description: 'Maintainers' };
export const NO_ONE: FakeAccess = { access_level: 0, access_level_description: 'No one' };

export function user(id: number, username: string, twoFactor = true): FakeUser {
  const name = username.replace(
    /(^|[._])(\w)/g,
    (_match, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`,
  );
  return { id, username, name, twoFactor };
}

/** A project whose default branch `main` is protected (maintainers merge, no one pushes) with a two-approver rule. */
export function project(id: number, path: string, mergeRequests: FakeMergeRequest[] = []): FakeProject {
  return {
    id,
    path,
    defaultBranch: 'main',
    protectedBranches: [
      {
        name: 'main',
        push: [NO_ONE],
        merge: [MAINTAINERS],
        allowForcePush: false,
        codeOwnerApprovalRequired: false,
      },
    ],
    approvalRules: [
      {
        name: 'Two reviewers',
        ruleType: 'any_approver',
        approvalsRequired: 2,
        userIds: [],
        protectedBranches: ['main'],
      },
    ],
    approvalSettings: { resetApprovalsOnPush: false, authorMayApprove: false, committersMayNotApprove: true },
    mergeRequests,
  };
}

/** A 40-hex commit id from a number, stable across runs. */
export function sha(n: number): string {
  return n.toString(16).padStart(40, 'c');
}
