import { createPrivateKey } from 'node:crypto';
import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { CrosswalkError, secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

/** Google's OAuth token endpoint, where a service account's signed assertion is exchanged for an access token. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** The read-only OAuth scopes each collector asks for: what the admin grants the service account's client id. */
export const COLLECTOR_SCOPES = {
  users_snapshot: [
    'https://www.googleapis.com/auth/admin.directory.user.readonly',
    'https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly',
  ],
  admin_events: ['https://www.googleapis.com/auth/admin.reports.audit.readonly'],
  login_activity: ['https://www.googleapis.com/auth/admin.reports.audit.readonly'],
} as const satisfies Record<string, readonly string[]>;

export type CollectorId = keyof typeof COLLECTOR_SCOPES;

/**
 * The Admin console event types `google_workspace.admin_event` keeps by default: user accounts (create, suspend,
 * delete, restore, admin privilege), admin role assignments, and security settings (2-Step Verification
 * enforcement among them).
 */
export const ADMIN_EVENT_TYPES = ['USER_SETTINGS', 'DELEGATED_ADMIN_SETTINGS', 'SECURITY_SETTINGS'] as const;

/** How long the Reports API keeps activities: older events can no longer be read. */
export const REPORTS_RETENTION_DAYS = 180;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The fields of a service account key file (JSON) the connector reads. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

/** A key file's text or object as the key, with a message (never naming a value) for what is wrong with it. */
export function readServiceAccountKey(
  value: string | Record<string, unknown>,
): { key: ServiceAccountKey } | { problem: string; path?: string } {
  let object: Record<string, unknown>;
  try {
    object = typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : value;
  } catch {
    return { problem: 'must be the service account key file (JSON) as downloaded from Google Cloud' };
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return { problem: 'must be the service account key file (JSON) as downloaded from Google Cloud' };
  }
  if (object.type !== 'service_account') {
    return { problem: 'must be a key of type service_account', path: 'type' };
  }
  const email = object.client_email;
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email)) {
    return { problem: "must name the service account's client_email", path: 'client_email' };
  }
  const pem = object.private_key;
  try {
    if (typeof pem !== 'string' || createPrivateKey(pem).asymmetricKeyType !== 'rsa') throw new Error();
  } catch {
    return { problem: 'must hold an RSA private_key in PEM (Google signs with RS256)', path: 'private_key' };
  }
  const tokenUri = object.token_uri ?? GOOGLE_TOKEN_URI;
  let uri: URL | undefined;
  try {
    uri = typeof tokenUri === 'string' ? new URL(tokenUri) : undefined;
  } catch {
    uri = undefined;
  }
  // The assertion is a credential: it goes to Google's token endpoint, or to a loopback test server, nowhere else.
  const allowed =
    uri !== undefined &&
    (uri.href === GOOGLE_TOKEN_URI ||
      (uri.protocol === 'http:' && LOOPBACK.test(uri.hostname) && uri.search === ''));
  if (!allowed) {
    return {
      problem: `token_uri must be ${GOOGLE_TOKEN_URI} (or a loopback test server)`,
      path: 'token_uri',
    };
  }
  const keyId = object.private_key_id;
  return {
    key: {
      client_email: email,
      private_key: pem as string,
      ...(typeof keyId === 'string' && keyId !== '' ? { private_key_id: keyId } : {}),
      token_uri: uri!.href,
    },
  };
}

const requestsSchema = z
  .object({
    /**
     * Users per Directory API page (its maximum is 500).
     * @defaultValue 500
     */
    usersPageSize: z.number().int().min(1).max(500).default(500),
    /**
     * Activities per Reports API page (its maximum is 1000): 10,000 events cost ten requests.
     * @defaultValue 1000
     */
    activitiesPageSize: z.number().int().min(1).max(1000).default(1000),
    ...requestPolicyFields({
      maxRateLimitWaitSeconds: 120,
      retries: 3,
      timeoutMs: 60_000,
      timeoutCeilingMs: 600_000,
    }),
  })
  .strict();

export const googleWorkspaceConfigSchema = z
  .object({
    type: z.literal('google-workspace'),
    /**
     * The Google Workspace customer id (Admin console, Account settings: `C0123abcd`), or `my_customer` for the
     * account of the admin the service account acts as.
     */
    customerId: z
      .string()
      .trim()
      .regex(/^(C[0-9A-Za-z]+|my_customer)$/, 'must be a customer id such as C0123abcd, or my_customer'),
    /**
     * The administrator the service account acts as (domain-wide delegation's subject): an admin whose roles can
     * read users, roles and reports. Google reads everything with this admin's rights.
     */
    adminSubject: z
      .string()
      .trim()
      .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be the email address of a Google Workspace admin'),
    /**
     * The service account's key file (JSON, as Google Cloud downloads it), as text or as an object. Its private key
     * signs the token requests and is never logged, recorded or echoed in an error.
     */
    serviceAccountKey: secret(
      z.union([z.string().min(1, 'must not be empty'), z.record(z.string(), z.unknown())]),
    ),
    /**
     * Where the Admin SDK lives; every request stays on it.
     * @defaultValue https://admin.googleapis.com
     */
    baseUrl: sourceUrl({
      example: 'https://admin.googleapis.com',
      plainHttp: 'loopback',
      path: false,
    }).default('https://admin.googleapis.com'),
    controlOwner: controlOwnerField,
    collectors: z
      .object({
        admin_events: z
          .object({
            /** @defaultValue USER_SETTINGS, DELEGATED_ADMIN_SETTINGS, SECURITY_SETTINGS */
            eventTypes: z
              .array(z.string().regex(/^[A-Z_]+$/, 'must be an admin event type, e.g. USER_SETTINGS'))
              .min(1)
              .optional(),
          })
          .strict()
          .optional(),
        login_activity: z
          .object({
            /**
             * Hours after a day ends before its logins are counted: the Reports API serves login events with a
             * delay, and a day's record is written once.
             * @defaultValue 12
             */
            settleHours: z.number().int().min(0).max(72).default(12),
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
    const read = readServiceAccountKey(config.serviceAccountKey);
    if ('problem' in read) {
      issues.addIssue({
        code: 'custom',
        path: ['serviceAccountKey', ...(read.path ? [read.path] : [])],
        message: read.problem,
      });
    }
  });

export type GoogleWorkspaceConfigInput = z.input<typeof googleWorkspaceConfigSchema>;
export type GoogleWorkspaceConfig = z.output<typeof googleWorkspaceConfigSchema>;
export type RequestSettings = z.output<typeof requestsSchema>;

const googleWorkspace = connectorConfig('Google Workspace', googleWorkspaceConfigSchema, requestsSchema);

/** Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value. */
export const { parse: parseGoogleWorkspaceConfig, requestSettings } = googleWorkspace;

/** The service account key of a parsed config (the schema has already refused a bad one). */
export function serviceAccountKey(config: GoogleWorkspaceConfig): ServiceAccountKey {
  const read = readServiceAccountKey(config.serviceAccountKey);
  if ('problem' in read) {
    throw new CrosswalkError('CW_CONFIG_INVALID', `serviceAccountKey ${read.problem}`, {
      where: 'serviceAccountKey',
    });
  }
  return read.key;
}

/**
 * The secrets in a config, scrubbed from every message the connector writes: the key file whole (as text and as
 * JSON), and its private key and key id on their own, since a message could quote either.
 */
export function configSecrets(config: GoogleWorkspaceConfig): string[] {
  const secrets = new Set(googleWorkspace.secrets(config));
  const key = config.serviceAccountKey;
  if (typeof key !== 'string') secrets.add(JSON.stringify(key));
  const read = readServiceAccountKey(key);
  if ('key' in read) {
    secrets.add(read.key.private_key);
    // The PEM's base64 body on its own lines, so a message that re-wraps it still loses it.
    for (const line of read.key.private_key.split('\n')) if (line.length >= 40) secrets.add(line);
    if (read.key.private_key_id) secrets.add(read.key.private_key_id);
  }
  return [...secrets];
}
