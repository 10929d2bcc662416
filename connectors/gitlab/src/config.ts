import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

/** A group or project path as GitLab writes it: `acme`, `acme/platform/api`. */
const NAMESPACE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

const requestsSchema = z
  .object({
    /**
     * Items per page of every list (GitLab's maximum is 100).
     * @defaultValue 100
     */
    pageSize: z.number().int().min(1).max(100).default(100),
    ...requestPolicyFields({
      maxRateLimitWaitSeconds: 120,
      retries: 3,
      timeoutMs: 30_000,
      timeoutCeilingMs: 300_000,
    }),
  })
  .strict();

export const gitlabConfigSchema = z
  .object({
    type: z.literal('gitlab'),
    /**
     * The GitLab instance; the REST API is read under `<baseUrl>/api/v4` and every request stays there.
     * @defaultValue https://gitlab.com
     */
    baseUrl: sourceUrl({ example: 'https://gitlab.example.com', plainHttp: 'loopback', path: false }).default(
      'https://gitlab.com',
    ),
    /**
     * A personal, group or project access token with `read_api` (sent as `PRIVATE-TOKEN`). Never logged, recorded
     * or echoed in an error.
     */
    token: secret(z.string().trim().min(1, 'must not be empty')),
    /** The group whose projects, members and audit events are read, by its full path (`acme` or `acme/platform`). */
    group: z.string().trim().regex(NAMESPACE_PATH, 'must be a group path, e.g. acme or acme/platform'),
    /**
     * Projects to read merge requests and branch protection from, by full path. Absent: every project of the group
     * and its subgroups that is not archived.
     */
    projects: z
      .array(z.string().trim().regex(NAMESPACE_PATH, 'must be a project path, e.g. acme/api'))
      .min(1)
      .optional(),
    /**
     * The instance's tier. Approval rules and settings and audit events (member removals) need Premium or Ultimate;
     * on Free the protected-branch snapshot records the approval fields as null and member removals are not read.
     * @defaultValue premium
     */
    tier: z.enum(['free', 'premium', 'ultimate']).default('premium'),
    /**
     * Whether the token is an instance administrator's. GitLab tells members' 2FA status only to administrators
     * (`GET /users?two_factor=...`, self-managed and Dedicated); otherwise the members snapshot records it as null.
     * @defaultValue false
     */
    instanceAdmin: z.boolean().default(false),
    controlOwner: controlOwnerField,
    requests: requestsSchema.optional(),
  })
  .strict();

export type GitLabConfigInput = z.input<typeof gitlabConfigSchema>;
export type GitLabConfig = z.output<typeof gitlabConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

const gitlab = connectorConfig('GitLab', gitlabConfigSchema, requestsSchema);

/** Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value. */
export const { parse: parseGitLabConfig, requestSettings, secrets: configSecrets } = gitlab;

/** Approval rules, approval settings and audit events are Premium features. */
export function hasPremium(config: GitLabConfig): boolean {
  return config.tier !== 'free';
}
