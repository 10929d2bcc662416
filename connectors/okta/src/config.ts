import { createPrivateKey, type JsonWebKeyInput } from 'node:crypto';
import {
  connectorConfig,
  controlOwnerField,
  requestPolicyFields,
  withRetryBaseDelay,
} from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

/** The OAuth scopes each collector needs; a service app asks only for those of the collector that runs. */
export const COLLECTOR_SCOPES = {
  policies: ['okta.policies.read', 'okta.authenticators.read', 'okta.logs.read'],
  user_lifecycle: ['okta.logs.read'],
  users_snapshot: ['okta.users.read', 'okta.roles.read', 'okta.apps.read'],
  access_reviews: ['okta.governance.accessCertifications.read'],
} as const satisfies Record<string, readonly string[]>;

export type CollectorId = keyof typeof COLLECTOR_SCOPES;

export const POLICY_TYPES = ['OKTA_SIGN_ON', 'PASSWORD', 'MFA_ENROLL', 'ACCESS_POLICY'] as const;

/** The System Log events `okta.user_lifecycle` records by default: deprovisioning first, provisioning too. */
export const LIFECYCLE_EVENT_TYPES = [
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'application.user_membership.remove',
  'user.lifecycle.activate',
  'user.lifecycle.create',
] as const;

/**
 * The org's base URL: `https://acme.okta.com` (or a custom domain), without a path. Plain http is accepted only for a
 * loopback host, so a test server can stand in for Okta; anything else would send the credential in the clear.
 */
const orgUrlSchema = sourceUrl({ example: 'https://acme.okta.com', plainHttp: 'loopback', path: false });

const tokenAuthSchema = z
  .object({
    kind: z.literal('token'),
    /** An Okta API token (sent as `Authorization: SSWS ...`); never logged, recorded or echoed in an error. */
    token: secret(z.string().trim().min(1, 'must not be empty')),
  })
  .strict();

/** Parses a private key without ever putting its text in a message; RSA only (the SDK signs DPoP proofs RS256). */
function privateKeyProblem(value: string | Record<string, unknown>): string | undefined {
  try {
    const key =
      typeof value === 'string' && !value.trim().startsWith('{')
        ? createPrivateKey(value)
        : createPrivateKey({
            key: (typeof value === 'string' ? JSON.parse(value) : value) as JsonWebKeyInput['key'],
            format: 'jwk',
          });
    if (key.asymmetricKeyType !== 'rsa')
      return 'must be an RSA private key (Okta service apps sign with RS256)';
    return undefined;
  } catch {
    return 'must be an RSA private key as PEM or as a JWK (object or JSON string)';
  }
}

const oauthAuthSchema = z
  .object({
    kind: z.literal('oauth'),
    /** The client id of the Okta API service app. */
    clientId: z.string().trim().min(1, 'must not be empty'),
    /** The app's private key, PEM or JWK: it signs the client assertion and is never logged. */
    privateKey: secret(z.union([z.string().min(1, 'must not be empty'), z.record(z.string(), z.unknown())])),
    /** The key's id (`kid`) as registered with the app; taken from the JWK when it has one. */
    keyId: z.string().trim().min(1).optional(),
    /**
     * Scopes to request. Unset, each collector requests exactly the scopes it needs (`COLLECTOR_SCOPES`), so an app
     * without the governance grant still collects everything else.
     */
    scopes: z
      .array(z.string().regex(/^okta\.[A-Za-z.]+$/, 'must be an Okta scope, e.g. okta.logs.read'))
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((auth, issues) => {
    const problem = privateKeyProblem(auth.privateKey);
    if (problem) issues.addIssue({ code: 'custom', path: ['privateKey'], message: problem });
  });

const requestsSchema = z
  .object({
    /**
     * Events per System Log page (Okta's maximum is 1000): 10,000 events cost ten requests.
     * @defaultValue 1000
     */
    logPageSize: z.number().int().min(1).max(1000).default(1000),
    /**
     * Items per page for users, apps and governance lists (Okta's maximum for /api/v1/users and governance is 200).
     * @defaultValue 200
     */
    pageSize: z.number().int().min(1).max(200).default(200),
    // Okta's limits reset each minute: the default wait of two minutes sits them out rather than failing a run.
    ...withRetryBaseDelay(
      requestPolicyFields({
        maxRateLimitWaitSeconds: 120,
        retries: 3,
        timeoutMs: 60_000,
        timeoutCeilingMs: 600_000,
        timeoutFloorMs: 1000,
      }),
    ),
  })
  .strict();

const eventType = z
  .string()
  .regex(/^[a-z_]+(?:\.[a-z_]+)+$/, 'must be an Okta event type, e.g. user.lifecycle.deactivate');

export const oktaConfigSchema = z
  .object({
    type: z.literal('okta'),
    /** The org URL, e.g. `https://acme.okta.com`; every request and every followed link stays on it. */
    orgUrl: orgUrlSchema,
    auth: z.discriminatedUnion('kind', [tokenAuthSchema, oauthAuthSchema]),
    /**
     * The event hook's Authorization value: what the Okta admin enters as the hook's "Authentication secret" with
     * "Authentication field" `Authorization`. Okta event hooks are not signed; Okta sends this value as the
     * `Authorization` header on the one-time verification GET and on every delivery, and the service compares it in
     * constant time. Unset: the service refuses this connector's event hooks (401). Write-only, like every credential.
     * https://developer.okta.com/docs/concepts/event-hooks/#http-headers
     */
    webhookSecret: secret(z.string().min(16, 'must be at least 16 characters')).optional(),
    controlOwner: controlOwnerField,
    collectors: z
      .object({
        policies: z
          .object({
            /** @defaultValue OKTA_SIGN_ON, PASSWORD, MFA_ENROLL, ACCESS_POLICY */
            types: z
              .array(z.string().regex(/^[A-Z_]+$/, 'must be an Okta policy type, e.g. OKTA_SIGN_ON'))
              .min(1)
              .optional(),
          })
          .strict()
          .optional(),
        user_lifecycle: z
          .object({
            /** @defaultValue the five of LIFECYCLE_EVENT_TYPES */
            eventTypes: z.array(eventType).min(1).max(50).optional(),
          })
          .strict()
          .optional(),
        access_reviews: z
          .object({
            /**
             * Read Okta Identity Governance campaigns. An org without it is detected and reported anyway; false skips
             * the requests altogether.
             * @defaultValue true
             */
            governance: z.boolean().default(true),
            /**
             * How far before the window campaigns may have ended and still be picked up: Okta marks a campaign
             * COMPLETED some time after its end date, and the locker makes re-reading it free.
             * @defaultValue 7
             */
            completionGraceDays: z.number().int().min(0).max(90).default(7),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    requests: requestsSchema.optional(),
  })
  .strict();

export type OktaConfigInput = z.input<typeof oktaConfigSchema>;
export type OktaConfig = z.output<typeof oktaConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

const okta = connectorConfig('Okta', oktaConfigSchema, requestsSchema);

/**
 * Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value.
 * @example const config = parseOktaConfig({ type: 'okta', orgUrl: 'https://acme.okta.com', auth: { kind: 'token', token } });
 */
export const { parse: parseOktaConfig, requestSettings } = okta;

/** The secrets in a config (the fields its schema marks `secret`): scrubbed from every message this connector writes. */
export function configSecrets(config: OktaConfig): string[] {
  const key = config.auth.kind === 'oauth' ? config.auth.privateKey : undefined;
  if (!key || typeof key === 'string') return okta.secrets(config);
  // A JWK is scrubbed whole, and each secret member (d, p, q, dp, dq, qi) on its own; its short public members
  // (kty, e, alg) would garble messages and reveal nothing.
  const members = new Set(Object.values(key));
  return [
    JSON.stringify(key),
    ...okta.secrets(config).filter((value) => !members.has(value) || value.length > 16),
  ];
}

/** The org's host, e.g. `acme.okta.com`: records name it as the source instance. */
export function orgHost(config: OktaConfig): string {
  return new URL(config.orgUrl).host;
}
