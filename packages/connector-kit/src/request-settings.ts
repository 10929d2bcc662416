import { CrosswalkError, secretValues, zodIssues } from '@crosswalk/core';
import { z } from 'zod';
import type { RequestPolicy } from './http.js';

/** Where one connector's defaults and bounds differ: its source's rate-limit windows and how slow it may answer. */
export interface RequestFieldDefaults {
  /** The longest rate-limit wait a run sits out by default, in seconds. */
  maxRateLimitWaitSeconds: number;
  /** The most a config may set it to (unset: one hour; null: no bound, as GitHub's hourly budget has none). */
  maxRateLimitWaitCeiling?: number | null;
  /** Retries of a failed request by default. */
  retries: number;
  /** How long one request may take by default, in milliseconds. */
  timeoutMs: number;
  /** The longest and shortest timeout a config may set (the shortest defaults to 100 ms). */
  timeoutCeilingMs: number;
  timeoutFloorMs?: number;
}

/**
 * The fields every connector's `requests` settings share, the same names and checks everywhere, so that a config
 * reads alike across connectors and the values go straight to `HttpClient`'s policy. A connector spreads them into
 * its own `requests` object beside its page sizes.
 */
export function requestPolicyFields(defaults: RequestFieldDefaults) {
  const ceiling = defaults.maxRateLimitWaitCeiling === undefined ? 3600 : defaults.maxRateLimitWaitCeiling;
  const rateLimitWait = z.number().int().min(0);
  return {
    /**
     * The longest wait for a rate limit to reset; a longer one fails with CW_SOURCE_UNAVAILABLE (retryable) rather
     * than holding a worker.
     */
    maxRateLimitWaitSeconds: (ceiling === null ? rateLimitWait : rateLimitWait.max(ceiling)).default(
      defaults.maxRateLimitWaitSeconds,
    ),
    /** Retries of a 5xx or network failure (and of a rate limit, within the wait above). */
    retries: z.number().int().min(0).max(10).default(defaults.retries),
    /** The first wait before retrying a 5xx or network failure, doubled on each attempt. */
    backoffMs: z.number().int().min(0).max(60_000).default(1000),
    /** How long one request may take. */
    timeoutMs: z
      .number()
      .int()
      .min(defaults.timeoutFloorMs ?? 100)
      .max(defaults.timeoutCeilingMs)
      .default(defaults.timeoutMs),
  };
}

/**
 * The shared fields with the backoff named `retryBaseDelayMs`, the name Okta's and Entra's stored configs have always
 * used (`backoffMs` elsewhere); the first wait before retrying a 5xx or network failure, doubled on each attempt.
 */
export function withRetryBaseDelay<Fields extends { backoffMs: z.ZodType }>(
  fields: Fields,
): Omit<Fields, 'backoffMs'> & { retryBaseDelayMs: Fields['backoffMs'] } {
  const { backoffMs, ...rest } = fields;
  return { ...rest, retryBaseDelayMs: backoffMs };
}

/** A connector's `requests` settings as far as the connection goes: the policy, the backoff under either name. */
export type PolicySettings = Omit<RequestPolicy, 'backoffMs'> &
  ({ backoffMs: number } | { retryBaseDelayMs: number });

/** The HttpClient policy a connector's `requests` settings give (the rest of them, page sizes, are the connector's). */
export function requestPolicyOf(settings: PolicySettings): RequestPolicy {
  return {
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    backoffMs: 'retryBaseDelayMs' in settings ? settings.retryBaseDelayMs : settings.backoffMs,
    maxRateLimitWaitSeconds: settings.maxRateLimitWaitSeconds,
  };
}

/**
 * Validates a connector's config before any request is made. Throws CW_CONFIG_INVALID naming every bad field; the
 * messages describe the expected shape and never echo a value, so a token pasted into the wrong field is not repeated.
 */
export function parseConnectorConfig<Schema extends z.ZodType>(
  schema: Schema,
  source: string,
  input: unknown,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `invalid ${source} connector config: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { issues },
    );
  }
  return result.data;
}

/** Who answers for a connector's controls (a person or a team address); stamped on every record's owner. */
export const controlOwnerField = z.string().min(1).optional();

/** What every connector does with its config, bound once to its schema (see `connectorConfig`). */
export interface ConnectorConfigReader<Config, Requests> {
  /** The config, validated before any request is made (CW_CONFIG_INVALID naming every bad field, never a value). */
  parse(input: unknown): Config;
  /** The config's `requests` settings, the connector's defaults where it sets none. */
  requestSettings(config: Config): Requests;
  /** The values the schema marks `secret`: scrubbed from every message the connector writes. */
  secrets(config: Config): string[];
}

/**
 * Binds the three things every connector does with its config to its schema, so each is written once: a connector
 * that scrubs more than its marked fields (a derived Authorization value, a key's parts) builds on `secrets`.
 */
export function connectorConfig<Schema extends z.ZodType<{ requests?: unknown }>, Requests extends z.ZodType>(
  source: string,
  schema: Schema,
  requests: Requests,
): ConnectorConfigReader<z.output<Schema>, z.output<Requests>> {
  return {
    parse: (input) => parseConnectorConfig(schema, source, input),
    requestSettings: (config) => (config.requests as z.output<Requests> | undefined) ?? requests.parse({}),
    secrets: (config) => secretValues(schema, config),
  };
}
