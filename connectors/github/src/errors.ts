import {
  CrosswalkError,
  type CrosswalkErrorOptions,
  type ErrorCode,
  isCrosswalkError,
} from '@crosswalk/core';
import { provenancePath } from './provenance.js';

/** Token shapes GitHub issues (classic, fine-grained, app installation, OAuth, refresh, user-to-server). */
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;
const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Removes the configured secrets and anything shaped like a GitHub token or a private key from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text.replace(PEM_BLOCK, '[redacted]').replace(GITHUB_TOKEN, '[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** A catalogued error that remembers GitHub's HTTP status, so a collector can treat a 403 or 404 as evidence. */
export class GitHubSourceError extends CrosswalkError {
  constructor(
    code: ErrorCode,
    message: string,
    options: CrosswalkErrorOptions,
    readonly sourceStatus: number | undefined,
  ) {
    super(code, message, options);
  }
}

/** GitHub's HTTP status behind an error, when it had one. */
export function sourceStatusOf(error: unknown): number | undefined {
  return error instanceof GitHubSourceError ? error.sourceStatus : undefined;
}

interface RequestErrorLike {
  name?: string;
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { url?: string; headers?: Record<string, string | number | undefined>; data?: unknown };
}

interface GraphqlErrorLike {
  name: 'GraphqlResponseError';
  errors?: { type?: string; message?: string; path?: (string | number)[] }[];
  headers?: Record<string, string | number | undefined>;
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { status?: unknown }).status === 'number' &&
    (error as { status: number }).status > 0
  );
}

function isGraphqlError(error: unknown): error is GraphqlErrorLike {
  return (error as { name?: unknown } | null)?.name === 'GraphqlResponseError';
}

function githubMessage(error: RequestErrorLike): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : error.message.split(' - ')[0]!;
}

function header(error: RequestErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * GitHub says which permission or scope a refused request needed: an App token gets
 * `x-accepted-github-permissions` (e.g. `members=read`), a classic token `x-accepted-oauth-scopes` next to
 * `x-oauth-scopes` (what it has). Otherwise the message is all there is.
 */
function missingPermission(error: RequestErrorLike): string | undefined {
  const permissions = header(error, 'x-accepted-github-permissions');
  if (permissions) return `missing permission ${permissions}`;
  const accepted = header(error, 'x-accepted-oauth-scopes');
  if (accepted) {
    const granted = header(error, 'x-oauth-scopes');
    return `missing scope: needs one of ${accepted}${granted === undefined ? '' : ` (the token has: ${granted || 'none'})`}`;
  }
  return undefined;
}

/**
 * Turns whatever a GitHub call threw into a catalogued error: 401 and permission 403s are CW_SOURCE_AUTH (not
 * retryable), 5xx, network failures and limits that did not reset in time are CW_SOURCE_UNAVAILABLE (retryable),
 * anything else GitHub answered is CW_SOURCE_DATA. The message names the request (method and path without
 * secrets) and never carries a credential; octokit's own error is not attached, since it holds request headers.
 */
export function sourceError(error: unknown, secrets: readonly string[], what?: string): CrosswalkError {
  if (isCrosswalkError(error)) return error;
  const scrub = (message: string) => redact(message, secrets);
  if (isGraphqlError(error)) {
    const first = error.errors?.[0];
    const text = scrub(`GitHub GraphQL ${what ?? 'query'} failed: ${first?.message ?? 'unknown error'}`);
    switch (first?.type) {
      case 'FORBIDDEN':
      case 'INSUFFICIENT_SCOPES':
        return new CrosswalkError('CW_SOURCE_AUTH', text, { where: what });
      case 'NOT_FOUND':
        return new CrosswalkError('CW_NOT_FOUND', text, { where: what });
      case 'RATE_LIMITED':
        return new CrosswalkError('CW_SOURCE_UNAVAILABLE', text, { where: what });
      default:
        return new CrosswalkError('CW_SOURCE_DATA', text, { where: what });
    }
  }
  if (isRequestError(error)) {
    const method = error.request?.method ?? 'GET';
    const path = provenancePath(error.response?.url || error.request?.url || '/');
    const request = `${method} ${path}`;
    const message = githubMessage(error);
    const where = what ?? request;
    const status = error.status;
    if (status === 401) {
      return new GitHubSourceError(
        'CW_SOURCE_AUTH',
        scrub(`GitHub rejected the credentials (401 ${message}) for ${request}`),
        { where },
        status,
      );
    }
    if ((status === 403 || status === 429) && /rate limit/i.test(message)) {
      return new GitHubSourceError(
        'CW_SOURCE_UNAVAILABLE',
        scrub(
          `GitHub's rate limit did not reset within the allowed wait (${status} ${message}) for ${request}`,
        ),
        { where },
        status,
      );
    }
    if (status === 403) {
      const missing = missingPermission(error);
      return new GitHubSourceError(
        'CW_SOURCE_AUTH',
        scrub(`GitHub refused ${request}: ${missing ?? 'access denied'} (403 ${message})`),
        { where },
        status,
      );
    }
    if (status === 404) {
      return new GitHubSourceError(
        'CW_NOT_FOUND',
        scrub(
          `GitHub answered 404 ${message} for ${request} (it does not exist, or the credentials cannot see it)`,
        ),
        { where },
        status,
      );
    }
    if (status === 429 || status >= 500) {
      return new GitHubSourceError(
        'CW_SOURCE_UNAVAILABLE',
        scrub(`GitHub failed (${status} ${message}) for ${request}`),
        { where },
        status,
      );
    }
    return new GitHubSourceError(
      'CW_SOURCE_DATA',
      scrub(`GitHub answered ${status} ${message} for ${request}`),
      { where },
      status,
    );
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') {
    return new CrosswalkError(
      'CW_SOURCE_UNAVAILABLE',
      `request to GitHub was aborted${what ? ` (${what})` : ''}`,
      {
        where: what,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CrosswalkError('CW_SOURCE_UNAVAILABLE', scrub(`could not reach GitHub: ${message}`), {
    where: what,
  });
}

/** The status of a request error, or undefined for anything else. */
export function errorStatus(error: unknown): number | undefined {
  return isRequestError(error) ? error.status : undefined;
}

/** GitHub's own message of a request error (e.g. `Branch not protected`). */
export function errorMessage(error: unknown): string {
  return isRequestError(error) ? githubMessage(error) : String(error);
}
