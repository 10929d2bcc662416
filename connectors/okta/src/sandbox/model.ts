/**
 * The state a fake Okta org serves: users, admin roles, apps, policies, authenticators, System Log events and
 * governance campaigns. Builders fill Okta-looking ids and defaults so tests state only what they are about.
 */
import { createHash } from 'node:crypto';

export interface FakeUser {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  status:
    | 'ACTIVE'
    | 'STAGED'
    | 'PROVISIONED'
    | 'SUSPENDED'
    | 'DEPROVISIONED'
    | 'LOCKED_OUT'
    | 'RECOVERY'
    | 'PASSWORD_EXPIRED';
  created: string;
  activated: string | null;
  lastLogin: string | null;
  statusChanged: string | null;
  passwordChanged: string | null;
}

export interface FakeRole {
  type: string;
  label: string;
  assignmentType: 'USER' | 'GROUP';
}

export interface FakeApp {
  id: string;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** SAML only: Okta's description requires app-specific settings of other sign-on modes the fake does not model. */
  signOnMode: 'SAML_2_0';
  assignments: { userId: string; scope: 'USER' | 'GROUP' }[];
}

/** What a policy and a rule of it both carry: Okta orders, activates and dates them alike. */
interface FakePolicyPart {
  id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  priority: number;
  system: boolean;
  created: string;
  lastUpdated: string;
  conditions: Record<string, unknown> | null;
}

export interface FakeRule extends FakePolicyPart {
  /** SIGN_ON, ACCESS_POLICY, PASSWORD, MFA_ENROLL */
  type: string;
  actions: Record<string, unknown>;
}

export interface FakePolicy extends FakePolicyPart {
  type: 'OKTA_SIGN_ON' | 'PASSWORD' | 'MFA_ENROLL' | 'ACCESS_POLICY';
  description: string;
  settings: Record<string, unknown> | undefined;
  rules: FakeRule[];
}

export interface FakeAuthenticator {
  id: string;
  key: string;
  name: string;
  type: string;
  status: 'ACTIVE' | 'INACTIVE';
  created: string;
  lastUpdated: string;
  settings?: Record<string, unknown>;
}

export interface FakeLogEntity {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
}

export interface FakeEvent {
  uuid: string;
  published: string;
  eventType: string;
  displayMessage: string;
  actor: FakeLogEntity;
  target: FakeLogEntity[];
  outcome: 'SUCCESS' | 'FAILURE';
  transactionId: string;
}

export interface FakeReview {
  id: string;
  principal: FakeUser;
  reviewer: FakeUser | null;
  resourceId: string;
  decision: 'APPROVE' | 'REVOKE' | 'UNREVIEWED';
  decided: string | null;
  remediationStatus: 'NONE' | 'OPEN' | 'ERROR' | 'SUCCESS' | 'MANUAL';
  created: string;
}

export interface FakeCampaign {
  id: string;
  name: string;
  description: string;
  status: 'SCHEDULED' | 'LAUNCHING' | 'ACTIVE' | 'COMPLETED';
  startDate: string;
  endDate: string;
  createdBy: string;
  created: string;
  reviewer: FakeUser;
  resourceId: string;
  reviews: FakeReview[];
}

export interface FakeOrg {
  users: FakeUser[];
  /** userId -> roles held (directly or through a group). */
  adminRoles: Record<string, FakeRole[]>;
  apps: FakeApp[];
  policies: FakePolicy[];
  authenticators: FakeAuthenticator[];
  events: FakeEvent[];
  /** null: an org without Okta Identity Governance. */
  governance: { campaigns: FakeCampaign[] } | null;
}

/** A 20-character Okta id with the given 3-character prefix, stable for a seed: `00u` users, `0oa` apps, ... */
export function oktaId(prefix: string, seed: string): string {
  const hash = createHash('sha256')
    .update(`${prefix}:${seed}`)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  return `${prefix}${hash.slice(0, 17)}`;
}

/** A UUID v1-looking id for a System Log event, stable for a seed. */
export function eventUuid(seed: string): string {
  const hex = createHash('sha256').update(`event:${seed}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-11ef-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function user(login: string, overrides: Partial<FakeUser> = {}): FakeUser {
  const [first = login, last = 'Example'] = login.split('@')[0]!.split('.');
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return {
    id: oktaId('00u', login),
    login,
    email: login,
    firstName: capital(first),
    lastName: capital(last),
    status: 'ACTIVE',
    created: '2025-06-01T09:00:00.000Z',
    activated: '2025-06-01T09:05:00.000Z',
    lastLogin: '2026-03-06T08:00:00.000Z',
    statusChanged: '2025-06-01T09:05:00.000Z',
    passwordChanged: '2025-06-01T09:05:00.000Z',
    ...overrides,
  };
}

export function app(
  name: string,
  label: string,
  assignments: FakeApp['assignments'],
  overrides: Partial<FakeApp> = {},
): FakeApp {
  return {
    id: oktaId('0oa', name),
    name,
    label,
    status: 'ACTIVE',
    signOnMode: 'SAML_2_0',
    assignments,
    ...overrides,
  };
}

export function rule(
  name: string,
  type: string,
  actions: Record<string, unknown>,
  overrides: Partial<FakeRule> = {},
): FakeRule {
  return {
    id: oktaId('0pr', `${type}:${name}`),
    name,
    type,
    status: 'ACTIVE',
    priority: 1,
    system: false,
    created: '2025-06-01T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    conditions: { network: { connection: 'ANYWHERE' } },
    actions,
    ...overrides,
  };
}

export function policy(
  type: FakePolicy['type'],
  name: string,
  rules: FakeRule[],
  overrides: Partial<FakePolicy> = {},
): FakePolicy {
  return {
    id: oktaId('00p', `${type}:${name}`),
    type,
    name,
    description: `${name} (${type})`,
    status: 'ACTIVE',
    priority: 1,
    system: false,
    created: '2025-06-01T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    conditions: { people: { groups: { include: [oktaId('00g', 'everyone')] } } },
    settings: undefined,
    rules,
    ...overrides,
  };
}

export function authenticator(
  key: string,
  name: string,
  type: string,
  overrides: Partial<FakeAuthenticator> = {},
): FakeAuthenticator {
  return {
    id: oktaId('aut', key),
    key,
    name,
    type,
    status: 'ACTIVE',
    created: '2025-06-01T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    ...overrides,
  };
}

/** A System Log actor or target for a user. */
export function userEntity(u: FakeUser): FakeLogEntity {
  return { id: u.id, type: 'User', alternateId: u.login, displayName: `${u.firstName} ${u.lastName}` };
}

export function event(
  eventType: string,
  published: string,
  actor: FakeLogEntity,
  target: FakeLogEntity[],
  overrides: Partial<FakeEvent> = {},
): FakeEvent {
  return {
    uuid: eventUuid(`${eventType}:${published}:${target.map((t) => t.id).join(',')}`),
    published,
    eventType,
    displayMessage: eventType,
    actor,
    target,
    outcome: 'SUCCESS',
    transactionId: `tx${createHash('sha256').update(published).digest('hex').slice(0, 20)}`,
    ...overrides,
  };
}

export function campaign(
  name: string,
  status: FakeCampaign['status'],
  startDate: string,
  endDate: string,
  reviewer: FakeUser,
  reviews: Omit<FakeReview, 'id' | 'created' | 'resourceId'>[],
  resourceId = oktaId('0oa', 'salesforce'),
): FakeCampaign {
  const id = oktaId('ici', name);
  return {
    id,
    name,
    description: `${name} access certification`,
    status,
    startDate,
    endDate,
    createdBy: reviewer.id,
    created: startDate,
    reviewer,
    resourceId,
    reviews: reviews.map((r, index) => ({
      ...r,
      id: oktaId('icr', `${name}:${index}`),
      created: startDate,
      resourceId,
    })),
  };
}
