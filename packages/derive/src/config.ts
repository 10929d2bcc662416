import { CrosswalkError, kindDeclaration, kindsOfCategory, zodIssues } from '@crosswalk/core';
import { z } from 'zod';
import { accountSources, terminationKinds } from './accounts.js';
import { leaversConfigSchema } from './leavers-config.js';
import { DEPROVISIONING, removalSources, sourceKey } from './removals.js';
import { checkSlaWithinLookahead, systemListSchema, timingFields } from './timing-config.js';

const connectorId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a connector id');
const eventType = z.string().regex(/^[a-z][a-z0-9_.]*$/, 'must be an event type');

const identitySchema = z
  .object({
    /** The person's work email: how tickets and Okta usually name them. */
    email: z.string().trim().toLowerCase().min(3).includes('@', { message: 'must be an email address' }),
    /** Their Atlassian account id, for tickets whose user field hides the email (Jira's privacy default). */
    jiraAccountId: z.string().min(1).optional(),
    /** Their GitHub login, when it is not the local part of the email. */
    githubLogin: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub login')
      .optional(),
    /** Their Okta login, when it is not the email. */
    oktaLogin: z.string().trim().min(1).optional(),
  })
  .strict();

export const timelinessConfigSchema = z
  .object({
    type: z.literal('crosswalk'),
    ...timingFields,
    /**
     * The systems access must be removed from: connector types with a kind of the `deprovisioning_offboarding`
     * category that declares how to read a removal (checked against the registered kinds when parsed). The default
     * is what configs stored without the field have always meant.
     * @defaultValue ['okta', 'github']
     */
    systems: systemListSchema.default(['okta', 'github']),
    /**
     * Per system, the actions (event types) that count as removing a person's access, instead of those its kind
     * declares (Okta: `user.lifecycle.deactivate`, `user.lifecycle.suspend`).
     * @example { okta: ['user.lifecycle.deactivate'] }
     */
    removalActions: z.record(z.string(), z.array(eventType).min(1)).default({}),
    /** Okta's entry of `removalActions`, as configs stored before it name it. */
    oktaEventTypes: z.array(eventType).min(1).optional(),
    /** People whose logins differ between systems. */
    identityMap: z.array(identitySchema).default([]),
    /**
     * Which connectors' records to join, by `<system>ConnectorId` (`jiraConnectorId` for the tickets,
     * `oktaConnectorId`, `googleWorkspaceConnectorId`, ...); unset, records of the kind from any connector.
     */
    sources: z.record(z.string(), connectorId).default({}),
    /** Stamped on every record's owner; unset, the ticket's control owner. */
    controlOwner: z.string().min(1).optional(),
    /** The HR-driven leaver and orphaned-account joins; unset, they do not run. */
    leavers: leaversConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, issues) => {
    const known = removalSources();
    const systems = [...known.keys()].join(', ');
    for (const [index, system] of config.systems.entries()) {
      if (!known.has(system)) {
        issues.addIssue({
          code: 'custom',
          path: ['systems', index],
          message: `must be one of ${systems} (systems whose evidence records removals)`,
        });
      }
    }
    for (const system of Object.keys(config.removalActions)) {
      if (!known.has(system)) {
        issues.addIssue({
          code: 'custom',
          path: ['removalActions', system],
          message: `must be one of ${systems}`,
        });
      }
    }
    const systemsWithSources = new Set([
      ...known.keys(),
      ...accountSources('access').keys(),
      ...accountSources('employment').keys(),
      ...terminationKinds().map((t) => t.system),
      // The requests' systems (Jira's tickets: `jiraConnectorId`).
      ...kindsOfCategory(DEPROVISIONING)
        .map((kind) => kindDeclaration(kind))
        .filter((declaration) => declaration.removalRequest)
        .map((declaration) => declaration.system),
    ]);
    const keys = [...systemsWithSources].map(sourceKey);
    for (const key of Object.keys(config.sources)) {
      if (!keys.includes(key)) {
        issues.addIssue({
          code: 'custom',
          path: ['sources', key],
          message: `must be one of ${keys.join(', ')}`,
        });
      }
    }
    checkSlaWithinLookahead(config, issues);
    const seen = new Map<string, number>();
    for (const [index, entry] of config.identityMap.entries()) {
      if (seen.has(entry.email)) {
        issues.addIssue({
          code: 'custom',
          path: ['identityMap', index, 'email'],
          message: `repeats identityMap.${seen.get(entry.email)}`,
        });
      }
      seen.set(entry.email, index);
    }
  });

export type TimelinessConfigInput = z.input<typeof timelinessConfigSchema>;
export type TimelinessConfig = z.output<typeof timelinessConfigSchema>;

/** Validates a config, naming every bad field (CW_CONFIG_INVALID). */
export function parseTimelinessConfig(input: unknown): TimelinessConfig {
  const result = timelinessConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `invalid deprovisioning timeliness config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return result.data;
}
