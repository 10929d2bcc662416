/**
 * A GitHub on loopback: REST and GraphQL answered from a FakeOrganization in GitHub's real shapes. Every REST
 * answer is checked against GitHub's OpenAPI description and every GraphQL query is executed against GitHub's
 * schema; anything that does not match is collected in `violations`, which the tests require to stay empty.
 */
import { createVerify, randomBytes } from 'node:crypto';
import { FakeApi, type FakeRequest, type Fault, matchTemplate } from '@crosswalk/sandbox';
import { executeGraphql } from './graphql.js';
import type { FakeOrganization, FakePullRequest, FakeRepository } from './model.js';
import { githubTime } from './model.js';
import { openApi } from './openapi.js';
import * as shapes from './templates.js';

export * from './model.js';

export interface FakeGitHubOptions {
  org: FakeOrganization;
  /** A token the server accepts (`Authorization: token X` or `bearer X`). */
  token?: string;
  /** A GitHub App whose JWTs (RS256, signed with the matching private key) buy installation tokens. */
  app?: { appId: number; installationId: number; publicKey: string };
  /** `/api/v3` serves like GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql. */
  prefix?: '' | '/api/v3';
  /** Check answers against the OpenAPI description (on by default; the benchmark turns it off to time less). */
  validate?: boolean;
}

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Params = Record<string, string>;
type Handler = (params: Params, query: URLSearchParams, url: URL) => Answer;

const SECONDARY_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out ' +
  'to GitHub Support for help, please include the request ID ';

/** GitHub's 403 for a secondary rate limit (the message octokit's throttling plugin recognises), with Retry-After. */
export function secondaryRateLimit(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message: `${SECONDARY_LIMIT}1234:5678.`,
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
  };
}

/** A 429 with Retry-After, as GitHub sends for a secondary limit on some endpoints. */
export function tooManyRequests(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return { ...secondaryRateLimit(retryAfterSeconds), status: 429 };
}

/** The primary limit: 403 with x-ratelimit-remaining 0 and a reset time. */
export function primaryRateLimit(resetInSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 403,
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
    },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
    },
  };
}

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

export class FakeGitHub extends FakeApi {
  /**
   * Added to search's issueCount: GitHub's count is its own and can disagree with the results it lists (an item
   * it counts but no longer returns), which the IPE pack must show rather than hide.
   */
  issueCountSkew = 0;
  private readonly tokens = new Set<string>();
  private readonly routes: { method: string; template: string; handler: Handler }[] = [];

  private constructor(readonly options: FakeGitHubOptions) {
    super(options.prefix ?? '', 'x-github-request-id');
    if (options.token) this.tokens.add(options.token);
    this.declareRoutes();
  }

  static start(options: FakeGitHubOptions): Promise<FakeGitHub> {
    return new FakeGitHub(options).listen();
  }

  get org(): FakeOrganization {
    return this.options.org;
  }

  /** GitHub Enterprise Server answers GraphQL at /api/graphql, beside the REST prefix. */
  private get graphqlPath(): string {
    return this.prefix ? '/api/graphql' : '/graphql';
  }

  private repository(owner: string, name: string): FakeRepository | undefined {
    if (owner.toLowerCase() !== this.org.account.login.toLowerCase()) return undefined;
    return this.org.repositories.find((repo) => repo.name.toLowerCase() === name.toLowerCase());
  }

  protected override localPath(pathname: string): string | undefined {
    return pathname === this.graphqlPath ? pathname : super.localPath(pathname);
  }

  /** Tests read the query GitHub was asked with, so the log keeps it. */
  protected override recordedPath(request: FakeRequest): string {
    return request.path + request.url.search;
  }

  protected override requestId(n: number): string {
    return `C0DE:${process.pid.toString(16).toUpperCase()}:${n.toString(16).toUpperCase().padStart(6, '0')}`;
  }

  protected override answerHeaders(request: FakeRequest): Record<string, string> {
    return {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': request.path.endsWith('graphql') ? 'graphql' : 'core',
    };
  }

  /** What goes on the wire is checked: undefined fields drop out, as they do in JSON. */
  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || body === undefined) return [];
    return openApi().check(request.method, request.operation!, status, JSON.parse(JSON.stringify(body)));
  }

  protected override async route(context: FakeRequest): Promise<void> {
    const { method, path } = context;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return this.installationToken(context);
    }
    if (!this.authorized(context.request.headers.authorization)) {
      return this.send(context, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    if (path === this.graphqlPath && method === 'POST') return this.graphql(context);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      context.operation = route.template;
      const answer = route.handler(params, context.url.searchParams, context.url);
      return this.send(context, answer.status, answer.body, answer.headers);
    }
    this.violations.push(`the fake GitHub has no route for ${method} ${path}`);
    return this.send(context, 404, { message: 'Not Found' });
  }

  private authorized(header: string | undefined): boolean {
    const match = /^(?:token|bearer) (.+)$/i.exec(header ?? '');
    return match !== null && this.tokens.has(match[1]!);
  }

  /** Pages a list as GitHub does: per_page (default 30, at most 100), page, and a Link header. */
  private page(items: unknown[], query: URLSearchParams, url: URL): Answer {
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
    const page = Number(query.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => {
      const next = new URL(url.pathname + url.search, this.linkOrigin ?? this.origin);
      next.searchParams.set('page', String(n));
      return next.toString();
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < last) links.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (page > 1) links.push(`<${link(1)}>; rel="first"`);
    return { status: 200, body: slice, headers: links.length ? { link: links.join(', ') } : {} };
  }

  private declareRoutes(): void {
    const org = () => this.org;
    const notFound = (): Answer => ({
      status: 404,
      body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
    });
    const repoShape = (repo: FakeRepository) => ({ ...repo, org: org().account });
    // A branch that does not exist (an empty repository has none), answered with the operation's documentation page.
    const branchNotFound = (page: string): Answer => ({
      status: 404,
      body: {
        message: 'Branch not found',
        documentation_url: `https://docs.github.com/rest/branches/${page}`,
        status: '404',
      },
    });
    const get = (template: string, handler: Handler) =>
      this.routes.push({ method: 'GET', template, handler });

    get('/orgs/{org}', (p) =>
      p.org === org().account.login
        ? { status: 200, body: shapes.organizationFull(org().account, org().twoFactorRequired) }
        : notFound(),
    );
    get('/orgs/{org}/members', (p, query, url) => {
      if (p.org !== org().account.login) return notFound();
      if (query.get('filter') === '2fa_disabled') {
        const without = org().membersWithoutTwoFactor;
        if (without === null) {
          return {
            status: 422,
            body: {
              message: 'Only owners can use this filter.',
              documentation_url: 'https://docs.github.com/rest/orgs/members#list-organization-members',
            },
          };
        }
        return this.page(without.map(shapes.simpleUser), query, url);
      }
      const role = query.get('role') ?? 'all';
      const members = org().members.filter((m) => role === 'all' || m.role === role);
      return this.page(
        members.map((m) => shapes.simpleUser(m.user)),
        query,
        url,
      );
    });
    get('/orgs/{org}/outside_collaborators', (p, query, url) =>
      p.org === org().account.login
        ? this.page(org().outsideCollaborators.map(shapes.simpleUser), query, url)
        : notFound(),
    );
    get('/orgs/{org}/repos', (p, query, url) =>
      p.org === org().account.login
        ? this.page(
            org().repositories.map((repo) => shapes.minimalRepository(repoShape(repo))),
            query,
            url,
          )
        : notFound(),
    );
    get('/orgs/{org}/audit-log', (p, query, url) => {
      if (p.org !== org().account.login || !org().auditLogAvailable) return notFound();
      const phrase = query.get('phrase') ?? '';
      const action = /action:(\S+)/.exec(phrase)?.[1];
      // `user:` is the account the action was taken on (GitHub's audit log search qualifiers).
      const user = /(?:^|\s)user:(\S+)/.exec(phrase)?.[1];
      const created = /created:(\S+)\.\.(\S+)/.exec(phrase);
      for (const term of phrase.split(/\s+/).filter(Boolean)) {
        if (!/^(action|user|created):/.test(term))
          this.violations.push(`the fake audit log does not understand "${term}"`);
      }
      const events = org()
        .auditLog.filter((event) => !action || event.action === action)
        .filter((event) => !user || event.user.toLowerCase() === user.toLowerCase())
        .filter(
          (event) =>
            !created ||
            (event.timestamp >= Date.parse(created[1]!) && event.timestamp < Date.parse(created[2]!) + 1000),
        )
        .sort((a, b) =>
          query.get('order') === 'desc' ? b.timestamp - a.timestamp : a.timestamp - b.timestamp,
        )
        .map((event) => shapes.auditLogEvent({ ...event, org: org().account.login }));
      return this.page(events, query, url);
    });
    get('/repos/{owner}/{repo}', (p) => {
      const repo = this.repository(p.owner!, p.repo!);
      return repo ? { status: 200, body: shapes.fullRepository(repoShape(repo)) } : notFound();
    });
    get('/repos/{owner}/{repo}/branches/{branch}', (p) => {
      const repo = this.repository(p.owner!, p.repo!);
      if (!repo) return notFound();
      if (repo.empty || p.branch !== repo.defaultBranch) return branchNotFound('branches#get-a-branch');
      const isProtected = repo.classicProtection !== null || repo.rulesets.length > 0;
      return {
        status: 200,
        body: shapes.branchWithProtection(
          org().account.login,
          repo.name,
          p.branch!,
          isProtected,
          repo.pulls.at(-1)?.mergeCommit ?? 'a'.repeat(40),
        ),
      };
    });
    get('/repos/{owner}/{repo}/branches/{branch}/protection', (p) => {
      const repo = this.repository(p.owner!, p.repo!);
      if (!repo) return notFound();
      if (repo.empty || p.branch !== repo.defaultBranch) {
        return branchNotFound('branch-protection#get-branch-protection');
      }
      if (!repo.classicProtection) return { status: 404, body: shapes.branchNotProtected() };
      return {
        status: 200,
        body: shapes.branchProtection(org().account.login, repo.name, p.branch!, repo.classicProtection),
      };
    });
    get('/repos/{owner}/{repo}/rules/branches/{branch}', (p, query, url) => {
      const repo = this.repository(p.owner!, p.repo!);
      if (!repo) return notFound();
      return this.page(shapes.activeRules(org().account.login, repo.name, repo.rulesets), query, url);
    });
    get('/repos/{owner}/{repo}/rulesets/{ruleset_id}', (p) => {
      const repo = this.repository(p.owner!, p.repo!);
      const ruleset = repo?.rulesets.find((r) => r.id === Number(p.ruleset_id));
      return repo && ruleset
        ? { status: 200, body: shapes.repositoryRuleset(org().account.login, repo.name, ruleset) }
        : notFound();
    });
    // The naive approach the benchmark compares against: list closed PRs, then reviews one PR at a time.
    get('/repos/{owner}/{repo}/pulls', (p, query, url) => {
      const repo = this.repository(p.owner!, p.repo!);
      if (!repo) return notFound();
      const pulls = [...repo.pulls]
        .sort((a, b) => (b.mergedAt ?? b.createdAt).localeCompare(a.mergedAt ?? a.createdAt))
        .map((pull) =>
          shapes.pullRequestSimple({
            org: org().account.login,
            repo: repo.name,
            number: pull.number,
            title: pull.title,
            user: pull.author,
            createdAt: pull.createdAt,
            mergedAt: pull.mergedAt,
            base: pull.baseRefName,
            head: pull.commits.at(-1)!,
            mergeCommit: pull.mergeCommit,
          }),
        );
      return this.page(pulls, query, url);
    });
    get('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (p, query, url) => {
      const repo = this.repository(p.owner!, p.repo!);
      const pull = repo?.pulls.find((pr) => pr.number === Number(p.pull_number));
      if (!repo || !pull) return notFound();
      const reviews = pull.reviews.map((r, index) =>
        shapes.pullRequestReview({
          id: pull.number * 1000 + index,
          user: r.author,
          state: r.state,
          submittedAt: r.submittedAt,
          commit: r.commit,
          org: org().account.login,
          repo: repo.name,
          number: pull.number,
        }),
      );
      return this.page(reviews, query, url);
    });
  }

  /** POST /app/installations/{id}/access_tokens: checks the App's RS256 JWT, then issues an installation token. */
  private installationToken(context: FakeRequest): void {
    const app = this.options.app;
    const path = context.path;
    const jwt = /^bearer (.+)$/i.exec(context.request.headers.authorization ?? '')?.[1];
    const installationId = Number(path.split('/')[3]);
    const [header, claims, signature] = (jwt ?? '').split('.');
    let valid = Boolean(app && header && claims && signature && installationId === app.installationId);
    if (valid) {
      const verifier = createVerify('RSA-SHA256');
      verifier.update(`${header}.${claims}`);
      valid =
        verifier.verify(app!.publicKey, Buffer.from(signature!, 'base64url')) &&
        String(decodeJwtPart(claims!).iss) === String(app!.appId);
    }
    if (!valid) {
      this.send(context, 401, {
        message: 'A JSON web token could not be decoded',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    this.tokens.add(token);
    context.operation = '/app/installations/{installation_id}/access_tokens';
    this.send(
      context,
      201,
      shapes.installationToken(
        token,
        new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ),
    );
  }

  private async graphql(context: FakeRequest): Promise<void> {
    const { query, variables } = context.body as { query: string; variables?: Record<string, unknown> };
    const result = await executeGraphql(query, variables, this.graphqlRoot());
    if (result.errors?.length) {
      this.violations.push(...result.errors.map((error) => `GraphQL: ${error.message}`));
    }
    this.send(context, 200, {
      data: result.data ?? null,
      ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
    });
  }

  private graphqlRoot() {
    const org = this.org;
    const web = 'https://github.com';
    const actor = (account: { login: string; node_id: string; name?: string | null } | null) =>
      account && {
        __typename: 'User',
        login: account.login,
        id: account.node_id,
        name: account.name ?? null,
      };
    const pullNode = (repo: FakeRepository, pull: FakePullRequest) => {
      const reviews = pull.reviews.map((r) => ({
        state: r.state,
        submittedAt: r.submittedAt,
        author: actor(r.author),
        commit: { oid: r.commit },
      }));
      return {
        __typename: 'PullRequest',
        id: `PR_${repo.name}_${pull.number}`,
        number: pull.number,
        title: pull.title,
        url: `${web}/${org.account.login}/${repo.name}/pull/${pull.number}`,
        merged: pull.mergedAt !== null || pull.listedAsMergedAt !== undefined,
        mergedAt: pull.mergedAt,
        createdAt: pull.createdAt,
        baseRefName: pull.baseRefName,
        headRefOid: pull.commits.at(-1),
        repository: { nameWithOwner: `${org.account.login}/${repo.name}` },
        author: actor(pull.author),
        mergedBy: actor(pull.mergedBy),
        mergeCommit: pull.mergeCommit ? { oid: pull.mergeCommit } : null,
        commits: ({ last }: { last?: number }) => ({
          nodes: pull.commits.slice(-(last ?? pull.commits.length)).map((oid) => ({ commit: { oid } })),
        }),
        reviews: ({ first, after }: { first?: number; after?: string }) => connection(reviews, first, after),
      };
    };
    const allPulls = () => org.repositories.flatMap((repo) => repo.pulls.map((pull) => ({ repo, pull })));
    return {
      search: ({ query, first, after }: { query: string; first?: number; after?: string }) => {
        let merged: [number, number] | undefined;
        const repos: string[] = [];
        let owner: string | undefined;
        for (const term of query.split(/\s+/).filter(Boolean)) {
          const range = /^merged:(\S+)\.\.(\S+)$/.exec(term);
          if (range) merged = [Date.parse(range[1]!), Date.parse(range[2]!)];
          else if (term.startsWith('org:')) owner = term.slice(4);
          else if (term.startsWith('repo:')) repos.push(term.slice(5).toLowerCase());
          else if (!['is:pr', 'is:merged', 'sort:created-asc'].includes(term)) {
            this.violations.push(`the fake search does not understand "${term}"`);
          }
        }
        const matches = allPulls()
          .filter(({ repo }) =>
            owner
              ? owner === org.account.login
              : repos.includes(`${org.account.login}/${repo.name}`.toLowerCase()),
          )
          .filter(({ pull }) => {
            const at = Date.parse(pull.mergedAt ?? pull.listedAsMergedAt ?? '');
            return !Number.isNaN(at) && (!merged || (at >= merged[0] && at <= merged[1]));
          })
          .sort((a, b) => a.pull.createdAt.localeCompare(b.pull.createdAt) || a.pull.number - b.pull.number)
          .map(({ repo, pull }) => pullNode(repo, pull));
        // GitHub counts every match but returns at most the first 1,000.
        return {
          issueCount: matches.length + this.issueCountSkew,
          ...connection(matches.slice(0, 1000), first, after),
        };
      },
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = this.repository(owner, name);
        if (!repo) return null;
        return {
          nameWithOwner: `${org.account.login}/${repo.name}`,
          pullRequest: ({ number }: { number: number }) => {
            const pull = repo.pulls.find((p) => p.number === number);
            return pull ? pullNode(repo, pull) : null;
          },
        };
      },
      node: ({ id }: { id: string }) => {
        const found = allPulls().find(({ repo, pull }) => `PR_${repo.name}_${pull.number}` === id);
        return found ? pullNode(found.repo, found.pull) : null;
      },
      rateLimit: () => ({
        cost: 1,
        limit: 5000,
        remaining: 4999,
        used: 1,
        nodeCount: 0,
        resetAt: githubTime(Date.now() + 3_600_000),
      }),
    };
  }
}

/** A GraphQL connection page over `items`, with opaque cursors. */
function connection<T>(items: T[], first = 100, after?: string) {
  const start = after ? Number(Buffer.from(after, 'base64').toString('utf8').replace('cursor:', '')) + 1 : 0;
  const nodes = items.slice(start, start + first);
  const end = start + nodes.length - 1;
  return {
    totalCount: items.length,
    nodes,
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length ? Buffer.from(`cursor:${start}`).toString('base64') : null,
      endCursor: nodes.length ? Buffer.from(`cursor:${end}`).toString('base64') : null,
    },
  };
}
