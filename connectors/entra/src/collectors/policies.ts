import {
  type EntityDigest,
  emitDiffedSnapshot,
  fieldDigests,
  mergeChanges,
  snapshotCursorSchema,
} from '@crosswalk/connector-kit';
import { type CollectorDefinition, canonicalSha256, type PayloadOf, personSchema } from '@crosswalk/core';
import { z } from 'zod';
import { GraphClient } from '../client.js';
import { COLLECTOR_PERMISSIONS, type EntraConfig } from '../config.js';
import { readOrLimit } from '../licence.js';
import {
  graphPerson,
  graphTime,
  optionalGraphTime,
  requireId,
  snapshotDay,
  stringOrNull,
} from '../people.js';
import type { DirectoryAudit } from './user-lifecycle.js';

type Payload = PayloadOf<'entra.policy'>;
type CaPolicy = Payload['conditionalAccessPolicies'][number];
type MethodsPolicy = NonNullable<Payload['authenticationMethodsPolicy']>;
type ChangeEvent = Payload['changeEvents'][number];

/** The audit activities that change these policies (category `Policy`). */
export const POLICY_ACTIVITIES = [
  'Add conditional access policy',
  'Update conditional access policy',
  'Delete conditional access policy',
  'Authentication Methods Policy Update',
] as const;

/** The id Graph gives the tenant's one authentication methods policy. */
const METHODS_POLICY_ID = 'authenticationMethodsPolicy';

interface GraphCaPolicy {
  id?: string;
  displayName?: string | null;
  state?: string | null;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
  templateId?: string | null;
  conditions?: {
    users?: { includeUsers?: string[] | null } | null;
    applications?: { includeApplications?: string[] | null } | null;
  } | null;
  grantControls?: { builtInControls?: string[] | null; authenticationStrength?: unknown } | null;
  sessionControls?: unknown;
}

interface GraphMethodsPolicy {
  id?: string;
  displayName?: string | null;
  lastModifiedDateTime?: string | null;
  policyVersion?: string | null;
  policyMigrationState?: string | null;
  registrationEnforcement?: unknown;
  authenticationMethodConfigurations?:
    | { '@odata.type'?: string; id?: string; state?: string | null; excludeTargets?: unknown }[]
    | null;
}

/** One object of a snapshot as the diff sees it: a short hash per top-level field. */
const entityDigestSchema = z.object({
  subject: z.string().min(1),
  name: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
});

function digest(subject: string, object: Record<string, unknown>, name: string | null, skip: string[] = []) {
  return { subject, name, fields: fieldDigests(object, skip) };
}

const changeEventSchema = z.object({
  eventId: z.string().min(1),
  activity: z.string().min(1),
  at: z.string().min(1),
  actor: personSchema.nullable(),
  actorApp: z.object({ id: z.string().nullable(), displayName: z.string().nullable() }).nullable(),
  result: z.string().nullable(),
  policyId: z.string().nullable(),
  targetName: z.string().nullable(),
});

/** The snapshot cursor (see the kit's snapshot-diff): digests of the last two snapshots, the last change per policy. */
const cursorSchema = snapshotCursorSchema(entityDigestSchema, changeEventSchema);
export type PolicyCursor = z.infer<typeof cursorSchema>;

/** Whether a Conditional Access policy lets anyone in only with multifactor authentication. */
function requiresMfa(policy: GraphCaPolicy): boolean {
  const grant = policy.grantControls;
  return (grant?.builtInControls ?? []).includes('mfa') || (grant?.authenticationStrength ?? null) !== null;
}

function coversEveryone(policy: GraphCaPolicy): boolean {
  return (
    (policy.conditions?.users?.includeUsers ?? []).includes('All') &&
    (policy.conditions?.applications?.includeApplications ?? []).includes('All')
  );
}

/** A policy audit entry as a change: which policy, by whom, when. */
export function policyChangeOf(entry: DirectoryAudit): ChangeEvent | null {
  if (!entry.id || !entry.activityDisplayName) return null;
  const target = entry.targetResources?.find((t) => t?.type === 'Policy') ?? entry.targetResources?.[0];
  const actor = graphPerson(entry.initiatedBy?.user);
  const app = entry.initiatedBy?.app;
  const methods = entry.activityDisplayName === 'Authentication Methods Policy Update';
  return {
    eventId: entry.id,
    activity: entry.activityDisplayName,
    at: graphTime(entry.activityDateTime, `directory audit entry ${entry.id}`, 'an activityDateTime'),
    actor,
    actorApp:
      !actor && app && (app.appId || app.displayName)
        ? { id: stringOrNull(app.appId), displayName: stringOrNull(app.displayName) }
        : null,
    result: stringOrNull(entry.result),
    policyId: methods ? METHODS_POLICY_ID : stringOrNull(target?.id),
    targetName: stringOrNull(target?.displayName),
  };
}

/**
 * `entra.policy`: a daily snapshot of the tenant's Conditional Access policies and its authentication methods policy,
 * filed at the start of the UTC day (a same-day rerun is a no-op), pointing at the previous snapshot it stored with
 * what changed since, and naming who changed which policy from the directory audit log.
 */
export const policies: CollectorDefinition<EntraConfig, PolicyCursor> = {
  id: 'policies',
  kind: 'entra.policy',
  cursorSchema,
  description:
    'Daily snapshot of Conditional Access and authentication methods policies, with changes and who made them',
  async collect(ctx) {
    const client = new GraphClient(ctx.config, {
      log: ctx.log,
      signal: ctx.signal,
      permissions: COLLECTOR_PERMISSIONS.policies,
    });
    const occurredAt = snapshotDay(ctx.clock.now());
    const cursor: PolicyCursor = ctx.cursor ?? {};
    const limitations: string[] = [];

    const rawPolicies = await readOrLimit(
      async () => {
        const found: GraphCaPolicy[] = [];
        for await (const page of client.pages<GraphCaPolicy>(
          '/identity/conditionalAccess/policies',
          {},
          'Conditional Access policies',
        ))
          found.push(...page);
        return found;
      },
      'conditionalAccessPolicies',
      limitations,
    );
    const rawMethods = await readOrLimit(
      () =>
        client.get<GraphMethodsPolicy>(
          '/policies/authenticationMethodsPolicy',
          {},
          'the authentication methods policy',
        ),
      'authenticationMethodsPolicy',
      limitations,
    );

    // Who changed what: the policy entries of the window, the latest kept per policy, merged with what the cursor knew.
    const since = Date.parse(ctx.window.since);
    const until = Date.parse(ctx.window.until);
    const filter =
      `activityDateTime ge ${ctx.window.since} and activityDateTime le ${ctx.window.until} and (` +
      POLICY_ACTIVITIES.map((name) => `activityDisplayName eq '${name}'`).join(' or ') +
      ')';
    const changeEvents: ChangeEvent[] = [];
    for await (const page of client.pages<DirectoryAudit>(
      '/auditLogs/directoryAudits',
      { $filter: filter, $top: client.pageSize },
      'the directory audit log (policy changes)',
    )) {
      for (const entry of page) {
        if (!(POLICY_ACTIVITIES as readonly string[]).includes(String(entry?.activityDisplayName))) continue;
        const change = policyChangeOf(entry);
        const at = change ? Date.parse(change.at) : Number.NaN;
        if (change && at >= since && at < until) changeEvents.push(change);
      }
    }
    const lastChanges = mergeChanges(cursor.lastChanges, changeEvents);

    const caPolicies: CaPolicy[] = (rawPolicies ?? []).map((raw) => {
      const item = `Conditional Access policy ${raw.id ?? '(no id)'}`;
      const id = requireId(raw.id, item);
      return {
        id,
        displayName: stringOrNull(raw.displayName),
        state: stringOrNull(raw.state),
        createdDateTime: optionalGraphTime(raw.createdDateTime, item, 'createdDateTime'),
        modifiedDateTime: optionalGraphTime(raw.modifiedDateTime, item, 'modifiedDateTime'),
        templateId: stringOrNull(raw.templateId),
        conditions: raw.conditions ?? null,
        grantControls: raw.grantControls ?? null,
        sessionControls: raw.sessionControls ?? null,
        requiresMfa: requiresMfa(raw),
        lastChange: lastChanges[id] ?? null,
      };
    });
    caPolicies.sort(
      (a, b) => (a.displayName ?? '').localeCompare(b.displayName ?? '') || a.id.localeCompare(b.id),
    );
    const methodsPolicy: MethodsPolicy | null = rawMethods
      ? {
          id: rawMethods.id ?? METHODS_POLICY_ID,
          displayName: stringOrNull(rawMethods.displayName),
          lastModifiedDateTime: optionalGraphTime(
            rawMethods.lastModifiedDateTime,
            'the authentication methods policy',
            'lastModifiedDateTime',
          ),
          policyVersion: stringOrNull(rawMethods.policyVersion),
          policyMigrationState: stringOrNull(rawMethods.policyMigrationState),
          registrationEnforcement: rawMethods.registrationEnforcement ?? null,
          methods: (rawMethods.authenticationMethodConfigurations ?? [])
            .map((method) => ({
              id: requireId(method.id, 'an authentication method configuration'),
              type: stringOrNull(method['@odata.type'])?.replace(/^#microsoft\.graph\./, '') ?? null,
              state: stringOrNull(method.state),
              excludeTargets: method.excludeTargets ?? [],
            }))
            .sort((a, b) => a.id.localeCompare(b.id)),
          lastChange: lastChanges[rawMethods.id ?? METHODS_POLICY_ID] ?? null,
        }
      : null;

    const contentSha256 = canonicalSha256({
      conditionalAccessPolicies: caPolicies.map(({ lastChange: _ignored, ...policy }) => policy),
      authenticationMethodsPolicy: methodsPolicy ? { ...methodsPolicy, lastChange: null } : null,
    });
    const entities: Record<string, EntityDigest> = {};
    for (const policy of caPolicies)
      entities[`conditional_access_policy:${policy.id}`] = digest(
        'conditional_access_policy',
        policy,
        policy.displayName,
        ['lastChange'],
      );
    if (methodsPolicy) {
      entities[`authentication_methods_policy:${methodsPolicy.id}`] = digest(
        'authentication_methods_policy',
        methodsPolicy,
        methodsPolicy.displayName,
        ['lastChange', 'methods'],
      );
      for (const method of methodsPolicy.methods)
        entities[`authentication_method:${method.id}`] = digest('authentication_method', method, method.id);
    }
    for (const limitation of limitations) ctx.log.warn({ tenant: client.tenant }, limitation);
    const status = await emitDiffedSnapshot(ctx, {
      kind: 'entra.policy',
      occurredAt,
      source: {
        system: 'entra',
        instance: client.tenant,
        ref: `${client.tenant}:policies`,
        url: client.link('/identity/conditionalAccess/policies'),
      },
      cursor,
      changeEvents,
      lastChanges,
      contentSha256,
      entities,
      payload: (since) => ({
        tenant: client.tenant,
        conditionalAccessPolicies: caPolicies,
        authenticationMethodsPolicy: methodsPolicy,
        mfaForAllUsers: (rawPolicies ?? [])
          .filter((policy) => policy.state === 'enabled' && requiresMfa(policy) && coversEveryone(policy))
          .map((policy) => ({ id: policy.id!, displayName: stringOrNull(policy.displayName) }))
          .sort((a, b) => a.id.localeCompare(b.id)),
        contentSha256,
        previousSnapshot: since.previousSnapshot,
        changedSincePrevious: since.changedSincePrevious as Payload['changedSincePrevious'],
        changeEvents,
        limitations,
      }),
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info(
      { tenant: client.tenant, policies: caPolicies.length, changes: changeEvents.length, status },
      'Entra policy snapshot taken',
    );
  },
};
