import {
  diffDigests,
  emitDiffedSnapshot,
  fieldDigests,
  mergeChanges,
  snapshotCursorSchema,
  sourceCodeOf,
  sourceStatusOf,
} from '@crosswalk/connector-kit';
import {
  type CollectorDefinition,
  CrosswalkError,
  canonicalSha256,
  type PayloadOf,
  personSchema,
} from '@crosswalk/core';
import { z } from 'zod';
import { OktaClient } from '../client.js';
import { COLLECTOR_SCOPES, type OktaConfig, POLICY_TYPES } from '../config.js';
import {
  booleanOrNull,
  logPerson,
  numberOrNull,
  optionalTime,
  snapshotDay,
  sourceTime,
  stringOrNull,
} from '../people.js';
import type { LogEvent } from './user-lifecycle.js';

type Payload = PayloadOf<'okta.policy'>;
type Policy = Payload['policies'][number];
type Rule = Policy['rules'][number];
type Authenticator = Payload['authenticators'][number];
type ChangeEvent = NonNullable<Policy['lastChange']>;
type Change = NonNullable<Payload['changedSincePrevious']>[number];

/** GET /api/v1/policies and /api/v1/policies/{id}/rules items, the fields we read. */
interface OktaPolicy {
  id?: string;
  type?: string;
  name?: string;
  description?: string | null;
  status?: string;
  priority?: number;
  system?: boolean;
  created?: string | null;
  lastUpdated?: string | null;
  conditions?: unknown;
  settings?: unknown;
  actions?: unknown;
}

interface OktaAuthenticator extends OktaPolicy {
  key?: string;
  provider?: unknown;
}

/** One policy, rule or authenticator as the diff sees it: a hash per top-level field. */
const entityDigestSchema = z.object({
  subject: z.enum(['policy', 'rule', 'authenticator']),
  name: z.string().nullable(),
  policyId: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
});
type EntityDigest = z.infer<typeof entityDigestSchema>;

const changeEventSchema = z.object({
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  at: z.string().min(1),
  actor: personSchema.nullable(),
  outcome: z.string().nullable(),
  policyId: z.string().nullable(),
  ruleId: z.string().nullable(),
  targetName: z.string().nullable(),
});

/** The snapshot cursor (see the kit's snapshot-diff): digests of the last two snapshots, the last change per policy. */
const policyCursorSchema = snapshotCursorSchema(entityDigestSchema, changeEventSchema);
export type PolicyCursor = z.infer<typeof policyCursorSchema>;

const ACTIONS_ACCESS = (actions: unknown): { access: string | null; requiresMfa: boolean | null } => {
  const signon = (actions as { signon?: { access?: unknown; requireFactor?: unknown } } | null)?.signon;
  if (signon) {
    const access = stringOrNull(signon.access);
    if (access === 'DENY') return { access, requiresMfa: null };
    return { access, requiresMfa: typeof signon.requireFactor === 'boolean' ? signon.requireFactor : null };
  }
  const appSignOn = (
    actions as {
      appSignOn?: { access?: unknown; verificationMethod?: { type?: unknown; factorMode?: unknown } };
    } | null
  )?.appSignOn;
  if (appSignOn) {
    const access = stringOrNull(appSignOn.access);
    if (access === 'DENY') return { access, requiresMfa: null };
    const method = appSignOn.verificationMethod;
    if (method?.type === 'ASSURANCE' || method?.factorMode !== undefined) {
      return {
        access,
        requiresMfa: method?.factorMode === '2FA' ? true : method?.factorMode === '1FA' ? false : null,
      };
    }
    return { access, requiresMfa: null };
  }
  return { access: null, requiresMfa: null };
};

function ruleOf(rule: OktaPolicy, policyId: string): Rule {
  const item = `rule ${rule.id ?? '(no id)'} of policy ${policyId}`;
  const { access, requiresMfa } = ACTIONS_ACCESS(rule.actions);
  return {
    id: requireId(rule.id, item),
    name: rule.name ?? '',
    type: stringOrNull(rule.type),
    status: stringOrNull(rule.status),
    priority: numberOrNull(rule.priority),
    system: booleanOrNull(rule.system),
    created: optionalTime(rule.created, item, 'created'),
    lastUpdated: optionalTime(rule.lastUpdated, item, 'lastUpdated'),
    access,
    requiresMfa,
    conditions: rule.conditions ?? null,
    actions: rule.actions ?? null,
  };
}

function requireId(id: unknown, item: string): string {
  if (typeof id === 'string' && id !== '') return id;
  throw new CrosswalkError('CW_SOURCE_DATA', `Okta returned ${item} without an id`, { where: item });
}

function authenticatorOf(raw: OktaAuthenticator): Authenticator {
  const item = `authenticator ${raw.id ?? raw.key ?? '(no id)'}`;
  return {
    id: requireId(raw.id, item),
    key: stringOrNull(raw.key),
    name: stringOrNull(raw.name),
    type: stringOrNull(raw.type),
    status: stringOrNull(raw.status),
    created: optionalTime(raw.created, item, 'created'),
    lastUpdated: optionalTime(raw.lastUpdated, item, 'lastUpdated'),
    settings: raw.settings ?? null,
    provider: raw.provider ?? null,
  };
}

/** A `policy.*` System Log event as a change: which policy or rule, by whom, when. */
export function changeEventOf(event: LogEvent, ruleToPolicy: Map<string, string>): ChangeEvent | null {
  if (!event.uuid || !event.eventType) return null;
  const targets = event.target ?? [];
  const rule = targets.find((t) => t?.type === 'PolicyRule');
  const policy = targets.find((t) => t?.type === 'PolicyEntity' || t?.type === 'Policy');
  const ruleId = rule?.id ?? null;
  const policyId = policy?.id ?? (ruleId ? (ruleToPolicy.get(ruleId) ?? null) : null);
  return {
    eventId: event.uuid,
    eventType: event.eventType,
    at: sourceTime(event.published, `System Log event ${event.uuid}`, 'a published time'),
    actor: logPerson(event.actor),
    outcome: stringOrNull(event.outcome?.result),
    policyId,
    ruleId,
    targetName: stringOrNull((rule ?? policy)?.displayName),
  };
}

/**
 * Pages of a list this org may not have: Okta Classic Engine orgs have no access policies (`type=ACCESS_POLICY` is
 * refused with 400) and no authenticators API (404, or E0000015 "feature not available"). Such an answer becomes a
 * limitation of the snapshot, not a failure; anything else (a rejected token, a missing scope) still fails.
 */
async function* notAvailableAs<T>(
  pages: AsyncGenerator<T[]>,
  what: string,
  limitations: string[],
  statuses: number[],
): AsyncGenerator<T[]> {
  try {
    yield* pages;
  } catch (error) {
    const status = sourceStatusOf(error);
    if ((status !== undefined && statuses.includes(status)) || sourceCodeOf(error) === 'E0000015') {
      limitations.push(`${what}: not available in this org (${(error as Error).message})`);
      return;
    }
    throw error;
  }
}

/** A short hash per top-level field: enough to tell which fields changed, small enough for the cursor. */
function digest(
  subject: Change['subject'],
  object: Record<string, unknown>,
  policyId: string | null,
): EntityDigest {
  const fields = fieldDigests(object, ['rules', 'lastChange']);
  return { subject, name: stringOrNull(object.name), policyId, fields };
}

function entitiesOf(policies: Policy[], authenticators: Authenticator[]): Record<string, EntityDigest> {
  const entities: Record<string, EntityDigest> = {};
  for (const policy of policies) {
    entities[`policy:${policy.id}`] = digest('policy', policy, null);
    for (const rule of policy.rules) entities[`rule:${rule.id}`] = digest('rule', rule, policy.id);
  }
  for (const authenticator of authenticators) {
    entities[`authenticator:${authenticator.id}`] = digest('authenticator', authenticator, null);
  }
  return entities;
}

/** The order of what changed between two snapshots: policies, then rules, then authenticators, each by id. */
const SUBJECT_ORDER = ['policy', 'rule', 'authenticator'] as const;

/** What changed between two snapshots' digests, in SUBJECT_ORDER. */
export function diffSnapshots(
  previous: Record<string, EntityDigest>,
  current: Record<string, EntityDigest>,
): Change[] {
  return diffDigests(previous, current, SUBJECT_ORDER);
}

/** ACTIVE rules of ACTIVE sign-on and access policies that allow access with one factor. */
function singleFactorRules(policies: Policy[]): Payload['rulesAllowingSingleFactor'] {
  return policies
    .filter(
      (policy) =>
        policy.status === 'ACTIVE' && (policy.type === 'OKTA_SIGN_ON' || policy.type === 'ACCESS_POLICY'),
    )
    .flatMap((policy) =>
      policy.rules
        .filter((rule) => rule.status === 'ACTIVE' && rule.access !== 'DENY' && rule.requiresMfa === false)
        .map((rule) => ({
          policyId: policy.id,
          policyName: policy.name,
          ruleId: rule.id,
          ruleName: rule.name,
        })),
    );
}

/**
 * `okta.policy`: a daily snapshot of the org's sign-on, password, MFA-enrollment and access policies with their
 * rules, and the authenticators. It is filed at the start of the UTC day (a same-day rerun is a no-op), points at
 * the previous snapshot it stored and lists what changed since, and names who changed what from the System Log.
 */
export const policies: CollectorDefinition<OktaConfig, PolicyCursor> = {
  id: 'policies',
  kind: 'okta.policy',
  cursorSchema: policyCursorSchema,
  description:
    'Daily snapshot of sign-on, password, MFA enrollment and access policies, rules and authenticators',
  async collect(ctx) {
    const client = await OktaClient.create(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      scopes: COLLECTOR_SCOPES.policies,
    });
    const occurredAt = snapshotDay(ctx.clock.now());
    const types = ctx.config.collectors?.policies?.types ?? [...POLICY_TYPES];
    const cursor: PolicyCursor = ctx.cursor ?? {};

    const policies: Policy[] = [];
    const limitations: string[] = [];
    const ruleToPolicy = new Map<string, string>();
    for (const type of types) {
      const pages = client.pages<OktaPolicy>('/api/v1/policies', { type }, `${type} policies`, {
        scopes: ['okta.policies.read'],
      });
      for await (const page of notAvailableAs(pages, `${type} policies`, limitations, [400, 404])) {
        for (const raw of page) {
          const item = `${type} policy ${raw.id ?? '(no id)'}`;
          const id = requireId(raw.id, item);
          const rules: Rule[] = [];
          for await (const rulePage of client.pages<OktaPolicy>(
            `/api/v1/policies/${encodeURIComponent(id)}/rules`,
            {},
            `rules of policy ${id}`,
            { scopes: ['okta.policies.read'] },
          )) {
            for (const rule of rulePage) {
              const parsed = ruleOf(rule, id);
              ruleToPolicy.set(parsed.id, id);
              rules.push(parsed);
            }
          }
          rules.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || a.id.localeCompare(b.id));
          policies.push({
            id,
            type: raw.type ?? type,
            name: raw.name ?? '',
            description: stringOrNull(raw.description),
            status: stringOrNull(raw.status),
            priority: numberOrNull(raw.priority),
            system: booleanOrNull(raw.system),
            created: optionalTime(raw.created, item, 'created'),
            lastUpdated: optionalTime(raw.lastUpdated, item, 'lastUpdated'),
            conditions: raw.conditions ?? null,
            settings: raw.settings ?? null,
            rules,
            lastChange: null,
          });
        }
      }
    }
    const authenticators: Authenticator[] = [];
    const authenticatorPages = client.pages<OktaAuthenticator>(
      '/api/v1/authenticators',
      {},
      'authenticators',
      {
        scopes: ['okta.authenticators.read'],
      },
    );
    for await (const page of notAvailableAs(authenticatorPages, 'authenticators', limitations, [404])) {
      authenticators.push(...page.map(authenticatorOf));
    }
    authenticators.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '') || a.id.localeCompare(b.id));

    // Who changed what: the policy events of the window, newest kept per policy, merged with what the cursor knew.
    // Okta's answer is checked against the question: an event of another kind or time never names an owner.
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    const changeEvents: ChangeEvent[] = [];
    for await (const page of client.pages<LogEvent>(
      '/api/v1/logs',
      {
        since: ctx.window.since,
        until: ctx.window.until,
        filter: 'eventType sw "policy."',
        limit: client.settings.logPageSize,
        sortOrder: 'ASCENDING',
      },
      'the System Log (policy changes)',
      { scopes: ['okta.logs.read'] },
    )) {
      for (const event of page) {
        if (typeof event?.eventType !== 'string' || !event.eventType.startsWith('policy.')) continue;
        const change = changeEventOf(event, ruleToPolicy);
        const at = change ? Date.parse(change.at) : Number.NaN;
        if (change && at >= since && at < until) changeEvents.push(change);
      }
    }
    const lastChanges = mergeChanges(cursor.lastChanges, changeEvents);
    for (const policy of policies) policy.lastChange = lastChanges[policy.id] ?? null;
    policies.sort(
      (a, b) =>
        a.type.localeCompare(b.type) || (a.priority ?? 0) - (b.priority ?? 0) || a.id.localeCompare(b.id),
    );

    const contentSha256 = canonicalSha256({
      policies: policies.map(({ lastChange: _ignored, ...policy }) => policy),
      authenticators,
    });
    const entities = entitiesOf(policies, authenticators);
    const status = await emitDiffedSnapshot(ctx, {
      kind: 'okta.policy',
      occurredAt,
      source: {
        system: 'okta',
        instance: client.host,
        ref: `${client.host}:policies`,
        url: new URL('/api/v1/policies', client.orgUrl).href,
      },
      cursor,
      changeEvents,
      lastChanges,
      contentSha256,
      entities,
      subjectOrder: SUBJECT_ORDER,
      payload: (since) => ({
        org: client.host,
        policyTypes: [...types],
        policies,
        authenticators,
        rulesAllowingSingleFactor: singleFactorRules(policies),
        contentSha256,
        previousSnapshot: since.previousSnapshot,
        changedSincePrevious: since.changedSincePrevious,
        changeEvents,
        limitations,
      }),
      requests: client.recorder.entries.slice(),
    });
    for (const limitation of limitations) ctx.log.warn({ org: client.host }, limitation);
    ctx.log.info(
      { org: client.host, policies: policies.length, changes: changeEvents.length, status },
      'policy snapshot taken',
    );
  },
};
