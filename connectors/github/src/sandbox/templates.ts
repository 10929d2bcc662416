/**
 * Response bodies in GitHub's real shapes. Each starts from a response GitHub actually sent (@octokit/fixtures,
 * recorded against api.github.com) or, where no recording exists, from the example in GitHub's own OpenAPI
 * description, and only the identifying fields are replaced. Fields GitHub added after a fixture was recorded are
 * filled in, and the OpenAPI check in the server proves the result still matches today's description.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
type Json = Record<string, unknown>;

const fixturesDir = path.join(
  path.dirname(require.resolve('@octokit/fixtures/package.json')),
  'scenarios',
  'api.github.com',
);

interface FixtureEntry {
  method: string;
  path: string;
  status: number;
  response: unknown;
}

function fixture(scenario: string): FixtureEntry[] {
  return JSON.parse(readFileSync(path.join(fixturesDir, scenario, 'normalized-fixture.json'), 'utf8'));
}

function recorded(scenario: string, method: string, pathPrefix: string, status: number): unknown {
  const entry = fixture(scenario).find(
    (e) => e.method === method && e.path.startsWith(pathPrefix) && e.status === status,
  );
  if (!entry)
    throw new Error(`no recorded ${method} ${pathPrefix} ${status} in @octokit/fixtures ${scenario}`);
  return structuredClone(entry.response);
}

let examples: Record<string, { value: unknown }> | undefined;

function example(name: string): unknown {
  examples ??= JSON.parse(
    readFileSync(
      path.join(path.dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'ghec.json'),
      'utf8',
    ),
  ).components.examples;
  const found = examples![name];
  if (!found) throw new Error(`no example ${name} in GitHub's OpenAPI description`);
  return structuredClone(found.value);
}

/** Replaces every `from` in the string values of a JSON tree (URLs embed logins and repository names). */
function rewrite<T>(value: T, replacements: [string, string][]): T {
  let text = JSON.stringify(value);
  for (const [from, to] of replacements) text = text.split(from).join(to);
  return JSON.parse(text) as T;
}

export interface Account {
  login: string;
  id: number;
  node_id: string;
  name?: string | null;
}

// Recorded once per process; each builder clones it.
let userTemplate: Json | undefined;
let organizationTemplate: Json | undefined;
let repositoryTemplate: Json | undefined;
let protectionTemplate: Json | undefined;

/** `simple-user`, from a recorded collaborators list. */
export function simpleUser(account: Account): Json {
  userTemplate ??= (
    recorded(
      'add-and-remove-repository-collaborator',
      'get',
      '/repos/octokit-fixture-org/add-and-remove-repository-collaborator/collaborators',
      200,
    ) as Json[]
  )[0]!;
  const template = structuredClone(userTemplate);
  const user = rewrite(template, [[String(template.login), account.login]]);
  return {
    ...user,
    id: account.id,
    node_id: account.node_id,
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
  };
}

/** `organization-full`, from a recorded GET /orgs/{org}; `two_factor_requirement_enabled` absent for non-owners. */
export function organizationFull(org: Account, twoFactorRequired: boolean | null): Json {
  organizationTemplate ??= recorded('get-organization', 'get', '/orgs/octokit-fixture-org', 200) as Json;
  const body = rewrite(structuredClone(organizationTemplate), [['octokit-fixture-org', org.login]]);
  const result: Json = {
    ...body,
    id: org.id,
    node_id: org.node_id,
    // Required by today's description, added after the fixture was recorded.
    archived_at: null,
  };
  if (twoFactorRequired === null) delete result.two_factor_requirement_enabled;
  else result.two_factor_requirement_enabled = twoFactorRequired;
  return result;
}

export interface RepositoryShape {
  org: Account;
  name: string;
  id: number;
  defaultBranch: string;
  archived: boolean;
  private: boolean;
  /** No commits yet: the default branch does not exist. */
  empty: boolean;
}

/** The fields both repository shapes take from the fake's repository rather than from their template. */
function repositoryFields(shape: RepositoryShape): Json {
  return {
    id: shape.id,
    node_id: `R_${shape.id}`,
    name: shape.name,
    full_name: `${shape.org.login}/${shape.name}`,
    private: shape.private,
    visibility: shape.private ? 'private' : 'public',
    archived: shape.archived,
    default_branch: shape.defaultBranch,
    size: shape.empty ? 0 : 1024,
  };
}

/** `full-repository`, from a recorded GET /repos/{owner}/{repo}. */
export function fullRepository(shape: RepositoryShape): Json {
  repositoryTemplate ??= recorded(
    'get-repository',
    'get',
    '/repos/octokit-fixture-org/hello-world',
    200,
  ) as Json;
  const body = rewrite(structuredClone(repositoryTemplate), [
    ['octokit-fixture-org/hello-world', `${shape.org.login}/${shape.name}`],
    ['octokit-fixture-org', shape.org.login],
  ]);
  return {
    ...body,
    // Required by today's description, added after the fixture was recorded.
    has_discussions: false,
    ...repositoryFields(shape),
    owner: { ...(body.owner as Json), id: shape.org.id, node_id: shape.org.node_id, type: 'Organization' },
    organization: { ...(body.organization as Json), id: shape.org.id, node_id: shape.org.node_id },
  };
}

/** `minimal-repository`, from the description's example of GET /orgs/{org}/repos. */
export function minimalRepository(shape: RepositoryShape): Json {
  const [template] = example('minimal-repository-items') as Json[];
  const body = rewrite(template!, [
    ['octocat/Hello-World', `${shape.org.login}/${shape.name}`],
    ['octocat', shape.org.login],
  ]);
  return {
    ...body,
    ...repositoryFields(shape),
    owner: {
      ...(body.owner as Json),
      login: shape.org.login,
      id: shape.org.id,
      node_id: shape.org.node_id,
      type: 'Organization',
    },
  };
}

/** `branch-with-protection`, from the description's example of GET /repos/{owner}/{repo}/branches/{branch}. */
export function branchWithProtection(
  org: string,
  repo: string,
  branch: string,
  isProtected: boolean,
  sha: string,
): Json {
  const body = rewrite(example('branch-get') as Json, [
    ['octocat/Hello-World', `${org}/${repo}`],
    ['/branches/main', `/branches/${branch}`],
  ]);
  return {
    ...body,
    name: branch,
    protected: isProtected,
    commit: { ...(body.commit as Json), sha },
  };
}

export interface ClassicProtectionShape {
  requiredApprovals: number;
  dismissStaleReviews: boolean;
  requireCodeOwnerReviews: boolean;
  /** GitHub's `require_last_push_approval`; unset: false. */
  requireLastPushApproval?: boolean;
  enforceAdmins: boolean;
  bypassUsers: Account[];
  allowForcePushes: boolean;
}

/** `branch-protection`, from a recorded protection (the PUT answer has GET's shape) with the given settings. */
export function branchProtection(
  org: string,
  repo: string,
  branch: string,
  shape: ClassicProtectionShape,
): Json {
  protectionTemplate ??= recorded(
    'branch-protection',
    'put',
    '/repos/octokit-fixture-org/branch-protection/branches/main/protection',
    200,
  ) as Json;
  const base = `https://api.github.com/repos/${org}/${repo}/branches/${branch}/protection`;
  const body = rewrite(structuredClone(protectionTemplate), [
    [
      /\/repos\/octokit-fixture-org\/[^/]+\/branches\/main\/protection/.exec(
        JSON.stringify(protectionTemplate),
      )![0],
      `/repos/${org}/${repo}/branches/${branch}/protection`,
    ],
  ]);
  const reviews = (body.required_pull_request_reviews ?? {}) as Json;
  return {
    ...body,
    url: base,
    enforce_admins: { url: `${base}/enforce_admins`, enabled: shape.enforceAdmins },
    required_pull_request_reviews: {
      ...reviews,
      url: `${base}/required_pull_request_reviews`,
      dismiss_stale_reviews: shape.dismissStaleReviews,
      require_code_owner_reviews: shape.requireCodeOwnerReviews,
      require_last_push_approval: shape.requireLastPushApproval ?? false,
      required_approving_review_count: shape.requiredApprovals,
      bypass_pull_request_allowances: { users: shape.bypassUsers.map(simpleUser), teams: [], apps: [] },
    },
    allow_force_pushes: { enabled: shape.allowForcePushes },
    allow_deletions: { enabled: false },
  };
}

/** The 404 GitHub sends for an unprotected branch, as recorded. */
export function branchNotProtected(): Json {
  return recorded(
    'branch-protection',
    'get',
    '/repos/octokit-fixture-org/branch-protection/branches/main/protection',
    404,
  ) as Json;
}

export function basicError(message: string, documentation = 'https://docs.github.com/rest'): Json {
  return { message, documentation_url: documentation, status: undefined };
}

export interface RulesetShape {
  id: number;
  name: string;
  bypassActors: { actor_id: number | null; actor_type: string; bypass_mode: string }[];
  rules: { type: string; parameters?: Json }[];
}

/** `repository-rule-detailed` items, from the description's example of GET /repos/{o}/{r}/rules/branches/{b}. */
export function activeRules(org: string, repo: string, rulesets: RulesetShape[]): Json[] {
  const [template] = example('repository-rule-items') as Json[];
  return rulesets.flatMap((ruleset) =>
    ruleset.rules.map((rule) => ({
      ...template!,
      type: rule.type,
      ...(rule.parameters ? { parameters: rule.parameters } : { parameters: undefined }),
      ruleset_source_type: 'Repository',
      ruleset_source: `${org}/${repo}`,
      ruleset_id: ruleset.id,
    })),
  );
}

/** `repository-ruleset`, from the description's example. */
export function repositoryRuleset(org: string, repo: string, ruleset: RulesetShape): Json {
  const body = rewrite(example('repository-ruleset') as Json, [['monalisa/my-repo', `${org}/${repo}`]]);
  return {
    ...body,
    id: ruleset.id,
    name: ruleset.name,
    bypass_actors: ruleset.bypassActors,
    rules: ruleset.rules,
    _links: {
      self: { href: `https://api.github.com/repos/${org}/${repo}/rulesets/${ruleset.id}` },
      html: { href: `https://github.com/${org}/${repo}/rules/${ruleset.id}` },
    },
  };
}

/** `audit-log-event` (GitHub Enterprise Cloud), shaped like the description's example. */
export function auditLogEvent(event: {
  timestamp: number;
  action: string;
  actor: string;
  user: string;
  org: string;
  id: string;
}): Json {
  const [template] = example('audit-log') as Json[];
  return {
    ...template,
    '@timestamp': event.timestamp,
    created_at: event.timestamp,
    action: event.action,
    actor: event.actor,
    user: event.user,
    org: event.org,
    _document_id: event.id,
    team: undefined,
  };
}

/** `installation-token`, from the description's example of POST /app/installations/{id}/access_tokens. */
export function installationToken(token: string, expiresAt: string): Json {
  return { ...(example('installation-token') as Json), token, expires_at: expiresAt };
}

export interface PullShape {
  org: string;
  repo: string;
  number: number;
  title: string;
  user: Account;
  createdAt: string;
  mergedAt: string | null;
  base: string;
  head: string;
  mergeCommit: string | null;
}

/** `pull-request-simple`, from the description's example of GET /repos/{owner}/{repo}/pulls. */
export function pullRequestSimple(shape: PullShape): Json {
  const [template] = example('pull-request-simple-items') as Json[];
  const body = rewrite(template!, [
    ['octocat/Hello-World', `${shape.org}/${shape.repo}`],
    ['/pull/1347', `/pull/${shape.number}`],
    ['/pulls/1347', `/pulls/${shape.number}`],
    ['/issues/1347', `/issues/${shape.number}`],
  ]);
  return {
    ...body,
    id: shape.number,
    number: shape.number,
    state: 'closed',
    title: shape.title,
    user: simpleUser(shape.user),
    // The description's own example lists a team without the `type` its schema now requires.
    requested_reviewers: [],
    requested_teams: [],
    created_at: shape.createdAt,
    updated_at: shape.mergedAt ?? shape.createdAt,
    closed_at: shape.mergedAt,
    merged_at: shape.mergedAt,
    merge_commit_sha: shape.mergeCommit,
    head: { ...(body.head as Json), sha: shape.head },
    base: { ...(body.base as Json), ref: shape.base },
  };
}

/** `pull-request-review`, from the description's example of GET /repos/{o}/{r}/pulls/{n}/reviews. */
export function pullRequestReview(review: {
  id: number;
  user: Account | null;
  state: string;
  submittedAt: string;
  commit: string;
  org: string;
  repo: string;
  number: number;
}): Json {
  const [template] = example('pull-request-review-items') as Json[];
  return {
    ...template,
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: review.user ? simpleUser(review.user) : null,
    state: review.state,
    submitted_at: review.submittedAt,
    commit_id: review.commit,
    html_url: `https://github.com/${review.org}/${review.repo}/pull/${review.number}#pullrequestreview-${review.id}`,
    pull_request_url: `https://api.github.com/repos/${review.org}/${review.repo}/pulls/${review.number}`,
  };
}
