import type { EvidenceKind } from '@crosswalk/core';

/**
 * The source's own count of a population, per kind: the reconciliation an auditor asks for first ("the system says
 * 412 changes, your list has 412"). No collector records one yet, so each kind says what its source offers and why
 * the pack has no total, instead of a bare null. When a collector records its source's total in its run manifest,
 * its kind moves from here to a reported figure.
 */
export interface SourceTotal {
  kind: string;
  /** The source's count for the window; null when none is recorded (see `why`). */
  total: null;
  why: string;
}

const WHY: Partial<Record<EvidenceKind, string>> = {
  'github.pull_request.approval':
    "GitHub's search reports issueCount for each query window; the collector reads it (to split windows above " +
    'the 1,000 results search returns) but does not record it in the run manifest yet.',
  'github.branch_protection':
    'one snapshot per repository and day: the population is the repositories read that day; the collector ' +
    'records no count of the repositories the organisation holds.',
  'github.org_members':
    "one snapshot per organisation and day, listing the members page by page; GitHub's member list returns no total.",
  'github.member_removed':
    'events from the organisation audit log, read page by page; the audit log returns no total.',
  'okta.policy': "one snapshot per day; Okta's policy list pages by cursor and returns no total.",
  'okta.users_snapshot': "one snapshot per day; Okta's user list pages by cursor and returns no total.",
  'okta.user_lifecycle': 'events from the System Log, read page by page; the System Log returns no total.',
  'okta.access_review':
    'campaigns and their reviews from Okta Identity Governance, paged by cursor; the collector records no total.',
  'jira.deprovisioning_ticket':
    'tickets from the enhanced JQL search (POST /rest/api/3/search/jql), which returns pages without a total.',
  'jira.provisioning_ticket':
    'tickets from the enhanced JQL search (POST /rest/api/3/search/jql), which returns pages without a total.',
  'jira.access_review_ticket':
    'tickets from the enhanced JQL search (POST /rest/api/3/search/jql), which returns pages without a total.',
  'crosswalk.deprovisioning_timeliness':
    'derived by Crosswalk from other records (tickets and removals), not read from a source: no source total exists.',
};

/** Per kind of a control, in its order: the source total, or why there is none. */
export function sourceTotals(kinds: readonly string[]): SourceTotal[] {
  return [...new Set(kinds)].map((kind) => ({
    kind,
    total: null,
    why: WHY[kind as EvidenceKind] ?? 'no collector of this kind records a source total.',
  }));
}
