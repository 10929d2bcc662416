import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  connectorConfig,
  controlOwnerField,
  requestPolicyFields,
  withRetryBaseDelay,
} from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

/**
 * The Microsoft Graph application permissions each collector needs (granted to the app registration, with admin
 * consent). A 403 names them, so an operator knows what to grant.
 */
export const COLLECTOR_PERMISSIONS = {
  users_snapshot: ['User.Read.All', 'AuditLog.Read.All', 'RoleManagement.Read.Directory'],
  user_lifecycle: ['AuditLog.Read.All'],
  policies: ['Policy.Read.All', 'AuditLog.Read.All'],
  access_reviews: ['AccessReview.Read.All'],
  sign_ins: ['AuditLog.Read.All'],
} as const satisfies Record<string, readonly string[]>;

/**
 * The directory audit activities `entra.user_lifecycle` records by default (`activityDisplayName` in the audit log):
 * accounts created, disabled, enabled, deleted, restored, and directory role membership granted or taken away.
 */
export const LIFECYCLE_ACTIVITIES = [
  'Add user',
  'Disable account',
  'Enable account',
  'Delete user',
  'Hard delete user',
  'Restore user',
  'Add member to role',
  'Remove member from role',
] as const;

/** A tenant id (GUID) or one of its verified domains (`contoso.onmicrosoft.com`). */
const tenantIdSchema = z
  .string()
  .trim()
  .regex(
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+)$/i,
    'must be the tenant id (a GUID) or a verified domain, e.g. contoso.onmicrosoft.com',
  );

const clientIdSchema = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'must be the application (client) id, a GUID',
  );

const secretAuthSchema = z
  .object({
    kind: z.literal('secret'),
    /** The app registration's application (client) id. */
    clientId: clientIdSchema,
    /** A client secret of the app registration (its Value, not its id); never logged, recorded or echoed. */
    clientSecret: secret(z.string().min(1, 'must not be empty')),
  })
  .strict();

/** Whether a PEM certificate and private key belong together; never puts either in a message. */
function certificateProblem(auth: {
  privateKey: string;
  certificate: string;
}): { path: string; message: string } | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(auth.certificate);
  } catch {
    return {
      path: 'certificate',
      message: 'must be the X.509 certificate uploaded to the app registration, as PEM',
    };
  }
  try {
    const key = createPrivateKey(auth.privateKey);
    if (key.asymmetricKeyType !== 'rsa')
      return {
        path: 'privateKey',
        message: 'must be an RSA private key (Entra signs client assertions with RS256)',
      };
    if (!certificate.checkPrivateKey(key))
      return { path: 'privateKey', message: "does not match the certificate's public key" };
  } catch {
    return { path: 'privateKey', message: 'must be an RSA private key as PEM' };
  }
  return undefined;
}

const certificateAuthSchema = z
  .object({
    kind: z.literal('certificate'),
    clientId: clientIdSchema,
    /** The certificate's private key (PEM): it signs the client assertion and is never logged. */
    privateKey: secret(z.string().min(1, 'must not be empty')),
    /** The public certificate uploaded to the app registration (PEM): its SHA-256 thumbprint names the key. */
    certificate: z.string().min(1, 'must not be empty'),
  })
  .strict()
  .superRefine((auth, context) => {
    const problem = certificateProblem(auth);
    if (problem) context.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  });

const requestsSchema = z
  .object({
    /**
     * Items per page (`$top`) for users, the audit log and registration details; Graph's largest is 999, so 10,000
     * audit events cost 11 requests.
     * @defaultValue 999
     */
    pageSize: z.number().int().min(1).max(999).default(999),
    ...withRetryBaseDelay(
      requestPolicyFields({
        maxRateLimitWaitSeconds: 300,
        retries: 3,
        timeoutMs: 60_000,
        timeoutCeilingMs: 600_000,
      }),
    ),
  })
  .strict();

export const entraConfigSchema = z
  .object({
    type: z.literal('entra'),
    /** The directory (tenant) id, or a verified domain of the tenant. */
    tenantId: tenantIdSchema,
    auth: z.discriminatedUnion('kind', [secretAuthSchema, certificateAuthSchema]),
    /**
     * Microsoft Graph's base URL, version included; every request and every `@odata.nextLink` followed stays under
     * it. Plain http only for a loopback host (a test server).
     * @defaultValue https://graph.microsoft.com/v1.0
     */
    graphUrl: sourceUrl({ example: 'https://graph.microsoft.com/v1.0', plainHttp: 'loopback' }).default(
      'https://graph.microsoft.com/v1.0',
    ),
    /**
     * The Microsoft identity platform host that issues tokens (`<authorityHost>/<tenantId>/oauth2/v2.0/token`):
     * a national cloud's, or a loopback test server.
     * @defaultValue https://login.microsoftonline.com
     */
    authorityHost: sourceUrl({
      example: 'https://login.microsoftonline.com',
      plainHttp: 'loopback',
      path: false,
    }).default('https://login.microsoftonline.com'),
    /**
     * The `clientState` given when the change notification subscription is created: Graph puts it in every
     * notification and the service refuses any without it (compared in constant time). Graph allows 128 characters.
     */
    webhookSecret: secret(
      z.string().min(16, 'must be at least 16 characters').max(128, 'must be at most 128 characters'),
    ).optional(),
    controlOwner: controlOwnerField,
    collectors: z
      .object({
        user_lifecycle: z
          .object({
            /** @defaultValue the activities of LIFECYCLE_ACTIVITIES */
            activities: z.array(z.string().min(1).max(200)).min(1).max(50).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    requests: requestsSchema.optional(),
  })
  .strict();

export type EntraConfigInput = z.input<typeof entraConfigSchema>;
export type EntraConfig = z.output<typeof entraConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

/** Parsing, request settings and the secrets to scrub (the fields the schema marks `secret`), bound to this schema. */
export const {
  parse: parseEntraConfig,
  requestSettings,
  secrets: configSecrets,
} = connectorConfig('Entra ID', entraConfigSchema, requestsSchema);
