import type { CollectionWindow } from '@crosswalk/core';
import type { Approval } from './approvals.js';
import { encodeId, type GitLabClient } from './client.js';
import { type GitLabUser, personOf, sourceTime } from './people.js';
import type { GitLabProject } from './projects.js';

/** The fields of GitLab's merge request entity (MergeRequestBasic) the collector reads. */
export interface MergeRequestItem {
  iid: number;
  title: string;
  created_at: string;
  merged_at?: string | null;
  author?: GitLabUser | null;
  /** `merged_by` is deprecated in favour of `merge_user` (GitLab 14.7); older instances send only the former. */
  merge_user?: GitLabUser | null;
  merged_by?: GitLabUser | null;
  target_branch: string;
  source_branch: string;
  source_project_id?: number;
  project_id?: number;
  sha?: string | null;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
}

/** The fields of GitLab's event entity the collector reads (`approved` and `pushed` events). */
interface EventItem {
  action_name?: string;
  target_iid?: number | null;
  created_at: string;
  author?: GitLabUser | null;
  push_data?: { commit_to?: string | null; ref?: string | null; ref_type?: string | null } | null;
}

interface DiffVersion {
  head_commit_sha?: string | null;
  created_at?: string | null;
}

/**
 * The merge requests of one project merged inside the window. GitLab's list filters on update time, not merge time:
 * a merge is an update, so every merge request merged since the window's start was updated since then too.
 */
export async function mergedInWindow(
  client: GitLabClient,
  project: GitLabProject,
  window: CollectionWindow,
): Promise<MergeRequestItem[]> {
  const merged: MergeRequestItem[] = [];
  for await (const page of client.pages<MergeRequestItem>(
    `/projects/${project.id}/merge_requests`,
    { state: 'merged', updated_after: window.since, order_by: 'updated_at', sort: 'asc' },
    `merged merge requests of ${project.path_with_namespace}`,
  )) {
    for (const mr of page) {
      if (mr.merged_at && mr.merged_at >= window.since && mr.merged_at < window.until) merged.push(mr);
    }
  }
  return merged;
}

/**
 * The day to read events after: GitLab's `after` takes a date and excludes it, and nothing can happen to a merge
 * request before it was created, so the day before the earliest creation covers every approval and push.
 */
export function eventsAfter(mergeRequests: readonly MergeRequestItem[]): string {
  const earliest = Math.min(...mergeRequests.map((mr) => Date.parse(mr.created_at)));
  return new Date(earliest - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Every approval of the project's merge requests since a day, by merge request iid, from the project's `approved`
 * events: one list for all merge requests, where the approvals API takes a request per merge request. GitLab keeps
 * no event for an approval withdrawn (README, "What the events do not say").
 */
export async function approvalsByMergeRequest(
  client: GitLabClient,
  project: GitLabProject,
  after: string,
): Promise<Map<number, Approval[]>> {
  const approvals = new Map<number, Approval[]>();
  for await (const page of client.pages<EventItem>(
    `/projects/${project.id}/events`,
    { action: 'approved', target_type: 'merge_request', after, sort: 'asc' },
    `approval events of ${project.path_with_namespace}`,
  )) {
    for (const event of page) {
      const approver = personOf(event.author);
      if (typeof event.target_iid !== 'number' || !approver) continue;
      const item = `approval event on ${project.path_with_namespace}!${event.target_iid}`;
      const list = approvals.get(event.target_iid) ?? [];
      list.push({ approver, approvedAt: sourceTime(event.created_at, item, 'created_at') });
      approvals.set(event.target_iid, list);
    }
  }
  return approvals;
}

const pushKey = (branch: string, sha: string) => `${branch}\n${sha}`;

/** When each commit was pushed to each branch of the project since a day (the first push that brought it). */
export async function pushTimes(
  client: GitLabClient,
  project: GitLabProject,
  after: string,
): Promise<Map<string, string>> {
  const times = new Map<string, string>();
  for await (const page of client.pages<EventItem>(
    `/projects/${project.id}/events`,
    { action: 'pushed', after, sort: 'asc' },
    `push events of ${project.path_with_namespace}`,
  )) {
    for (const event of page) {
      const push = event.push_data;
      if (!push?.commit_to || !push.ref || push.ref_type === 'tag') continue;
      const key = pushKey(push.ref, push.commit_to);
      const at = sourceTime(event.created_at, `push event on ${project.path_with_namespace}`, 'created_at');
      const known = times.get(key);
      if (!known || at < known) times.set(key, at);
    }
  }
  return times;
}

/**
 * When the head commit reached the merge request: the push of it to the source branch, or else (a merge request
 * from a fork, whose pushes are the fork's events) the first diff version GitLab made for it.
 */
export async function lastPush(
  client: GitLabClient,
  project: GitLabProject,
  mr: MergeRequestItem,
  pushes: ReadonlyMap<string, string>,
): Promise<{ at: string; from: 'push_event' | 'diff_version' } | null> {
  if (!mr.sha) return null;
  const pushed = pushes.get(pushKey(mr.source_branch, mr.sha));
  if (pushed && (mr.source_project_id === undefined || mr.source_project_id === project.id)) {
    return { at: pushed, from: 'push_event' };
  }
  const versions = await client.all<DiffVersion>(
    `/projects/${project.id}/merge_requests/${mr.iid}/versions`,
    {},
    `diff versions of ${project.path_with_namespace}!${mr.iid}`,
  );
  const times = versions
    .filter((version) => version.head_commit_sha === mr.sha && version.created_at)
    .map((version) =>
      sourceTime(
        version.created_at,
        `diff version of ${project.path_with_namespace}!${mr.iid}`,
        'created_at',
      ),
    )
    .sort();
  return times[0] ? { at: times[0], from: 'diff_version' } : null;
}

/** Where an auditor reads the merge request again. */
export function mergeRequestPath(project: GitLabProject, mr: MergeRequestItem): string {
  return `/projects/${encodeId(project.id)}/merge_requests/${mr.iid}`;
}
