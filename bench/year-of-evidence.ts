/**
 * Drafts of evidence for the benchmarks that seed a year of a locker (control-tests, console-pages): pull requests
 * spread over the year, and daily snapshots dated 00:00 UTC of their day, each a record as the GitHub connector
 * would collect it.
 */
import { type PrCase, prDraft } from '@crosswalk/assurance/testing';
import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';
import { scheduledProvenance } from '@crosswalk/core/testing';

/**
 * The `i`th of `spread.count` pull requests merged evenly over `spread.days` from `spread.from` (an hour into its
 * slot), with `base`'s review history moved to that merge: each review keeps its offset from the merge.
 */
export function spreadPullRequest(
  base: PrCase,
  i: number,
  spread: { from: string; days: number; count: number },
): EvidenceDraft<'github.pull_request.approval'> {
  const slot = Math.floor((i * spread.days * 86_400_000) / spread.count);
  const mergedAt = new Date(Date.parse(spread.from) + slot + 3_600_000).toISOString();
  const shift = Date.parse(mergedAt) - Date.parse(base.mergedAt);
  const reviews = base.reviews.map((r) => ({
    ...r,
    submittedAt: r.submittedAt && new Date(Date.parse(r.submittedAt) + shift).toISOString(),
  }));
  return prDraft({ ...base, mergedAt, reviews }, i + 1);
}

/** 00:00 UTC of the `n`th day after `from`. */
export const dayAfter = (from: string, n: number) =>
  new Date(Date.parse(from) + n * 86_400_000).toISOString();

/** A daily snapshot as the GitHub connector's `collector` stores it: read at 02:00 UTC with one GET of `path`. */
function snapshotDraft<Kind extends 'github.branch_protection' | 'github.org_members'>(
  kind: Kind,
  at: string,
  taken: { ref: string; collector: string; path: string; payload: EvidenceDraft<Kind>['payload'] },
): EvidenceDraft<Kind> {
  return {
    kind,
    occurredAt: at,
    collectedAt: at.replace('T00:00', 'T02:00'),
    owner: { people: [], controlOwner: 'Platform team' },
    actors: [],
    source: { system: 'github', instance: 'acme', ref: taken.ref, url: null },
    controls: controlsFor(kind),
    payload: taken.payload,
    provenance: scheduledProvenance(
      { id: 'github-acme', type: 'github' },
      taken.collector,
      `run-${at.slice(0, 10)}`,
      [{ method: 'GET', path: taken.path, status: 200, requestId: null }],
    ),
  } as EvidenceDraft<Kind>;
}

/**
 * Repository `repo`'s branch protection on day `n` after `from` (00:00 UTC); repo-7 is left unprotected every
 * 30th day, so a daily control has a few exceptions.
 */
export function protectionDraft(
  from: string,
  n: number,
  repo: number,
): EvidenceDraft<'github.branch_protection'> {
  return snapshotDraft('github.branch_protection', dayAfter(from, n), {
    ref: `acme/repo-${repo}@main`,
    collector: 'branch_protection',
    path: `/repos/acme/repo-${repo}/branches/main/protection`,
    payload: {
      repository: `acme/repo-${repo}`,
      branch: 'main',
      emptyRepository: false,
      protected: repo !== 7 || n % 30 !== 0,
      rules: [
        {
          source: 'classic',
          name: 'main',
          requiredApprovals: 1,
          dismissStaleReviews: true,
          requireCodeOwnerReviews: false,
          enforceAdmins: true,
          bypassActors: [],
          ruleTypes: ['pull_request'],
        },
      ],
    },
  });
}

/** The organization's members snapshot on day `n` after `from`. */
export function membersDraft(from: string, n: number): EvidenceDraft<'github.org_members'> {
  return snapshotDraft('github.org_members', dayAfter(from, n), {
    ref: 'acme',
    collector: 'org_members',
    path: '/orgs/acme/members?per_page=100',
    payload: {
      organization: 'acme',
      twoFactorRequired: true,
      members: [],
      outsideCollaborators: null,
      membersWithoutTwoFactor: null,
      limitations: [],
    },
  });
}
