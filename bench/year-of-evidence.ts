/**
 * Drafts of daily snapshot evidence for the benchmarks that seed a year of a locker (control-tests,
 * console-pages): each a record as the GitHub connector would collect it, dated 00:00 UTC of its day.
 */
import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';

/** 00:00 UTC of the `n`th day after `from`. */
export const dayAfter = (from: string, n: number) =>
  new Date(Date.parse(from) + n * 86_400_000).toISOString();

/**
 * Repository `repo`'s branch protection on day `n` after `from` (00:00 UTC); repo-7 is left unprotected every
 * 30th day, so a daily control has a few exceptions.
 */
export function protectionDraft(
  from: string,
  n: number,
  repo: number,
): EvidenceDraft<'github.branch_protection'> {
  const at = dayAfter(from, n);
  return {
    kind: 'github.branch_protection',
    occurredAt: at,
    collectedAt: at.replace('T00:00', 'T02:00'),
    owner: { people: [], controlOwner: 'Platform team' },
    actors: [],
    source: { system: 'github', instance: 'acme', ref: `acme/repo-${repo}@main`, url: null },
    controls: controlsFor('github.branch_protection'),
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
    provenance: {
      connector: { id: 'github-acme', type: 'github', version: '0.1.0' },
      collector: 'branch_protection',
      runId: `run-${at.slice(0, 10)}`,
      trigger: { type: 'schedule', scheduler: null },
      requests: [
        {
          method: 'GET',
          path: `/repos/acme/repo-${repo}/branches/main/protection`,
          status: 200,
          requestId: null,
        },
      ],
    },
  };
}

/** The organization's members snapshot on day `n` after `from`. */
export function membersDraft(from: string, n: number): EvidenceDraft<'github.org_members'> {
  const at = dayAfter(from, n);
  return {
    kind: 'github.org_members',
    occurredAt: at,
    collectedAt: at.replace('T00:00', 'T02:00'),
    owner: { people: [], controlOwner: 'Platform team' },
    actors: [],
    source: { system: 'github', instance: 'acme', ref: 'acme', url: null },
    controls: controlsFor('github.org_members'),
    payload: {
      organization: 'acme',
      twoFactorRequired: true,
      members: [],
      outsideCollaborators: null,
      membersWithoutTwoFactor: null,
      limitations: [],
    },
    provenance: {
      connector: { id: 'github-acme', type: 'github', version: '0.1.0' },
      collector: 'org_members',
      runId: `run-${at.slice(0, 10)}`,
      trigger: { type: 'schedule', scheduler: null },
      requests: [{ method: 'GET', path: '/orgs/acme/members?per_page=100', status: 200, requestId: null }],
    },
  };
}
