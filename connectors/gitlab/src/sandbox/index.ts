/**
 * A GitLab group on loopback: REST v4 under /api/v4, answered from a FakeGroup under a PRIVATE-TOKEN, paged the way
 * GitLab pages (page/per_page, a Link header to the next page). Every answer on an operation GitLab's description
 * covers is checked against it (openapi.ts), and every query too; approval rules and settings, which it leaves out,
 * against GitLab's documented examples (recorded.ts). Anything that does not match is collected in `violations`,
 * which the tests require to stay empty.
 */
import { FakeApi, type FakeRequest, type Fault, matchTemplate } from '@crosswalk/sandbox';
import type { FakeGroup, FakeMergeRequest, FakeProject, FakeUser } from './model.js';
import { gitlabOpenApi } from './openapi.js';
import { checkRecorded, RECORDED } from './recorded.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
export * from './model.js';
export { GitLabOpenApi, gitBlobId, gitlabOpenApi, SPEC_BLOB, specBytes } from './openapi.js';
export { checkRecorded, RECORDED } from './recorded.js';

export interface FakeGitLabOptions {
  group: FakeGroup;
  /** The access token the instance issued; any other is refused with 401. */
  token: string;
  /** Whether the token is an instance administrator's (the users list's 2FA filter needs one). */
  admin?: boolean;
  /** Premium answers approval rules, approval settings and audit events; Free refuses them with 403. */
  tier?: 'free' | 'premium';
  /** Check answers and queries against the description and the recorded examples (on by default). */
  validate?: boolean;
}

type Json = Record<string, unknown>;

/** The operations the fake answers, as the description names them. */
export const ROUTES = [
  '/groups/{id}',
  '/groups/{id}/projects',
  '/groups/{id}/members/all',
  '/groups/{id}/audit_events',
  '/users',
  '/users/{id}',
  '/projects/{id}',
  '/projects/{id}/merge_requests',
  '/projects/{id}/merge_requests/{merge_request_iid}/versions',
  '/projects/{id}/merge_requests/{merge_request_iid}/approvals',
  '/projects/{id}/events',
  '/projects/{id}/protected_branches',
  '/projects/{id}/approval_rules',
  '/projects/{id}/approvals',
] as const;
type Route = (typeof ROUTES)[number];

/** GitLab's throttling answer: 429 with Retry-After and RateLimit-Reset. */
export function throttled(retryAfterSeconds = 1): Omit<Fault, 'path'> {
  return {
    status: 429,
    headers: () => ({
      'retry-after': String(retryAfterSeconds),
      'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSeconds),
      'ratelimit-remaining': '0',
    }),
  };
}

/** GitLab leaves no field out, it sends null; the description marks none nullable, so the fake leaves nulls out. */
function withoutNulls(value: Json): Json {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== null && field !== undefined),
  );
}

export class FakeGitLab extends FakeApi {
  private constructor(readonly options: FakeGitLabOptions) {
    super('/api/v4', 'x-request-id');
  }

  static async start(options: FakeGitLabOptions): Promise<FakeGitLab> {
    return new FakeGitLab(options).listen();
  }

  get group(): FakeGroup {
    return this.options.group;
  }

  protected override requestId(n: number): string {
    return `01FAKE${process.pid.toString(36).toUpperCase()}${n.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    if (this.options.validate === false || request.operation === undefined || status !== 200) return [];
    if (request.operation in RECORDED) return checkRecorded(request.operation as keyof typeof RECORDED, body);
    return gitlabOpenApi().checkResponse(request.method, request.operation, status, body);
  }

  protected override notFound(request: FakeRequest): void {
    this.send(request, 404, { message: '404 Not Found' });
  }

  protected override route(context: FakeRequest) {
    const found = ROUTES.map((route) => ({ route, params: matchTemplate(route, context.path) })).find(
      (match) => match.params !== undefined,
    );
    if (context.method !== 'GET' || !found) return this.notFound(context);
    const { route } = found;
    const params = Object.fromEntries(
      Object.entries(found.params!).map(([key, value]) => [key, decodeURIComponent(value)]),
    );
    context.operation = route;
    if (context.request.headers['private-token'] !== this.options.token) {
      return this.send(context, 401, { message: '401 Unauthorized' });
    }
    if (this.options.validate !== false && !(route in RECORDED)) {
      const problems = gitlabOpenApi().checkQuery('GET', route, context.url.searchParams);
      if (problems.length > 0) {
        this.violations.push(...problems);
        return this.send(context, 400, { error: problems.join('; ') });
      }
    }
    return this.answer(context, route, params);
  }

  private answer(context: FakeRequest, route: Route, params: Record<string, string>): unknown {
    const query = context.url.searchParams;
    const premium = (this.options.tier ?? 'premium') === 'premium';
    const forbidden = () => this.send(context, 403, { message: '403 Forbidden' });
    if (route.startsWith('/groups/')) {
      if (params.id !== this.group.fullPath && params.id !== String(this.group.id))
        return this.notFound(context);
    }
    const project = route.startsWith('/projects/') ? this.project(params.id!) : undefined;
    if (route.startsWith('/projects/') && !project) return this.notFound(context);
    const mr = params.merge_request_iid
      ? project!.mergeRequests.find((m) => String(m.iid) === params.merge_request_iid)
      : undefined;
    if (params.merge_request_iid && !mr) return this.notFound(context);
    switch (route) {
      case '/groups/{id}':
        return this.send(context, 200, this.groupDetail());
      case '/groups/{id}/projects':
        return this.page(
          context,
          this.group.projects.map((p) => this.projectEntity(p)),
        );
      case '/groups/{id}/members/all':
        return this.page(
          context,
          this.group.members.map((m) => this.member(m.userId, m.accessLevel, m.expiresAt)),
        );
      case '/groups/{id}/audit_events':
        return premium ? this.page(context, this.auditEvents(query)) : forbidden();
      case '/users':
        return this.options.admin ? this.page(context, this.users(query)) : forbidden();
      case '/users/{id}': {
        const found = this.group.users.find((u) => String(u.id) === params.id);
        return found ? this.send(context, 200, this.userEntity(found)) : this.notFound(context);
      }
      case '/projects/{id}':
        return this.send(context, 200, this.projectEntity(project!));
      case '/projects/{id}/merge_requests':
        return this.page(context, this.mergeRequests(project!, query));
      case '/projects/{id}/merge_requests/{merge_request_iid}/versions':
        return this.page(context, this.versions(mr!));
      case '/projects/{id}/merge_requests/{merge_request_iid}/approvals':
        return this.send(context, 200, {
          approved: mr!.approvals.length > 0,
          approved_by: mr!.approvals.map((a) => ({ user: this.userBasic(a.userId) })),
        });
      case '/projects/{id}/events':
        return this.page(context, this.events(project!, query));
      case '/projects/{id}/protected_branches':
        return this.page(context, this.protectedBranches(project!));
      case '/projects/{id}/approval_rules':
        return premium ? this.send(context, 200, this.approvalRules(project!)) : forbidden();
      case '/projects/{id}/approvals': {
        if (!premium) return forbidden();
        const s = project!.approvalSettings;
        return this.send(context, 200, {
          reset_approvals_on_push: s.resetApprovalsOnPush,
          merge_requests_author_approval: s.authorMayApprove,
          merge_requests_disable_committers_approval: s.committersMayNotApprove,
          disable_overriding_approvers_per_merge_request: true,
          require_password_to_approve: false,
        });
      }
    }
  }

  /** One page of a list, GitLab's way: page/per_page (20 by default, 100 at most) and a Link to the next page. */
  private page(context: FakeRequest, items: unknown[]): void {
    const query = context.url.searchParams;
    const perPage = Math.min(Number(query.get('per_page') ?? 20), 100);
    const page = Math.max(Number(query.get('page') ?? 1), 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
    };
    if (page * perPage < items.length) {
      const next = new URLSearchParams(query);
      next.set('page', String(page + 1));
      headers['x-next-page'] = String(page + 1);
      headers.link = `<${this.linkBase}${context.path}?${next}>; rel="next"`;
    }
    this.send(context, 200, slice, headers);
  }

  private project(id: string): FakeProject | undefined {
    return this.group.projects.find((p) => String(p.id) === id || p.path === id);
  }

  private user(id: number): FakeUser {
    const found = this.group.users.find((u) => u.id === id);
    if (!found) throw new Error(`the fake group has no user ${id}`);
    return found;
  }

  private userBasic(id: number): Json {
    const u = this.user(id);
    return {
      id: u.id,
      username: u.username,
      name: u.name,
      state: u.state ?? 'active',
      locked: false,
      avatar_url: `${this.origin}/uploads/-/system/user/avatar/${u.id}/avatar.png`,
      web_url: `${this.origin}/${u.username}`,
    };
  }

  private userEntity(u: FakeUser): Json {
    return { ...this.userBasic(u.id), created_at: '2024-01-10T09:00:00.000Z' };
  }

  private member(userId: number, accessLevel: number, expiresAt?: string): Json {
    return withoutNulls({
      ...this.userBasic(userId),
      access_level: accessLevel,
      created_at: '2025-01-06T10:00:00.000Z',
      expires_at: expiresAt ?? null,
      membership_state: 'active',
    });
  }

  private groupDetail(): Json {
    return {
      id: this.group.id,
      name: this.group.fullPath.split('/').at(-1),
      path: this.group.fullPath.split('/').at(-1),
      full_path: this.group.fullPath,
      web_url: `${this.origin}/groups/${this.group.fullPath}`,
      require_two_factor_authentication: this.group.requireTwoFactor,
    };
  }

  private projectEntity(p: FakeProject): Json {
    return {
      id: p.id,
      name: p.path.split('/').at(-1),
      path: p.path.split('/').at(-1),
      path_with_namespace: p.path,
      default_branch: p.defaultBranch,
      archived: false,
      web_url: `${this.origin}/${p.path}`,
    };
  }

  private users(query: URLSearchParams): Json[] {
    const filter = query.get('two_factor');
    return this.group.users
      .filter((u) => filter === null || (filter === 'enabled') === u.twoFactor)
      .filter((u) => query.get('active') !== 'true' || (u.state ?? 'active') === 'active')
      .map((u) => this.userEntity(u));
  }

  private mergeRequests(p: FakeProject, query: URLSearchParams): Json[] {
    const updatedAfter = query.get('updated_after');
    const state = query.get('state');
    // Every merge request the fake holds is merged.
    const merged = state === null || state === 'merged' || state === 'all';
    const list = (merged ? p.mergeRequests : [])
      .filter((m) => updatedAfter === null || m.mergedAt >= new Date(updatedAfter).toISOString())
      .sort((a, b) => a.mergedAt.localeCompare(b.mergedAt));
    if (query.get('sort') !== 'asc') list.reverse();
    return list.map((m) => this.mergeRequest(p, m));
  }

  private mergeRequest(p: FakeProject, m: FakeMergeRequest): Json {
    const head = m.pushes.at(-1)?.sha ?? null;
    return withoutNulls({
      id: p.id * 100_000 + m.iid,
      iid: m.iid,
      project_id: p.id,
      title: m.title,
      state: 'merged',
      created_at: m.createdAt,
      updated_at: m.mergedAt,
      merged_at: m.mergedAt,
      merge_user: this.userBasic(m.mergedById),
      merged_by: this.userBasic(m.mergedById),
      author: this.userBasic(m.authorId),
      target_branch: m.targetBranch,
      source_branch: m.sourceBranch,
      source_project_id: m.fromFork ? p.id + 10_000 : p.id,
      target_project_id: p.id,
      draft: false,
      labels: [],
      sha: head,
      merge_commit_sha: head ? `${head.slice(0, 30)}ffffffffff` : null,
      reference: `!${m.iid}`,
      web_url: `${this.origin}/${p.path}/-/merge_requests/${m.iid}`,
    });
  }

  private versions(m: FakeMergeRequest): Json[] {
    return m.pushes
      .map((push, index) => ({
        id: m.iid * 1000 + index + 1,
        head_commit_sha: push.sha,
        base_commit_sha: 'b'.repeat(40),
        start_commit_sha: 'b'.repeat(40),
        created_at: push.at,
        merge_request_id: m.iid,
        state: 'collected',
        real_size: '1',
      }))
      .reverse();
  }

  /** The project's events: pushes (not a fork's), and approvals, which GitLab records as `approved` events. */
  private events(p: FakeProject, query: URLSearchParams): Json[] {
    const action = query.get('action');
    const after = query.get('after');
    const before = query.get('before');
    const events: Json[] = [];
    for (const m of p.mergeRequests) {
      m.pushes.forEach((push, index) => {
        if (m.fromFork) return;
        events.push({
          project_id: p.id,
          action_name: index === 0 ? 'pushed new' : 'pushed to',
          author_id: push.userId,
          author: this.userBasic(push.userId),
          author_username: this.user(push.userId).username,
          created_at: push.at,
          push_data: withoutNulls({
            commit_count: 1,
            action: index === 0 ? 'created' : 'pushed',
            ref_type: 'branch',
            commit_from: index === 0 ? null : m.pushes[index - 1]!.sha,
            commit_to: push.sha,
            ref: m.sourceBranch,
            commit_title: `Change ${push.sha.slice(-6)}`,
          }),
        });
      });
      for (const approval of m.approvals) {
        events.push({
          project_id: p.id,
          action_name: 'approved',
          target_id: p.id * 100_000 + m.iid,
          target_iid: m.iid,
          target_type: 'MergeRequest',
          target_title: m.title,
          author_id: approval.userId,
          author: this.userBasic(approval.userId),
          author_username: this.user(approval.userId).username,
          created_at: approval.at,
        });
      }
    }
    const dayAfter = after ? new Date(Date.parse(`${after}T00:00:00Z`) + 86_400_000).toISOString() : null;
    const chosen = events
      .filter((e) => action === null || (e.action_name as string).startsWith(action))
      .filter((e) => query.get('target_type') === null || e.target_type === 'MergeRequest')
      .filter((e) => dayAfter === null || (e.created_at as string) >= dayAfter)
      .filter((e) => before === null || (e.created_at as string) < `${before}T00:00:00.000Z`)
      .sort((a, b) => (a.created_at as string).localeCompare(b.created_at as string));
    if (query.get('sort') !== 'asc') chosen.reverse();
    return chosen.map((e, index) => ({ id: index + 1, ...e }));
  }

  private protectedBranches(p: FakeProject): Json[] {
    return p.protectedBranches.map((b, index) => ({
      id: index + 1,
      name: b.name,
      push_access_levels: b.push.map((a, i) => ({ id: i + 1, ...a })),
      merge_access_levels: b.merge.map((a, i) => ({ id: i + 1, ...a })),
      unprotect_access_levels: [],
      allow_force_push: b.allowForcePush,
      code_owner_approval_required: b.codeOwnerApprovalRequired,
      inherited: false,
    }));
  }

  /** In GitLab's documented shape, which names a rule's users and branches with fewer fields than their own lists. */
  private approvalRules(p: FakeProject): Json[] {
    const users = (ids: number[]) =>
      ids.map((id) => {
        const { locked: _locked, ...rest } = this.userBasic(id);
        return rest;
      });
    return p.approvalRules.map((rule, index) => ({
      id: index + 1,
      name: rule.name,
      rule_type: rule.ruleType,
      eligible_approvers: users(rule.userIds),
      approvals_required: rule.approvalsRequired,
      users: users(rule.userIds),
      groups: [],
      applies_to_all_protected_branches: false,
      protected_branches: p.protectedBranches
        .filter((b) => rule.protectedBranches.includes(b.name))
        .map((b) => ({
          id: p.protectedBranches.indexOf(b) + 1,
          name: b.name,
          push_access_levels: b.push,
          merge_access_levels: b.merge,
          unprotect_access_levels: [],
          code_owner_approval_required: String(b.codeOwnerApprovalRequired),
        })),
      contains_hidden_groups: false,
    }));
  }

  private auditEvents(query: URLSearchParams): Json[] {
    const after = query.get('created_after');
    const before = query.get('created_before');
    return this.group.removals
      .filter(
        (r) =>
          (!after || r.at >= new Date(after).toISOString()) &&
          (!before || r.at <= new Date(before).toISOString()),
      )
      .sort((a, b) => b.at.localeCompare(a.at))
      .map((r) => {
        const removed = this.user(r.userId);
        return {
          id: r.id,
          author_id: r.byId,
          entity_id: r.entityType === 'Group' ? this.group.id : (this.project(r.entityPath)?.id ?? 0),
          entity_type: r.entityType,
          event_name: 'member_destroyed',
          details: {
            remove: 'user_access',
            author_name: this.user(r.byId).name,
            author_class: 'User',
            target_id: removed.id,
            target_type: 'User',
            target_details: removed.name,
            custom_message: 'Membership destroyed',
            entity_path: r.entityPath,
          },
          created_at: r.at,
        };
      });
  }
}
