import { CrosswalkError, type CrosswalkErrorOptions, type ErrorCode } from '@crosswalk/core';

/** Shapes of Atlassian credentials: API tokens (`ATATT...`), OAuth access tokens (JWTs), Authorization values. */
const ATLASSIAN_TOKEN = /\bATATT[A-Za-z0-9_=-]{16,}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g;
const AUTHORIZATION = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Removes the configured secrets and anything shaped like an Atlassian credential from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result
    .replace(AUTHORIZATION, '$1 [redacted]')
    .replace(ATLASSIAN_TOKEN, '[redacted]')
    .replace(JWT, '[redacted]');
}

/** A catalogued error that remembers Jira's HTTP status, so a collector can tell a bad JQL (400) from the rest. */
export class JiraSourceError extends CrosswalkError {
  constructor(
    code: ErrorCode,
    message: string,
    options: CrosswalkErrorOptions,
    readonly sourceStatus: number | undefined,
    /** Jira's own words (`errorMessages`, `errors`), already scrubbed. */
    readonly sourceMessage: string,
  ) {
    super(code, message, options);
  }
}

/** Jira's error body (`ErrorCollection`: `errorMessages` and per-field `errors`) as one line. */
export function jiraMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const { errorMessages, errors, message } = body as {
      errorMessages?: unknown;
      errors?: unknown;
      message?: unknown;
    };
    const parts: string[] = [];
    if (Array.isArray(errorMessages)) parts.push(...errorMessages.filter((m) => typeof m === 'string'));
    if (errors && typeof errors === 'object') {
      for (const [field, text] of Object.entries(errors)) {
        if (typeof text === 'string') parts.push(`${field}: ${text}`);
      }
    }
    if (typeof message === 'string') parts.push(message);
    if (parts.length > 0) return parts.join('; ').slice(0, 500);
  }
  return fallback;
}

/**
 * The catalogued error for an HTTP answer Jira gave: 401 and 403 are CW_SOURCE_AUTH (not retryable), 404
 * CW_NOT_FOUND, 429 and 5xx CW_SOURCE_UNAVAILABLE (retryable), anything else CW_SOURCE_DATA. The message names the
 * request (method and path without secrets) and never carries a credential.
 */
export function httpError(input: {
  status: number;
  request: string;
  body: unknown;
  statusText: string;
  what: string;
  secrets: readonly string[];
}): JiraSourceError {
  const said = redact(jiraMessage(input.body, input.statusText || 'no message'), input.secrets);
  const { status, request, what } = input;
  const make = (code: ErrorCode, message: string) =>
    new JiraSourceError(code, redact(message, input.secrets), { where: what }, status, said);
  if (status === 401) {
    return make(
      'CW_SOURCE_AUTH',
      `Jira rejected the credentials (401 ${said}) for ${request}: check the email and API token, or the OAuth ` +
        'access token',
    );
  }
  if (status === 403) {
    return make(
      'CW_SOURCE_AUTH',
      `Jira refused ${request} (403 ${said}): the account needs the Browse projects permission on the ` +
        'projects the JQL reads (OAuth: the read:jira-work scope)',
    );
  }
  if (status === 404) {
    return make(
      'CW_NOT_FOUND',
      `Jira answered 404 ${said} for ${request} (it does not exist, or the credentials cannot see it)`,
    );
  }
  if (status === 429 || status >= 500) {
    return make('CW_SOURCE_UNAVAILABLE', `Jira failed (${status} ${said}) for ${request}`);
  }
  return make('CW_SOURCE_DATA', `Jira answered ${status} ${said} for ${request}`);
}

/** The HTTP status behind an error, when Jira answered. */
export function sourceStatusOf(error: unknown): number | undefined {
  return error instanceof JiraSourceError ? error.sourceStatus : undefined;
}
