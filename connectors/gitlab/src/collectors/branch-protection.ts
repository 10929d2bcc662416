import { booleanOrNull, numberOrNull, stringOrNull } from '@crosswalk/connector-kit';
import type { CollectorDefinition, PayloadOf } from '@crosswalk/core';
import { GitLabClient } from '../client.js';
import { type GitLabConfig, hasPremium } from '../config.js';
import { snapshotDay } from '../people.js';
import { projectsOf } from '../projects.js';

type Payload = PayloadOf<'gitlab.branch_protection'>;

interface AccessItem {
  access_level?: number | null;
  access_level_description?: string | null;
  user_id?: number | null;
  group_id?: number | null;
}

interface ProtectedBranchItem {
  name: string;
  allow_force_push?: boolean | null;
  code_owner_approval_required?: boolean | string | null;
  push_access_levels?: AccessItem[];
  merge_access_levels?: AccessItem[];
  unprotect_access_levels?: AccessItem[];
}

interface ApprovalRuleItem {
  name: string;
  rule_type?: string | null;
  approvals_required?: number;
  eligible_approvers?: { username?: string }[];
  users?: { username?: string }[];
  protected_branches?: { name: string }[];
  applies_to_all_protected_branches?: boolean | null;
}

type ApprovalSettingsItem = Record<string, unknown>;

const access = (items: AccessItem[] | undefined) =>
  (items ?? []).map((item) => ({
    accessLevel: numberOrNull(item.access_level),
    description: stringOrNull(item.access_level_description),
    userId: numberOrNull(item.user_id),
    groupId: numberOrNull(item.group_id),
  }));

/** GitLab's own examples write `code_owner_approval_required` as `"false"` as well as `false`. */
const flag = (value: unknown) => (typeof value === 'string' ? value === 'true' : booleanOrNull(value));

function approvalRule(
  rule: ApprovalRuleItem,
): Payload['approvalRules'] extends (infer R)[] | null ? R : never {
  const usernames = [...(rule.eligible_approvers ?? []), ...(rule.users ?? [])]
    .map((user) => user.username)
    .filter((name): name is string => typeof name === 'string');
  return {
    name: rule.name,
    ruleType: stringOrNull(rule.rule_type),
    approvalsRequired: rule.approvals_required ?? 0,
    eligibleApprovers: [...new Set(usernames)].sort(),
    protectedBranches: (rule.protected_branches ?? []).map((branch) => branch.name).sort(),
    appliesToAllProtectedBranches: booleanOrNull(rule.applies_to_all_protected_branches),
  };
}

function approvalSettings(item: ApprovalSettingsItem): NonNullable<Payload['approvalSettings']> {
  return {
    resetApprovalsOnPush: booleanOrNull(item.reset_approvals_on_push),
    authorMayApprove: booleanOrNull(item.merge_requests_author_approval),
    committersMayNotApprove: booleanOrNull(item.merge_requests_disable_committers_approval),
    overridingApproversPerMergeRequestDisabled: booleanOrNull(
      item.disable_overriding_approvers_per_merge_request,
    ),
    requirePasswordToApprove: booleanOrNull(item.require_password_to_approve),
  };
}

/**
 * `gitlab.branch_protection`: per project, each protected branch (who may push, merge and unprotect, force pushes,
 * code owner approval) and, on Premium, the project's approval rules and approval settings (reset on push, author
 * and committer approval). One record per project per day.
 */
export const branchProtection: CollectorDefinition<GitLabConfig> = {
  id: 'branch_protection',
  kind: 'gitlab.branch_protection',
  description: 'Daily snapshot of protected branches and merge request approval rules per project',
  async collect(ctx) {
    const client = new GitLabClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const day = snapshotDay(new Date(ctx.clock.now()));
    const premium = hasPremium(ctx.config);
    const projects = await projectsOf(client, ctx.config);
    for (const project of projects) {
      const mark = client.recorder.mark();
      const base = `/projects/${project.id}`;
      const name = project.path_with_namespace;
      const branches = await client.all<ProtectedBranchItem>(
        `${base}/protected_branches`,
        {},
        `protected branches of ${name}`,
      );
      const rules = premium
        ? await client.getIfAvailable<ApprovalRuleItem[]>(
            `${base}/approval_rules`,
            {},
            `approval rules of ${name}`,
          )
        : null;
      const settings = premium
        ? await client.getIfAvailable<ApprovalSettingsItem>(
            `${base}/approvals`,
            {},
            `approval settings of ${name}`,
          )
        : null;
      const defaultBranch = project.default_branch ?? null;
      await ctx.emit({
        kind: 'gitlab.branch_protection',
        occurredAt: day,
        owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
        actors: [],
        source: {
          system: 'gitlab',
          instance: ctx.config.group,
          ref: name,
          url: client.url(`${base}/protected_branches`),
        },
        payload: {
          project: name,
          defaultBranch,
          defaultBranchProtected: branches.some((branch) => branch.name === defaultBranch),
          protectedBranches: branches.map((branch) => ({
            name: branch.name,
            allowForcePush: booleanOrNull(branch.allow_force_push),
            codeOwnerApprovalRequired: flag(branch.code_owner_approval_required),
            push: access(branch.push_access_levels),
            merge: access(branch.merge_access_levels),
            unprotect: access(branch.unprotect_access_levels),
          })),
          approvalRules: rules ? rules.map(approvalRule) : null,
          approvalSettings: settings ? approvalSettings(settings) : null,
        },
        requests: client.recorder.since(mark),
      });
    }
    ctx.log.info({ group: ctx.config.group, projects: projects.length }, 'branch protection snapshot taken');
  },
};
