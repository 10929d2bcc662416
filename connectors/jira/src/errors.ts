import { createRedactor, sourceStatusOf } from '@crosswalk/connector-kit';

/** Atlassian API tokens (`ATATT...`); the kit's redactor already knows JWTs and Authorization values. */
export const ATLASSIAN_TOKEN = /\bATATT[A-Za-z0-9_=-]{16,}/g;

/** Removes the configured secrets and anything shaped like an Atlassian credential from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets, [ATLASSIAN_TOKEN])(text);
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

/** The HTTP status behind an error, when Jira answered. */
export { sourceStatusOf };
