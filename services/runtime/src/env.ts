import { CrosswalkError, zodIssues } from '@crosswalk/core';
import { type LockerConfig, lockerConfigFromEnv } from '@crosswalk/locker';
import { z } from 'zod';

/** An unset variable and an empty one (`VAR=`, what compose passes for `${VAR:-}`) mean the same. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * Every environment variable Crosswalk reads, in one schema: the service validates them all once at start (a bad
 * value stops the process, naming the variable), and a test fails when a module reads one that is not declared
 * here or not documented in the README's Configuration table. Packages take what they need as arguments
 * (lockerConfigFromEnv, loadSigningKey); config files interpolate `${NAME}` from the environment by design.
 */
const envSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** 32 bytes, base64: encrypts connector credentials at rest (AES-256-GCM). */
  CROSSWALK_SECRET_KEY: z.string().min(1, 'required: openssl rand -base64 32'),
  /** A YAML or JSON file of connectors loaded at start (declarative config). */
  CROSSWALK_CONFIG_FILE: z.string().min(1).optional(),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The level of the API's one line per answered request (5xx are always logged at error, 4xx at info or this).
   * Webhook intake, health and metrics log their successes at debug whatever this says: they are the volume.
   */
  CROSSWALK_REQUEST_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Largest webhook body accepted, in bytes; larger gets 413. */
  CROSSWALK_WEBHOOK_BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  /** Collect jobs one worker process runs at once. */
  CROSSWALK_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(2),
  /**
   * How long a process keeps a connector's decrypted config in memory (ms; 0 = read the locker every time).
   * Webhook deliveries check their signature against it before the 202; another process's change to a connector
   * is seen after at most this long.
   */
  CROSSWALK_CONFIG_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /**
   * How long a process trusts an API key it read from the locker (ms; 0 = read it on every request). A key
   * revoked through another process (`crosswalk keys revoke`) stops working here at the next request when the
   * revocation was marked in Redis (revocations.ts), after at most this long when it could not be.
   */
  CROSSWALK_KEY_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /**
   * The API keeps what a coverage report is read from while every chain head stays put; after this long it is
   * read again in the background (bounds how long a record or manifest removed under an unchanged chain goes
   * unseen by GET /v1/coverage; a new run is seen at the next request whatever this is).
   */
  CROSSWALK_COVERAGE_REFRESH_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /**
   * The same for control test results (GET /v1/controls/overview and /v1/controls/:id/test): reading them again
   * means reading every record of the window, so the default is long; a new run is seen at the next request.
   */
  CROSSWALK_CONTROL_TESTS_REFRESH_MS: z.coerce.number().int().min(0).max(86_400_000).default(900_000),
  /**
   * The address people reach the API (and its console) at, when a proxy in front of it terminates TLS: with an
   * https URL the session cookie is marked Secure even though the request reached this process over plain HTTP.
   */
  CROSSWALK_PUBLIC_URL: optional(z.string().url()),
  /**
   * How long a console login lasts (seconds): the session cookie's Max-Age and the server-side record's TTL, never
   * past the key's own expiry. Logging out or revoking the key ends it sooner.
   */
  CROSSWALK_SESSION_SECONDS: z.coerce.number().int().min(60).max(604_800).default(28_800),
  /**
   * How long a presigned export download URL stays valid (seconds), when the locker is S3. Short: whoever holds
   * the URL can download the bundle without a key.
   */
  CROSSWALK_EXPORT_URL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /**
   * The port a worker serves its Prometheus metrics on (`GET /metrics`): jobs, durations, failures, records stored,
   * rate-limit waits, queue depth, schedule health. Unset: no listener (two workers on one host need two ports);
   * 0: a free port, logged at start.
   */
  CROSSWALK_METRICS_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  /** The address the worker's metrics listener binds. */
  CROSSWALK_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * How often a worker checks the collection schedules against the stored connectors (declaring what Redis lost,
   * dropping schedules of deleted connectors) and writes export failure records it could not write before (ms).
   * It also checks at start and whenever its Redis connection comes back.
   */
  CROSSWALK_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(60_000),
  /** Export jobs one worker process builds at once (each streams a whole period; keep it low). */
  CROSSWALK_EXPORT_CONCURRENCY: z.coerce.number().int().positive().max(16).default(1),
  /** How soon a job whose worker died (no lock renewal) is handed to another worker, in ms. */
  CROSSWALK_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // The locker (read by lockerConfigFromEnv, which builds the driver's config from them).
  CROSSWALK_LOCKER_DIR: optional(z.string()),
  CROSSWALK_S3_BUCKET: optional(z.string().min(3).max(63)),
  CROSSWALK_S3_ENDPOINT: optional(z.string().url()),
  CROSSWALK_S3_PUBLIC_ENDPOINT: optional(z.string().url()),
  CROSSWALK_S3_REGION: optional(z.string()),
  CROSSWALK_S3_FORCE_PATH_STYLE: optional(z.enum(['true', 'false'])),
  CROSSWALK_S3_ACCESS_KEY_ID: optional(z.string()),
  CROSSWALK_S3_SECRET_ACCESS_KEY: optional(z.string()),
  CROSSWALK_S3_PREFIX: optional(z.string()),
  CROSSWALK_RETENTION_DAYS: optional(z.coerce.number().int().positive().max(36_500)),
  // The export signing key (read by loadSigningKey): the PEM itself, or a file holding it.
  CROSSWALK_SIGNING_KEY: optional(z.string()),
  CROSSWALK_SIGNING_KEY_FILE: optional(z.string()),
  /** Print stacks of internal errors (the CLI; a service never prints one). */
  CROSSWALK_DEBUG: optional(z.string()),
});

/** The names of every variable in the schema (documentation and the test that keeps modules to it). */
export const environmentVariables: readonly string[] = Object.keys(envSchema.shape);

export type ServiceEnv = z.infer<typeof envSchema> & { locker: LockerConfig };

export function parseServiceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new CrosswalkError('CW_CONFIG_INVALID', 'invalid service environment', {
      where: 'environment',
      issues: zodIssues(parsed.error),
    });
  }
  return Object.freeze({ ...parsed.data, locker: lockerConfigFromEnv(env) });
}
