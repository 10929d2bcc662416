import { createRedactor, SourceError, type SourceSaid } from '@crosswalk/connector-kit';
import type { ErrorCode } from '@crosswalk/core';

/** Token shapes GitHub issues (classic, fine-grained, app installation, OAuth, refresh, user-to-server). */
export const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

/** Removes the configured secrets and anything shaped like a GitHub token or a private key from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  return createRedactor(secrets, [GITHUB_TOKEN])(text);
}

/**
 * What a refused GitHub answer says: its `message`, and which permission or scope the request needed. An App token
 * gets `x-accepted-github-permissions` (e.g. `members=read`), a classic token `x-accepted-oauth-scopes` next to
 * `x-oauth-scopes` (what it has).
 */
export function describeGitHubError(body: unknown, headers: Headers): SourceSaid {
  const message = (body as { message?: unknown } | null | undefined)?.message;
  const permissions = headers.get('x-accepted-github-permissions');
  const accepted = headers.get('x-accepted-oauth-scopes');
  const granted = headers.get('x-oauth-scopes');
  const hint = permissions
    ? `missing permission ${permissions}`
    : accepted
      ? `missing scope: needs one of ${accepted}${granted === null ? '' : ` (the token has: ${granted || 'none'})`}`
      : undefined;
  return { text: typeof message === 'string' ? message : '', hint };
}

/** A GraphQL error as GitHub reports it in a 200: `{ type: 'NOT_FOUND', message, path }`. */
export interface GraphqlError {
  type?: string;
  message?: string;
}

const GRAPHQL_CODES: Record<string, ErrorCode> = {
  FORBIDDEN: 'CW_SOURCE_AUTH',
  INSUFFICIENT_SCOPES: 'CW_SOURCE_AUTH',
  NOT_FOUND: 'CW_NOT_FOUND',
  RATE_LIMITED: 'CW_SOURCE_UNAVAILABLE',
};

/** The catalogued error for a GraphQL answer with errors: by the first error's type, CW_SOURCE_DATA otherwise. */
export function graphqlError(
  errors: readonly GraphqlError[],
  what: string,
  scrub: (text: string) => string,
): SourceError {
  const first = errors[0];
  const said = scrub(first?.message ?? 'unknown error');
  return new SourceError(
    GRAPHQL_CODES[first?.type ?? ''] ?? 'CW_SOURCE_DATA',
    `GitHub GraphQL ${what} failed: ${said}`,
    { where: what },
    undefined,
    first?.type,
    said,
  );
}
