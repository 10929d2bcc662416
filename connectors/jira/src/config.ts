import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

/** A Jira field id: `customfield_10042`, or a system field such as `reporter`. */
const FIELD_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** The ticket kinds this connector records, by config key. */
export const ticketKinds = {
  deprovisioning: 'jira.deprovisioning_ticket',
  provisioning: 'jira.provisioning_ticket',
  accessReview: 'jira.access_review_ticket',
} as const;

export type TicketKindKey = keyof typeof ticketKinds;

/** JQL with its quoted strings blanked, so `summary ~ "order by"` is not mistaken for an ORDER BY clause. */
function unquoted(jql: string): string {
  return jql.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
}

/**
 * Compiles a subject pattern. It must be a valid JavaScript regular expression with a named group `subject`;
 * the group may sit in one branch of an alternation, so it is looked for in the compiled expression's group names
 * (matching the empty string against `(?:pattern)|` lists every group, set or not).
 */
export function compileSubjectPattern(pattern: string): RegExp {
  const compiled = new RegExp(pattern, 'u');
  const groups = new RegExp(`(?:${pattern})|`, 'u').exec('')?.groups;
  if (!groups || !Object.hasOwn(groups, 'subject')) {
    throw new SyntaxError('must have a named group "subject", e.g. "^Offboard (?<subject>\\S+@\\S+)"');
  }
  return compiled;
}

const kindSchema = z
  .object({
    /**
     * Which tickets are of this kind, e.g. `project = IT AND issuetype = "Offboarding"`. The connector adds the
     * resolution-time bounds and the order itself, so the JQL must not carry an ORDER BY.
     */
    jql: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(4000)
      .refine((jql) => !/\border\s+by\b/i.test(unquoted(jql)), {
        message: 'must not contain ORDER BY: the connector orders tickets by resolution time itself',
      }),
    /**
     * The field naming the user the ticket is about: a user picker (`customfield_10042`), or a text field holding
     * an email address or login. Tried before `subjectPattern`.
     */
    subjectField: z.string().regex(FIELD_ID, 'must be a Jira field id such as customfield_10042').optional(),
    /**
     * A regular expression applied to the summary, with a named group `subject` capturing the user's email or
     * login, e.g. `^Offboard (?<subject>[^\s]+@[^\s]+)`.
     */
    subjectPattern: z
      .string()
      .min(1)
      .max(500)
      .superRefine((pattern, context) => {
        try {
          compileSubjectPattern(pattern);
        } catch (error) {
          context.addIssue({
            code: 'custom',
            message:
              error instanceof SyntaxError && error.message.startsWith('must')
                ? error.message
                : `does not compile as a regular expression: ${(error as Error).message}`,
          });
        }
      })
      .optional(),
    /**
     * Statuses that mean "approved" (case-insensitive), e.g. `["Approved"]`. The approver is whoever last moved
     * the ticket into one of them before it was resolved. Unset, the approver is whoever resolved it.
     */
    approvedStatuses: z.array(z.string().trim().min(1)).min(1).optional(),
    /**
     * Deprovisioning only: the tickets this JQL finds follow a process that includes the return of assets (laptop,
     * badge, tokens), so each record says `assetReturn: true` and claims ISO 27001 A.5.11. Unset, a ticket is
     * evidence of access removal only: an offboarding ticket is not proof that assets came back.
     * @defaultValue false
     */
    assetReturn: z.boolean().optional(),
  })
  .strict();

export type TicketKindConfig = z.output<typeof kindSchema>;

const basicAuthSchema = z
  .object({
    kind: z.literal('basic'),
    /** The Atlassian account the API token belongs to. */
    email: z.string().trim().min(3).includes('@', { message: 'must be an email address' }),
    /** An Atlassian API token (id.atlassian.com, Security, API tokens); sent as HTTP basic auth, never logged. */
    apiToken: secret(z.string().min(1, 'must not be empty')),
  })
  .strict();

const oauthAuthSchema = z
  .object({
    kind: z.literal('oauth'),
    /**
     * An OAuth 2.0 (3LO) access token with the `read:jira-work` scope. With OAuth, `siteUrl` is
     * `https://api.atlassian.com/ex/jira/<cloudId>` and `webUrl` is the site people browse.
     */
    accessToken: secret(z.string().min(1, 'must not be empty')),
  })
  .strict();

const requestsSchema = z
  .object({
    /**
     * Issues per search page (Jira may return fewer when the fields are large; the connector follows
     * `nextPageToken` to the end either way).
     * @defaultValue 100
     */
    pageSize: z.number().int().min(1).max(5000).default(100),
    /**
     * Changelog entries per page when an issue's history did not fit in the search answer.
     * @defaultValue 100
     */
    changelogPageSize: z.number().int().min(1).max(100).default(100),
    ...requestPolicyFields({
      maxRateLimitWaitSeconds: 300,
      retries: 4,
      timeoutMs: 30_000,
      timeoutCeilingMs: 300_000,
    }),
  })
  .strict();

const httpUrl = sourceUrl({ example: 'https://acme.atlassian.net' });

export const jiraConfigSchema = z
  .object({
    type: z.literal('jira'),
    /**
     * Where the REST API lives: the site (`https://acme.atlassian.net`) for an API token, or
     * `https://api.atlassian.com/ex/jira/<cloudId>` for OAuth 2.0.
     */
    siteUrl: httpUrl,
    /**
     * The site people open tickets on, for record links and the record's `source.instance`.
     * @defaultValue siteUrl
     */
    webUrl: httpUrl.optional(),
    auth: z.discriminatedUnion('kind', [basicAuthSchema, oauthAuthSchema]),
    kinds: z
      .object({
        deprovisioning: kindSchema.optional(),
        provisioning: kindSchema.optional(),
        accessReview: kindSchema.optional(),
      })
      .strict()
      .refine((kinds) => Object.values(kinds).some((kind) => kind !== undefined), {
        message: 'must configure at least one of deprovisioning, provisioning, accessReview',
      })
      .superRefine((kinds, issues) => {
        for (const key of ['provisioning', 'accessReview'] as const) {
          if (kinds[key]?.assetReturn !== undefined) {
            issues.addIssue({
              code: 'custom',
              path: [key, 'assetReturn'],
              message: 'only deprovisioning tickets can cover the return of assets',
            });
          }
        }
      }),
    /**
     * The secret of the Jira admin webhook (Settings, System, WebHooks, Secret). Jira then signs each delivery with
     * `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body. Unset: the service refuses this connector's
     * webhooks (401). Write-only, like every credential.
     * https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
     */
    webhookSecret: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
    controlOwner: controlOwnerField,
    requests: requestsSchema.optional(),
  })
  .strict();

export type JiraConfigInput = z.input<typeof jiraConfigSchema>;
export type JiraConfig = z.output<typeof jiraConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

const jira = connectorConfig('Jira', jiraConfigSchema, requestsSchema);

/**
 * Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value.
 * @example const config = parseJiraConfig({ type: 'jira', siteUrl: 'https://acme.atlassian.net',
 *   auth: { kind: 'basic', email, apiToken }, kinds: { deprovisioning: { jql: 'project = IT' } } });
 */
export const { parse: parseJiraConfig, requestSettings } = jira;

export function webUrlOf(config: JiraConfig): string {
  return config.webUrl ?? config.siteUrl;
}

/**
 * The secrets in a config (the fields its schema marks `secret`), and the basic Authorization value built from
 * them: scrubbed from every message.
 */
export function configSecrets(config: JiraConfig): string[] {
  const marked = jira.secrets(config);
  if (config.auth.kind === 'oauth') return marked;
  return [...marked, Buffer.from(`${config.auth.email}:${config.auth.apiToken}`).toString('base64')];
}
