import type { CollectorDefinition, CollectorLogger, PayloadOf } from '@crosswalk/core';
import { GitHubClient } from '../client.js';
import type { GitHubConfig } from '../config.js';
import { snapshotDay } from '../people.js';
import { type RepositoryInfo, snapshotRepositories } from '../repositories.js';

type Payload = PayloadOf<'github.branch_protection'>;
type Rule = Payload['rules'][number];

interface Enabled {
  enabled?: boolean;
}

/** GET /repos/{owner}/{repo}/branches/{branch}/protection, the fields we read. */
interface ClassicProtection {
  required_status_checks?: unknown;
  enforce_admins?: Enabled;
  required_pull_request_reviews?: {
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    require_last_push_approval?: boolean;
    bypass_pull_request_allowances?: {
      users?: { login: string }[];
      teams?: { slug: string }[];
      apps?: ({ slug?: string; name: string } | null)[];
    };
  };
  required_linear_history?: Enabled;
  allow_force_pushes?: Enabled;
  allow_deletions?: Enabled;
  required_signatures?: Enabled;
  required_conversation_resolution?: Enabled;
  lock_branch?: Enabled;
  restrictions?: unknown;
}

/** GET /repos/{owner}/{repo}/rules/branches/{branch}: the active rules that apply, each naming its ruleset. */
interface ActiveRule {
  type: string;
  parameters?: {
    required_approving_review_count?: number;
    dismiss_stale_reviews_on_push?: boolean;
    require_code_owner_review?: boolean;
    require_last_push_approval?: boolean;
  };
  ruleset_id?: number;
  ruleset_source?: string;
}

interface Ruleset {
  id: number;
  name: string;
  bypass_actors?: { actor_id?: number | null; actor_type: string; bypass_mode?: string }[];
}

export function classicRule(protection: ClassicProtection): Rule {
  const reviews = protection.required_pull_request_reviews;
  const allowances = reviews?.bypass_pull_request_allowances;
  const ruleTypes: string[] = [];
  if (reviews) ruleTypes.push('pull_request');
  if (protection.required_status_checks) ruleTypes.push('required_status_checks');
  if (protection.allow_force_pushes?.enabled === false) ruleTypes.push('non_fast_forward');
  if (protection.allow_deletions?.enabled === false) ruleTypes.push('deletion');
  if (protection.required_linear_history?.enabled) ruleTypes.push('required_linear_history');
  if (protection.required_signatures?.enabled) ruleTypes.push('required_signatures');
  if (protection.required_conversation_resolution?.enabled)
    ruleTypes.push('required_conversation_resolution');
  if (protection.lock_branch?.enabled) ruleTypes.push('lock_branch');
  if (protection.restrictions) ruleTypes.push('push_restrictions');
  return {
    source: 'classic',
    name: 'branch protection',
    requiredApprovals: reviews ? (reviews.required_approving_review_count ?? 0) : null,
    dismissStaleReviews: reviews ? (reviews.dismiss_stale_reviews ?? false) : null,
    requireCodeOwnerReviews: reviews ? (reviews.require_code_owner_reviews ?? false) : null,
    requireLastPushApproval: reviews ? (reviews.require_last_push_approval ?? false) : null,
    enforceAdmins: protection.enforce_admins?.enabled ?? null,
    bypassActors: [
      ...(allowances?.users ?? []).map((user) => `User:${user.login}`),
      ...(allowances?.teams ?? []).map((team) => `Team:${team.slug}`),
      ...(allowances?.apps ?? []).flatMap((app) => (app ? [`App:${app.slug ?? app.name}`] : [])),
    ],
    ruleTypes,
  };
}

/** One protection rule per ruleset that applies to the branch, with that ruleset's bypass list. */
export function rulesetRules(active: ActiveRule[], rulesets: Map<number, Ruleset | null>): Rule[] {
  const byRuleset = new Map<number, ActiveRule[]>();
  for (const rule of active) {
    const id = rule.ruleset_id ?? -1;
    byRuleset.set(id, [...(byRuleset.get(id) ?? []), rule]);
  }
  return [...byRuleset.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, rules]) => {
      const ruleset = rulesets.get(id) ?? null;
      const pullRequest = rules.find((rule) => rule.type === 'pull_request')?.parameters;
      return {
        source: 'ruleset' as const,
        name: ruleset?.name ?? `ruleset ${id}`,
        requiredApprovals: pullRequest ? (pullRequest.required_approving_review_count ?? 0) : null,
        dismissStaleReviews: pullRequest ? (pullRequest.dismiss_stale_reviews_on_push ?? false) : null,
        requireCodeOwnerReviews: pullRequest ? (pullRequest.require_code_owner_review ?? false) : null,
        requireLastPushApproval: pullRequest ? (pullRequest.require_last_push_approval ?? false) : null,
        // Rulesets have no "include administrators": who may skip them is the bypass list.
        enforceAdmins: null,
        bypassActors:
          ruleset?.bypass_actors === undefined
            ? null
            : ruleset.bypass_actors.map(
                (actor) => `${actor.actor_type}:${actor.actor_id ?? '-'}:${actor.bypass_mode ?? 'always'}`,
              ),
        ruleTypes: [...new Set(rules.map((rule) => rule.type))].sort(),
      };
    });
}

async function snapshot(client: GitHubClient, repository: RepositoryInfo, log: CollectorLogger) {
  const [owner, repo] = repository.full_name.split('/') as [string, string];
  const empty: Payload = {
    repository: repository.full_name,
    branch: null,
    emptyRepository: true,
    protected: false,
    rules: [],
  };
  const branch = repository.default_branch;
  if (!branch) return empty;
  // An empty repository names a default branch that does not exist yet; GitHub answers 404 for it.
  const found = await client.attempt('/repos/{owner}/{repo}/branches/{branch}', { owner, repo, branch });
  if (!found.ok) {
    if (found.status === 404) return empty;
    throw found.error;
  }
  const rules: Rule[] = [];
  const classic = await client.attempt<ClassicProtection>(
    '/repos/{owner}/{repo}/branches/{branch}/protection',
    {
      owner,
      repo,
      branch,
    },
  );
  if (classic.ok) {
    rules.push(classicRule(classic.data));
  } else if (classic.status === 404 || (classic.status === 403 && /upgrade/i.test(classic.message))) {
    // "Branch not protected" is evidence of absence; so is a plan without protection for private repositories.
    log.info({ repository: repository.full_name, branch, status: classic.status }, classic.message);
  } else {
    throw classic.error;
  }
  const active = await client.attempt<ActiveRule[]>('/repos/{owner}/{repo}/rules/branches/{branch}', {
    owner,
    repo,
    branch,
  });
  if (!active.ok && active.status !== 404) throw active.error;
  const activeRules = active.ok ? active.data : [];
  const rulesets = new Map<number, Ruleset | null>();
  for (const id of new Set(activeRules.map((rule) => rule.ruleset_id).filter((id) => id !== undefined))) {
    const ruleset = await client.attempt<Ruleset>('/repos/{owner}/{repo}/rulesets/{ruleset_id}', {
      owner,
      repo,
      ruleset_id: id,
      includes_parents: true,
    });
    if (!ruleset.ok && ruleset.status !== 404 && ruleset.status !== 403) throw ruleset.error;
    rulesets.set(id, ruleset.ok ? ruleset.data : null);
  }
  rules.push(...rulesetRules(activeRules, rulesets));
  return {
    repository: repository.full_name,
    branch,
    emptyRepository: false,
    protected: rules.length > 0,
    rules,
  } satisfies Payload;
}

/**
 * `github.branch_protection`: a daily snapshot of each repository's default branch: classic protection and the
 * rulesets that apply. An unprotected branch is recorded as `protected: false` (evidence of absence), an empty
 * repository as `emptyRepository: true`; neither fails the collector.
 */
export const branchProtection: CollectorDefinition<GitHubConfig> = {
  id: 'branch_protection',
  kind: 'github.branch_protection',
  description: "Daily snapshot of each repository's default-branch protection and rulesets",
  async collect(ctx) {
    const client = new GitHubClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    // Filed under the UTC day it was observed: a rerun the same day has the same id and stores nothing new.
    const occurredAt = snapshotDay(ctx.clock.now());
    const repositories = await snapshotRepositories(client, ctx.config);
    for (const repository of repositories) {
      const mark = client.recorder.mark();
      const payload = await snapshot(client, repository, ctx.log);
      await ctx.emit({
        kind: 'github.branch_protection',
        occurredAt,
        owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
        actors: [],
        source: {
          system: 'github',
          instance: ctx.config.org,
          ref: payload.branch ? `${payload.repository}@${payload.branch}` : payload.repository,
          url: `${repository.html_url}/settings/branches`,
        },
        payload,
        // The request that named the default branch, then the branch's own reads.
        requests: [...repository.requests, ...client.recorder.since(mark)],
      });
    }
    ctx.log.info({ repositories: repositories.length }, 'branch protection snapshot taken');
  },
};
