import { type CollectorDefinition, CrosswalkError } from '@crosswalk/core';
import { approvalFacts } from '../approvals.js';
import { GitLabClient } from '../client.js';
import type { GitLabConfig } from '../config.js';
import {
  approvalsByMergeRequest,
  eventsAfter,
  lastPush,
  mergedInWindow,
  mergeRequestPath,
  pushTimes,
} from '../merge-requests.js';
import { personOf, sourceTime } from '../people.js';
import { projectsOf } from '../projects.js';

/**
 * `gitlab.merge_request.approval`: each merge request merged in the window, with its approvals as they stood at the
 * merge (approvers, self-approval, approval after the last push) and approvals given afterwards named as such.
 * Per project: the merged list, the `approved` and `pushed` events in one list each, and a merge request's diff
 * versions only when its last push is not among the project's events (README, "Requests").
 */
export const mergeRequestApprovals: CollectorDefinition<GitLabConfig> = {
  id: 'merge_request_approvals',
  kind: 'gitlab.merge_request.approval',
  description: 'Merge requests merged in the window, with their approval state at merge',
  async collect(ctx) {
    const client = new GitLabClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const owner = { people: [], controlOwner: ctx.config.controlOwner ?? null };
    let emitted = 0;
    for (const project of await projectsOf(client, ctx.config)) {
      const listed = client.recorder.mark();
      const merged = await mergedInWindow(client, project, ctx.window);
      if (merged.length === 0) continue;
      const after = eventsAfter(merged);
      const approvals = await approvalsByMergeRequest(client, project, after);
      const pushes = await pushTimes(client, project, after);
      const shared = client.recorder.since(listed);
      for (const mr of merged) {
        const item = `merge request ${project.path_with_namespace}!${mr.iid}`;
        const own = client.recorder.mark();
        const mergedAt = sourceTime(mr.merged_at, item, 'merged_at although it was listed as merged');
        if (!mr.sha) {
          throw new CrosswalkError(
            'CW_SOURCE_DATA',
            `GitLab returned ${item} without its head commit (sha)`,
            {
              where: item,
            },
          );
        }
        const push = await lastPush(client, project, mr, pushes);
        const author = personOf(mr.author);
        const mergedBy = personOf(mr.merge_user ?? mr.merged_by);
        const facts = approvalFacts({
          author,
          mergedBy,
          mergedAt,
          lastPushAt: push?.at ?? null,
          approvals: approvals.get(mr.iid) ?? [],
        });
        await ctx.emit({
          kind: 'gitlab.merge_request.approval',
          occurredAt: mergedAt,
          owner,
          actors: [
            ...(author ? [{ person: author, role: 'author' }] : []),
            ...(mergedBy ? [{ person: mergedBy, role: 'merger' }] : []),
            ...facts.approvals.map((approval) => ({ person: approval.approver, role: 'approver' })),
          ],
          source: {
            system: 'gitlab',
            instance: ctx.config.group,
            ref: `${project.path_with_namespace}!${mr.iid}`,
            url: client.url(mergeRequestPath(project, mr)),
          },
          payload: {
            project: project.path_with_namespace,
            iid: mr.iid,
            title: mr.title,
            author,
            mergedBy,
            mergedAt,
            targetBranch: mr.target_branch,
            sourceBranch: mr.source_branch,
            headCommit: mr.sha,
            mergeCommit: mr.merge_commit_sha ?? mr.squash_commit_sha ?? null,
            lastPushAt: push?.at ?? null,
            lastPushFrom: push?.from ?? null,
            ...facts,
          },
          requests: [...shared, ...client.recorder.since(own)],
        });
        emitted += 1;
      }
    }
    ctx.log.info({ group: ctx.config.group, mergeRequests: emitted }, 'merged merge requests collected');
  },
};
