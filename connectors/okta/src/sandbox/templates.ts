/**
 * Okta's JSON shapes, modelled on the examples in Okta's own API descriptions (src/sandbox/spec/) and checked against their
 * schemas on every answer. Fields the descriptions mark optional and the connector does not read are left out; where
 * a real org sends null for a field the description types as a string, the fake leaves it out rather than break the
 * description (the connector tolerates both).
 */
import type {
  FakeApp,
  FakeAuthenticator,
  FakeCampaign,
  FakeEvent,
  FakeLogEntity,
  FakePolicy,
  FakeReview,
  FakeRole,
  FakeRule,
  FakeUser,
} from './model.js';

const link = (href: string, allow?: string[]) => (allow ? { href, hints: { allow } } : { href });

export function user(origin: string, u: FakeUser) {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.statusChanged ?? u.created,
    passwordChanged: u.passwordChanged,
    type: { id: 'oty1162QAr8hJjTaq0g4' },
    profile: {
      firstName: u.firstName,
      lastName: u.lastName,
      mobilePhone: null,
      secondEmail: null,
      login: u.login,
      email: u.email,
    },
    credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: link(`${origin}/api/v1/users/${u.id}`) },
  };
}

export function role(origin: string, userId: string, r: FakeRole, index: number) {
  return {
    id: `ra${userId.slice(3, 12)}${index}${r.type.length}`,
    label: r.label,
    type: r.type,
    status: 'ACTIVE',
    created: '2025-06-01T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    assignmentType: r.assignmentType,
    _links: { assignee: link(`${origin}/api/v1/users/${userId}`) },
  };
}

export function roleAssignee(origin: string, userId: string) {
  return {
    id: userId,
    orn: `orn:okta:directory:00o5rb5mt2H3d1TJd0h7:users:${userId}`,
    _links: {
      self: link(`${origin}/api/v1/users/${userId}`),
      roles: link(`${origin}/api/v1/users/${userId}/roles`),
    },
  };
}

export function application(origin: string, a: FakeApp) {
  return {
    id: a.id,
    orn: `orn:okta:idp:00o1n8sbwArJ7OQRw406:apps:${a.name}:${a.id}`,
    name: a.name,
    label: a.label,
    status: a.status,
    lastUpdated: '2025-06-01T09:00:00.000Z',
    created: '2025-06-01T09:00:00.000Z',
    accessibility: { selfService: false },
    visibility: {
      autoSubmitToolbar: false,
      hide: { iOS: false, web: false },
      appLinks: { [`${a.name}_link`]: true },
    },
    features: [],
    signOnMode: a.signOnMode,
    _links: {
      users: link(`${origin}/api/v1/apps/${a.id}/users`),
      self: link(`${origin}/api/v1/apps/${a.id}`),
    },
  };
}

export function appUser(origin: string, appId: string, u: FakeUser, scope: 'USER' | 'GROUP') {
  return {
    id: u.id,
    externalId: `ext-${u.id}`,
    created: '2025-06-01T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    scope,
    status: u.status === 'DEPROVISIONED' ? 'INACTIVE' : 'PROVISIONED',
    statusChanged: '2025-06-01T09:00:00.000Z',
    passwordChanged: null,
    syncState: 'SYNCHRONIZED',
    lastSync: '2025-06-01T09:00:00.000Z',
    credentials: { userName: u.login },
    profile: { email: u.email, firstName: u.firstName, lastName: u.lastName },
    _links: { app: link(`${origin}/api/v1/apps/${appId}`), user: link(`${origin}/api/v1/users/${u.id}`) },
  };
}

export function policy(origin: string, p: FakePolicy) {
  return {
    type: p.type,
    id: p.id,
    status: p.status,
    name: p.name,
    description: p.description,
    priority: p.priority,
    system: p.system,
    conditions: p.conditions,
    ...(p.settings ? { settings: p.settings } : {}),
    created: p.created,
    lastUpdated: p.lastUpdated,
    _links: {
      self: link(`${origin}/api/v1/policies/${p.id}`, ['GET', 'PUT']),
      rules: link(`${origin}/api/v1/policies/${p.id}/rules`, ['GET', 'POST']),
    },
  };
}

export function policyRule(origin: string, policyId: string, r: FakeRule) {
  return {
    id: r.id,
    status: r.status,
    name: r.name,
    priority: r.priority,
    created: r.created,
    lastUpdated: r.lastUpdated,
    system: r.system,
    ...(r.conditions ? { conditions: r.conditions } : {}),
    actions: r.actions,
    _links: { self: link(`${origin}/api/v1/policies/${policyId}/rules/${r.id}`, ['GET', 'PUT', 'DELETE']) },
    type: r.type,
  };
}

export function authenticator(origin: string, a: FakeAuthenticator) {
  return {
    type: a.type,
    id: a.id,
    key: a.key,
    status: a.status,
    name: a.name,
    created: a.created,
    lastUpdated: a.lastUpdated,
    ...(a.settings ? { settings: a.settings } : {}),
    _links: { self: link(`${origin}/api/v1/authenticators/${a.id}`, ['GET', 'PUT']) },
  };
}

function logEntity(entity: FakeLogEntity) {
  return {
    id: entity.id,
    type: entity.type,
    alternateId: entity.alternateId,
    displayName: entity.displayName,
  };
}

export function logEvent(e: FakeEvent) {
  return {
    actor: logEntity(e.actor),
    client: {
      userAgent: {
        rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)',
        os: 'Mac OS X',
        browser: 'CHROME',
      },
      device: 'Computer',
      ipAddress: '10.0.0.1',
    },
    displayMessage: e.displayMessage,
    eventType: e.eventType,
    outcome: { result: e.outcome },
    published: e.published,
    severity: 'INFO',
    debugContext: { debugData: { requestId: `req-${e.uuid.slice(0, 8)}` } },
    legacyEventType: `core.${e.eventType}`,
    transaction: { type: 'WEB', id: e.transactionId },
    uuid: e.uuid,
    version: '0',
    request: { ipChain: [] },
    target: e.target.map(logEntity),
  };
}

export function oktaError(code: string, summary: string, causes: string[] = []) {
  return {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId: `oae${code}SampleErrorId0`,
    errorCauses: causes.map((errorSummary) => ({ errorSummary })),
  };
}

function principalProfile(u: FakeUser) {
  return {
    id: u.id,
    email: u.email,
    login: u.login,
    firstName: u.firstName,
    lastName: u.lastName,
    status: u.status === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    type: 'USER',
  };
}

function campaignLinks(base: string, id: string) {
  return {
    launchCampaign: link(`${base}/governance/api/v1/campaigns/${id}/launch`),
    endCampaign: link(`${base}/governance/api/v1/campaigns/${id}/end`),
    reviews: link(`${base}/governance/api/v1/reviews?filter=${encodeURIComponent(`campaignId eq "${id}"`)}`),
    self: link(`${base}/governance/api/v1/campaigns/${id}`),
  };
}

/** What the sparse and the full campaign both say about a campaign: who made it, when, and its name. */
function campaignHead(c: FakeCampaign) {
  return {
    id: c.id,
    created: c.created,
    createdBy: c.createdBy,
    lastUpdated: c.endDate,
    lastUpdatedBy: c.createdBy,
    name: c.name,
    description: c.description,
  };
}

export function campaignSparse(base: string, c: FakeCampaign) {
  return {
    ...campaignHead(c),
    scheduleType: 'ONE_OFF',
    startDate: c.startDate,
    endDate: c.endDate,
    status: c.status,
    reviewerType: 'USER',
    _links: campaignLinks(base, c.id),
  };
}

export function campaignFull(base: string, c: FakeCampaign) {
  const days = Math.round((Date.parse(c.endDate) - Date.parse(c.startDate)) / 86_400_000);
  return {
    ...campaignHead(c),
    campaignType: 'RESOURCE',
    scheduleSettings: {
      type: 'ONE_OFF',
      startDate: c.startDate,
      durationInDays: days,
      timeZone: 'America/Vancouver',
      endDate: c.endDate,
    },
    resourceSettings: {
      type: 'APPLICATION',
      targetResources: [{ resourceId: c.resourceId, resourceType: 'APPLICATION' }],
    },
    reviewerSettings: { type: 'USER', reviewerId: c.reviewer.id },
    remediationSettings: { accessApproved: 'NO_ACTION', accessRevoked: 'DENY', noResponse: 'NO_ACTION' },
    status: c.status,
    _links: campaignLinks(base, c.id),
  };
}

export function review(base: string, campaignId: string, r: FakeReview) {
  return {
    id: r.id,
    created: r.created,
    createdBy: 'system',
    lastUpdated: r.decided ?? r.created,
    lastUpdatedBy: r.reviewer?.id ?? 'system',
    campaignId,
    resourceId: r.resourceId,
    decision: r.decision,
    ...(r.decided ? { decided: r.decided } : {}),
    remediationStatus: r.remediationStatus,
    principalProfile: principalProfile(r.principal),
    ...(r.reviewer ? { reviewerProfile: principalProfile(r.reviewer) } : {}),
    reviewerType: 'USER',
    _links: {
      self: link(`${base}/governance/api/v1/reviews/${r.id}`),
      reassignReview: link(`${base}/governance/api/v1/campaigns/${campaignId}/reviews/reassign`),
    },
  };
}

export function tokenResponse(accessToken: string, scope: string) {
  return { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope };
}
