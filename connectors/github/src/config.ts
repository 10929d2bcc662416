import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

const GITHUB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPOSITORY = /^(?:[A-Za-z0-9-]{1,39}\/)?[A-Za-z0-9._-]{1,100}$/;

const numericId = z
  .union([z.number(), z.string().regex(/^\d+$/, 'must be a number').transform(Number)])
  .pipe(z.number().int().positive());

const tokenAuthSchema = z
  .object({
    kind: z.literal('token'),
    /** A personal access token (classic or fine-grained) or any token GitHub accepts as `Authorization: token`. */
    token: secret(z.string().min(1, 'must not be empty')),
  })
  .strict();

const appAuthSchema = z
  .object({
    kind: z.literal('app'),
    appId: numericId,
    /** The App's PEM private key; it signs the JWT that buys an installation token and is never logged. */
    privateKey: secret(z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' })),
    installationId: numericId,
  })
  .strict();

const requestsSchema = z
  .object({
    /**
     * Items per page for REST lists and GraphQL searches (GitHub's maximum is 100).
     * @defaultValue 100
     */
    pageSize: z.number().int().min(1).max(100).default(100),
    /**
     * Spacing between GraphQL queries: 1 s, as GitHub asks of integrators ("make requests serially"); a loopback
     * test server sets 0.
     * @defaultValue 1000
     */
    graphqlSpacingMs: z.number().int().min(0).max(60_000).default(1000),
    // GitHub's primary limit resets within the hour: the default waits it out rather than failing a run.
    ...requestPolicyFields({
      maxRateLimitWaitSeconds: 3660,
      maxRateLimitWaitCeiling: null,
      retries: 3,
      timeoutMs: 30_000,
      timeoutCeilingMs: 300_000,
    }),
  })
  .strict();

export const githubConfigSchema = z
  .object({
    type: z.literal('github'),
    /** The organization's login, e.g. `acme`. */
    org: z.string().regex(GITHUB_NAME, 'must be a GitHub organization login'),
    /**
     * Repositories to collect from, as `name` or `org/name`. Unset: every repository of the org (snapshots skip
     * archived ones; pull requests include them, since they were merged while the repository was live).
     */
    repositories: z
      .array(z.string().regex(REPOSITORY, 'must be a repository name or org/name'))
      .min(1)
      .optional(),
    /**
     * REST base URL. GitHub Enterprise Server: `https://HOST/api/v3` (GraphQL is then `https://HOST/api/graphql`).
     * @defaultValue https://api.github.com
     */
    baseUrl: sourceUrl({ example: 'https://api.github.com' }).default('https://api.github.com'),
    auth: z.discriminatedUnion('kind', [tokenAuthSchema, appAuthSchema]),
    /**
     * The secret GitHub signs webhook deliveries with (`X-Hub-Signature-256`, HMAC-SHA256 over the raw body).
     * Unset: the service refuses this connector's deliveries (401). Write-only, like every credential.
     */
    webhookSecret: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
    controlOwner: controlOwnerField,
    collectors: z
      .object({
        member_removed: z
          .object({
            /**
             * Read removals from the organization audit log (GitHub Enterprise Cloud). Without it, removals come
             * only from `organization` webhooks.
             * @defaultValue true
             */
            auditLog: z.boolean().default(true),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    requests: requestsSchema.optional(),
  })
  .strict()
  .superRefine((config, issues) => {
    for (const [index, repository] of (config.repositories ?? []).entries()) {
      const owner = repository.includes('/') ? repository.split('/')[0]! : config.org;
      if (owner.toLowerCase() !== config.org.toLowerCase()) {
        issues.addIssue({
          code: 'custom',
          path: ['repositories', index],
          message: `must belong to the organization ${config.org}`,
        });
      }
    }
  });

export type GitHubConfigInput = z.input<typeof githubConfigSchema>;
export type GitHubConfig = z.output<typeof githubConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

/** Parsing, request settings and the secrets to scrub (the fields the schema marks `secret`), bound to this schema. */
export const {
  parse: parseGitHubConfig,
  requestSettings,
  secrets: configSecrets,
} = connectorConfig('GitHub', githubConfigSchema, requestsSchema);

/** `org/name` for every configured repository, or undefined for "the whole org". */
export function configuredRepositories(config: GitHubConfig): string[] | undefined {
  return config.repositories?.map((name) => (name.includes('/') ? name : `${config.org}/${name}`));
}
