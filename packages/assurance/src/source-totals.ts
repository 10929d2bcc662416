import type { EvidenceKind } from '@crosswalk/core';

/**
 * The source's own count of a population, per kind: the reconciliation an auditor asks for first ("the system says
 * 412 changes, your list has 412"). A collector whose source reports a count records it in its run manifest
 * (`sourceTotal`); the pack sums it over the collector runs whose window lies inside the control's, against what
 * those runs stored, and states any difference run by run. A kind whose source gives no count says why, never a
 * bare null.
 */
export type SourceTotal =
  | {
      kind: string;
      /** The source's count over the runs below. */
      total: number;
      /** Items those runs' manifests (chain-verified) name as stored or already stored. */
      stored: number;
      /** total - stored: positive when the source counted items the runs did not store. */
      difference: number;
      ok: boolean;
      /** Successful collector runs with a source count whose window lies inside the control's window. */
      runs: number;
      /** The runs where the two disagree (at most 100), so the difference is traced, not only stated. */
      differing: RunTotal[];
      basis: string;
    }
  | {
      kind: string;
      /** No count recorded for the window (see `why`). */
      total: null;
      why: string;
    };

/** One collector run's count as its manifest holds it. */
export interface RunTotal {
  runId: string;
  window: { since: string; until: string };
  sourceTotal: number;
  stored: number;
}

const DIFFERING_LISTED = 100;

const JIRA_WHY =
  'tickets from the enhanced JQL search (POST /rest/api/3/search/jql), which returns pages without a total; ' +
  "Jira's approximate-count endpoint gives only an estimate, which the collector does not record.";

const WHY: Partial<Record<EvidenceKind, string>> = {
  'github.pull_request.approval':
    "no run of the window recorded GitHub search's issueCount (manifests before the collector kept it have " +
    'none, nor do runs of one pull request named by a webhook).',
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
  'entra.users_snapshot':
    "one snapshot per day; Microsoft Graph's user list pages by @odata.nextLink and the collector asks no $count.",
  'entra.user_lifecycle':
    'entries of the directory audit log, read page by page; the audit log returns no total.',
  'entra.policy':
    'one snapshot per day of the Conditional Access policies and the authentication methods policy.',
  'entra.access_review':
    'access review instances and their decisions, paged by @odata.nextLink; the collector asks no $count.',
  'entra.sign_in_summary':
    'one aggregate per day of the sign-in log, read page by page; the sign-in log returns no total.',
  'gitlab.merge_request.approval':
    "merged merge requests are listed by update time, page by page, and kept when their merge falls in the run's " +
    'window; the collector records no total.',
  'jira.deprovisioning_ticket': JIRA_WHY,
  'jira.provisioning_ticket': JIRA_WHY,
  'jira.access_review_ticket': JIRA_WHY,
  'crosswalk.deprovisioning_timeliness':
    'derived by Crosswalk from other records (tickets and removals), not read from a source: no source total exists.',
};

/**
 * Per kind of a control, in its order: the source's total reconciled with what its runs stored, or why there is
 * none. `runs` are the successful collector runs of the kinds whose manifest holds a source count, every
 * connector's, with their windows (the caller keeps those inside the control's window).
 */
export function sourceTotals(
  kinds: readonly string[],
  runs: readonly (RunTotal & { kind: string })[],
): SourceTotal[] {
  return [...new Set(kinds)].map((kind): SourceTotal => {
    const counted = runs.filter((r) => r.kind === kind);
    if (counted.length === 0) {
      return {
        kind,
        total: null,
        why: WHY[kind as EvidenceKind] ?? 'no collector of this kind records a source total.',
      };
    }
    const total = counted.reduce((sum, r) => sum + r.sourceTotal, 0);
    const stored = counted.reduce((sum, r) => sum + r.stored, 0);
    return {
      kind,
      total,
      stored,
      difference: total - stored,
      ok: total === stored,
      runs: counted.length,
      differing: counted
        .filter((r) => r.sourceTotal !== r.stored)
        .slice(0, DIFFERING_LISTED)
        .map(({ runId, window, sourceTotal, stored }) => ({ runId, window, sourceTotal, stored })),
      basis:
        "the source's count for each collector run whose window lies inside the control's, against the items " +
        'that run stored or found already stored; a window collected twice counts on both sides.',
    };
  });
}
