import { createRedactor, type RateLimitRule, type SourceSaid } from '@crosswalk/connector-kit';

/** Google OAuth access tokens (`ya29.`), which the kit's redactor does not know by shape. */
export const GOOGLE_ACCESS_TOKEN = /\bya29\.[A-Za-z0-9._-]{10,}/g;

/** Removes the configured secrets and anything shaped like a Google credential from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets, [GOOGLE_ACCESS_TOKEN])(text);
}

/**
 * Google's usage limits: 429 with Retry-After, and the Admin SDK's older answer, a 403 whose reason says it
 * (`rateLimitExceeded`, `userRateLimitExceeded`, `quotaExceeded`); that one names no wait, so the connector's
 * backoff (`requests.backoffMs`, a second by default, as Google recommends) decides it.
 * https://developers.google.com/admin-sdk/directory/v1/limits
 */
export const googleRateLimitRule: RateLimitRule = {
  statuses: [429],
  wait: [{ header: 'retry-after', format: 'seconds' }],
  bodies: [
    {
      name: 'Google usage limit',
      statuses: [403],
      pattern: /"reason"\s*:\s*"(rateLimitExceeded|userRateLimitExceeded|quotaExceeded)"/,
    },
  ],
  maxRetries: 6,
};

interface GoogleErrorBody {
  error?:
    | {
        code?: unknown;
        message?: unknown;
        status?: unknown;
        errors?: { reason?: unknown; message?: unknown; domain?: unknown }[];
        details?: { reason?: unknown }[];
      }
    | string;
  error_description?: unknown;
}

/** Reasons Google gives when the access token lacks a scope the method needs. */
const SCOPE_REASONS = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT']);

/**
 * Reads Google's error shapes into its code and words: the JSON APIs' `{ error: { code, message, errors: [{
 * reason }] } }` and OAuth's `{ error: "unauthorized_client", error_description }`. A 403 whose reason is a
 * missing scope is told which scopes the request needed (`scopes`), since Google names none.
 */
export function describeGoogleError(body: unknown, scopes: readonly string[], subject: string): SourceSaid {
  const parsed = (body && typeof body === 'object' ? body : {}) as GoogleErrorBody;
  if (typeof parsed.error === 'string') {
    const code = parsed.error;
    const text = typeof parsed.error_description === 'string' ? parsed.error_description : code;
    const hint =
      code === 'unauthorized_client'
        ? `grant the service account's client id these scopes under domain-wide delegation (Admin console, ` +
          `Security, API controls): ${scopes.join(', ')}`
        : code === 'invalid_grant'
          ? `check that ${subject} is an active user of the account and the key is current`
          : undefined;
    return { code, text: text.slice(0, 300), hint };
  }
  const error = parsed.error;
  if (!error) return { text: typeof body === 'string' ? body.slice(0, 300) : '' };
  const reason =
    error.errors?.find((e) => typeof e.reason === 'string')?.reason ??
    error.details?.find((d) => typeof d.reason === 'string')?.reason;
  const code =
    typeof reason === 'string' ? reason : typeof error.status === 'string' ? error.status : undefined;
  const text = typeof error.message === 'string' ? error.message.slice(0, 300) : '';
  let hint: string | undefined;
  if (code && SCOPE_REASONS.has(code)) {
    hint = `the access token lacks a scope this needs: grant ${scopes.join(', ')} to the service account's client id under domain-wide delegation`;
  } else if (code === 'forbidden' || code === 'PERMISSION_DENIED') {
    hint = `${subject} must be an admin whose role can read this (for users: the Users read privilege; for reports: Reports)`;
  }
  return { code, text, hint };
}
