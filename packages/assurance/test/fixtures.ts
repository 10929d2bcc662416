import { controlsFor } from '@crosswalk/controls';
import { type EvidenceDraft, kindDeclaration, type Person } from '@crosswalk/core';
import { scheduledProvenance } from '@crosswalk/core/testing';
import type { Locker } from '@crosswalk/locker';
import { collectorRun, runDraft } from '@crosswalk/locker/testing';

/**
 * Histories with known answers for control tests: pull requests whose review histories are the cases an auditor
 * asks about, and quarterly access review campaigns.
 */
const HEAD = 'f'.repeat(40);
const OLD = 'a'.repeat(40);
type Review = EvidenceDraft<'github.pull_request.approval'>['payload']['reviews'][number];

const review = (login: string, state: Review['state'], submittedAt: string, commit = HEAD): Review => ({
  reviewer: { login },
  state,
  submittedAt,
  commit,
});

export interface PrCase {
  name: string;
  mergedAt: string;
  author: string;
  mergedBy: string;
  reviews: Review[];
  /** The facts as GitHub judged the review decision at the merge (stated by hand, not computed). */
  facts: {
    approvalsBeforeMerge: number;
    approvalOnFinalCommit: boolean;
    changesRequestedAtMerge: boolean;
    approvedAfterMerge: boolean;
  };
  /** The failed facts the starter control must report; empty = passes. */
  expected: string[];
}

const M = (day: string) => `2026-02-${day}T12:00:00.000Z`;
const B = (day: string, hour = '10') => `2026-02-${day}T${hour}:00:00.000Z`;

/** The facts of a change approved once before its merge, on its final commit, with nothing standing against it. */
const REVIEWED: PrCase['facts'] = {
  approvalsBeforeMerge: 1,
  approvalOnFinalCommit: true,
  changesRequestedAtMerge: false,
  approvedAfterMerge: false,
};

/** The facts of a change merged without any approval standing before it, and nothing else against it. */
const UNAPPROVED: PrCase['facts'] = { ...REVIEWED, approvalsBeforeMerge: 0, approvalOnFinalCommit: false };

export const PR_CASES: PrCase[] = [
  {
    name: 'approved by another on the merged commit',
    mergedAt: M('02'),
    author: 'alice',
    mergedBy: 'alice',
    reviews: [review('bob', 'APPROVED', B('02'))],
    facts: REVIEWED,
    expected: [],
  },
  {
    name: 'self-approval only',
    mergedAt: M('03'),
    author: 'alice',
    mergedBy: 'alice',
    reviews: [review('alice', 'APPROVED', B('03'))],
    facts: UNAPPROVED,
    expected: ['approvalsBeforeMerge = 0, needs 1'],
  },
  {
    name: 'stale approval: on an earlier commit',
    mergedAt: M('04'),
    author: 'carol',
    mergedBy: 'carol',
    reviews: [review('bob', 'APPROVED', B('04'), OLD)],
    facts: {
      approvalsBeforeMerge: 1,
      approvalOnFinalCommit: false,
      changesRequestedAtMerge: false,
      approvedAfterMerge: false,
    },
    expected: ['approvalOnFinalCommit = false: no standing approval was on the merged commit'],
  },
  {
    name: 'approval dismissed before the merge',
    mergedAt: M('05'),
    author: 'carol',
    mergedBy: 'dave',
    reviews: [review('bob', 'DISMISSED', B('05'))],
    facts: UNAPPROVED,
    expected: ['approvalsBeforeMerge = 0, needs 1'],
  },
  {
    name: 'another reviewer requested changes after the approval',
    mergedAt: M('06'),
    author: 'alice',
    mergedBy: 'alice',
    reviews: [review('bob', 'APPROVED', B('06', '09')), review('erin', 'CHANGES_REQUESTED', B('06', '11'))],
    facts: {
      approvalsBeforeMerge: 1,
      approvalOnFinalCommit: true,
      changesRequestedAtMerge: true,
      approvedAfterMerge: false,
    },
    expected: ['changesRequestedAtMerge = true: a reviewer stood at "changes requested" when it was merged'],
  },
  {
    name: 'the approver took the approval back with a change request',
    mergedAt: M('09'),
    author: 'alice',
    mergedBy: 'alice',
    reviews: [review('bob', 'APPROVED', B('09', '09')), review('bob', 'CHANGES_REQUESTED', B('09', '11'))],
    facts: {
      approvalsBeforeMerge: 0,
      approvalOnFinalCommit: false,
      changesRequestedAtMerge: true,
      approvedAfterMerge: false,
    },
    expected: [
      'approvalsBeforeMerge = 0, needs 1',
      'changesRequestedAtMerge = true: a reviewer stood at "changes requested" when it was merged',
    ],
  },
  {
    name: 'approved only after the merge',
    mergedAt: M('10'),
    author: 'dave',
    mergedBy: 'dave',
    reviews: [review('bob', 'APPROVED', '2026-02-10T15:00:00.000Z')],
    facts: {
      approvalsBeforeMerge: 0,
      approvalOnFinalCommit: false,
      changesRequestedAtMerge: false,
      approvedAfterMerge: true,
    },
    expected: [
      'approvalsBeforeMerge = 0, needs 1 (approved only after the merge: approvedAfterMerge = true)',
    ],
  },
  {
    name: 'approved, then a comment (which changes nothing)',
    mergedAt: M('11'),
    author: 'dave',
    mergedBy: 'erin',
    reviews: [review('bob', 'APPROVED', B('11', '09')), review('erin', 'COMMENTED', B('11', '10'))],
    facts: REVIEWED,
    expected: [],
  },
];

/** Whether the record schema already carries the state-at-merge facts (older records lack them). */
const stateAtMergeStored =
  'changesRequestedAtMerge' in
  (kindDeclaration('github.pull_request.approval').payload as unknown as { shape: object }).shape;

export function prDraft(c: PrCase, number: number): EvidenceDraft<'github.pull_request.approval'> {
  const person = (login: string): Person => ({ login });
  const { changesRequestedAtMerge, approvedAfterMerge, ...facts } = c.facts;
  return {
    kind: 'github.pull_request.approval',
    occurredAt: c.mergedAt,
    collectedAt: `${c.mergedAt.slice(0, 10)}T13:00:00.000Z`,
    owner: { people: [person('bob')], controlOwner: 'Engineering leads' },
    actors: [
      { role: 'author', person: person(c.author) },
      { role: 'merger', person: person(c.mergedBy) },
    ],
    source: {
      system: 'github',
      instance: 'acme',
      ref: `acme/api#${number}`,
      url: `https://github.com/acme/api/pull/${number}`,
    },
    controls: controlsFor('github.pull_request.approval'),
    payload: {
      repository: 'acme/api',
      number,
      title: c.name,
      author: person(c.author),
      mergedBy: person(c.mergedBy),
      mergedAt: c.mergedAt,
      baseBranch: 'main',
      headCommit: HEAD,
      mergeCommit: 'e'.repeat(40),
      reviews: c.reviews,
      approvedByNonAuthor: facts.approvalsBeforeMerge > 0,
      selfMerged: c.author === c.mergedBy,
      ...facts,
      ...(stateAtMergeStored ? { changesRequestedAtMerge, approvedAfterMerge } : {}),
    } as EvidenceDraft<'github.pull_request.approval'>['payload'],
    provenance: scheduledProvenance(
      { id: 'github-acme', type: 'github' },
      'pull_request_approvals',
      `run-${c.mergedAt.slice(0, 10)}`,
      [{ method: 'POST', path: '/graphql', status: 200, requestId: null }],
    ),
  };
}

/**
 * Stores the cases and one run manifest per day naming what it stored; returns ids by case name. `sourceTotal`
 * gives the count GitHub reported for a case's run (none when it returns undefined, as before collectors kept it).
 */
export async function seedPullRequests(
  locker: Locker,
  sourceTotal: (caseIndex: number) => number | undefined = () => undefined,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let number = 100;
  for (const [index, c] of PR_CASES.entries()) {
    const total = sourceTotal(index);
    const stored = await locker.storeDraft(prDraft(c, number++));
    ids.set(c.name, stored.id);
    const day = c.mergedAt.slice(0, 10);
    await locker.runs.append(
      runDraft({
        runId: `run-${day}`,
        startedAt: `${day}T13:00:00.000Z`,
        finishedAt: `${day}T13:01:00.000Z`,
        collectors: [
          collectorRun({
            id: 'pull_request_approvals',
            kind: 'github.pull_request.approval',
            window: { since: `${day}T00:00:00.000Z`, until: `${day}T13:00:00.000Z` },
            stored: 1,
            ...(total !== undefined ? { sourceTotal: total } : {}),
          }),
        ],
        records: [
          { id: stored.id, kind: 'github.pull_request.approval', sha256: stored.sha256, key: stored.key },
        ],
      }),
    );
  }
  return ids;
}

/** A completed Okta access review campaign ending at `endDate`, with one revoke in the state given. */
export function accessReviewDraft(
  endDate: string,
  revoke: { remediationStatus: string | null; decidedAt: string },
): EvidenceDraft<'okta.access_review'> {
  return {
    kind: 'okta.access_review',
    occurredAt: endDate,
    collectedAt: new Date(Date.parse(endDate) + 20 * 86_400_000).toISOString(),
    owner: { people: [{ login: 'sec-lead' }], controlOwner: 'Security team' },
    actors: [],
    source: { system: 'okta', instance: 'acme.okta.com', ref: `campaign-${endDate.slice(0, 10)}`, url: null },
    controls: controlsFor('okta.access_review'),
    payload: {
      org: 'acme.okta.com',
      campaign: {
        id: `cmp-${endDate.slice(0, 10)}`,
        name: `Quarterly review ${endDate.slice(0, 7)}`,
        description: null,
        status: 'COMPLETED',
        scheduleType: null,
        reviewerType: null,
        startDate: null,
        endDate,
        recurringCampaignId: null,
        createdBy: null,
        remediation: null,
      },
      reviews: [
        {
          id: 'r1',
          reviewer: { login: 'sec-lead' },
          reviewerType: null,
          reviewerLevel: null,
          principal: { login: 'zed' },
          resourceId: 'app-1',
          decision: 'REVOKE',
          decidedAt: revoke.decidedAt,
          remediationStatus: revoke.remediationStatus,
          delegated: null,
        },
        {
          id: 'r2',
          reviewer: { login: 'sec-lead' },
          reviewerType: null,
          reviewerLevel: null,
          principal: { login: 'yan' },
          resourceId: 'app-1',
          decision: 'APPROVE',
          decidedAt: revoke.decidedAt,
          remediationStatus: null,
          delegated: null,
        },
      ],
      facts: {
        reviews: 2,
        approved: 1,
        revoked: 1,
        unreviewed: 0,
        allDecided: true,
        revokedAndRemediated: revoke.remediationStatus === 'SUCCESS' ? 1 : 0,
        revokedNotRemediated: revoke.remediationStatus === 'SUCCESS' ? 0 : 1,
      },
    },
    provenance: scheduledProvenance({ id: 'okta-acme', type: 'okta' }, 'access_reviews', 'run-okta', [
      {
        method: 'GET',
        path: '/governance/api/v1/campaigns?filter=status eq "COMPLETED"',
        status: 200,
        requestId: null,
      },
    ]),
  };
}

/**
 * An Entra ID access review instance ending at `endDate`: one approve, one deny applied a day after its decision, and
 * one deny (of `dave`) never applied.
 */
export function entraAccessReviewDraft(
  endDate: string,
  collectedAfterDays = 20,
): EvidenceDraft<'entra.access_review'> {
  const decidedAt = new Date(Date.parse(endDate) - 5 * 86_400_000).toISOString();
  const decision = (login: string, outcome: string, applied: string | null) => ({
    id: `d-${login}`,
    principal: { login },
    resource: { id: 'g1', displayName: 'Salesforce users', type: 'group' },
    decision: outcome,
    reviewedBy: { login: 'sec-lead' },
    reviewedDateTime: decidedAt,
    justification: null,
    recommendation: null,
    applyResult: outcome === 'Deny' ? (applied ? 'AppliedSuccessfully' : 'New') : 'AppliedSuccessfully',
    appliedBy: null,
    appliedDateTime: applied,
    denyApplied: outcome === 'Deny' ? applied !== null : null,
  });
  return {
    kind: 'entra.access_review',
    occurredAt: endDate,
    collectedAt: new Date(Date.parse(endDate) + collectedAfterDays * 86_400_000).toISOString(),
    owner: { people: [{ login: 'sec-lead' }], controlOwner: 'Security team' },
    actors: [],
    source: {
      system: 'entra',
      instance: 'contoso.onmicrosoft.com',
      ref: `instance-${endDate.slice(0, 10)}`,
      url: null,
    },
    controls: controlsFor('entra.access_review'),
    payload: {
      tenant: 'contoso.onmicrosoft.com',
      definition: {
        id: 'def-1',
        displayName: 'Salesforce access',
        status: 'InProgress',
        descriptionForAdmins: null,
        createdBy: null,
        scope: null,
        reviewers: null,
        autoApplyDecisionsEnabled: true,
        defaultDecision: 'None',
        defaultDecisionEnabled: false,
        recurrence: null,
      },
      instance: {
        id: `instance-${endDate.slice(0, 10)}`,
        status: 'Applied',
        startDateTime: null,
        endDateTime: endDate,
      },
      decisions: [
        decision('alice', 'Approve', null),
        decision('bob', 'Deny', new Date(Date.parse(decidedAt) + 86_400_000).toISOString()),
        decision('dave', 'Deny', null),
      ],
      facts: {
        decisions: 3,
        approved: 1,
        denied: 2,
        notReviewed: 0,
        dontKnow: 0,
        allReviewed: true,
        deniedAndApplied: 1,
        deniedNotApplied: 1,
      },
    },
    provenance: scheduledProvenance({ id: 'entra-contoso', type: 'entra' }, 'access_reviews', 'run-entra', [
      {
        method: 'GET',
        path: '/identityGovernance/accessReviews/definitions',
        status: 200,
        requestId: null,
      },
    ]),
  };
}

export {
  branchProtectionDraft,
  CONNECTOR,
  FAILED_RUN_DAY,
  MISSING_SNAPSHOT_DAY,
  NO_RUN_DAY,
  NOW,
  PULL_REQUESTS,
  RUN_DAYS,
  type Seeded,
  SNAPSHOT_DAYS,
  seedLocker,
  WINDOW,
} from './seeded-locker.js';
