import { CrosswalkError, type CrosswalkErrorOptions, type ErrorCode } from '@crosswalk/core';

/** Okta API tokens (SSWS): 42 characters starting `00`. */
export const OKTA_API_TOKEN = /\b00[A-Za-z0-9_-]{40}\b/g;
/** A JWT (an access token, a client assertion, a DPoP proof). */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g;
const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const AUTHORIZATION = /\b(SSWS|Bearer|DPoP)\s+[^\s"',;]+/gi;

/** Removes the configured secrets and anything shaped like an Okta token, a JWT or a private key from a message. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text
    .replace(PEM_BLOCK, '[redacted]')
    .replace(AUTHORIZATION, '$1 [redacted]')
    .replace(JWT, '[redacted]')
    .replace(OKTA_API_TOKEN, '[redacted]');
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** A catalogued error that remembers Okta's HTTP status and error code, so a collector can treat some as evidence. */
export class OktaSourceError extends CrosswalkError {
  constructor(
    code: ErrorCode,
    message: string,
    options: CrosswalkErrorOptions,
    readonly sourceStatus: number | undefined,
    readonly oktaErrorCode: string | undefined,
  ) {
    super(code, message, options);
    this.name = 'OktaSourceError';
  }
}

export function sourceStatusOf(error: unknown): number | undefined {
  return error instanceof OktaSourceError ? error.sourceStatus : undefined;
}

export function oktaErrorCodeOf(error: unknown): string | undefined {
  return error instanceof OktaSourceError ? error.oktaErrorCode : undefined;
}

/** Okta's error body: `{ errorCode, errorSummary, errorCauses }`, or OAuth's `{ error, error_description }`. */
interface OktaErrorBody {
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: { errorSummary?: unknown }[];
  error?: unknown;
  error_description?: unknown;
}

function describeBody(body: unknown): { code: string | undefined; text: string } {
  const error = (body ?? {}) as OktaErrorBody;
  if (typeof error.errorCode === 'string' || typeof error.errorSummary === 'string') {
    const causes = Array.isArray(error.errorCauses)
      ? error.errorCauses
          .map((cause) => cause?.errorSummary)
          .filter((s): s is string => typeof s === 'string')
      : [];
    const code = typeof error.errorCode === 'string' ? error.errorCode : undefined;
    const summary = [error.errorSummary, ...causes].filter((s) => typeof s === 'string' && s).join('; ');
    return { code, text: [code, summary].filter(Boolean).join(' ') };
  }
  if (typeof error.error === 'string') {
    const description = typeof error.error_description === 'string' ? `: ${error.error_description}` : '';
    return { code: error.error, text: `${error.error}${description}` };
  }
  return { code: undefined, text: '' };
}

/** `scope="okta.logs.read"` from a `WWW-Authenticate: Bearer ..., error="insufficient_scope", scope="..."`. */
function challengedScope(header: string | null | undefined): string | undefined {
  return header ? /\bscope="([^"]+)"/i.exec(header)?.[1] : undefined;
}

export interface HttpFailure {
  method: string;
  /** Provenance form of the URL: path and non-secret query. */
  path: string;
  status: number;
  body: unknown;
  wwwAuthenticate?: string | null;
  /** What was being read, for people: `the System Log`, `rules of policy 00p1`. */
  what?: string;
  /** The OAuth scopes the endpoint needs, when known: named in a 403. */
  requiredScopes?: readonly string[];
  /** True for the OAuth token endpoint. */
  tokenRequest?: boolean;
}

/**
 * Turns an Okta answer that was not a success into a catalogued error: 401 and 403 are CW_SOURCE_AUTH (not
 * retryable), 429 that did not reset in time and 5xx are CW_SOURCE_UNAVAILABLE (retryable), 404 is CW_NOT_FOUND,
 * anything else Okta answered is CW_SOURCE_DATA. The message names the request (method and path without secrets) and
 * Okta's error code and summary, and never carries a credential.
 */
export function httpError(failure: HttpFailure, secrets: readonly string[]): OktaSourceError {
  const { method, path, status } = failure;
  const request = `${method} ${path}`;
  const where = failure.what ?? request;
  const { code, text } = describeBody(failure.body);
  const detail = `${status}${text ? ` ${text}` : ''}`;
  const make = (errorCode: ErrorCode, message: string) =>
    new OktaSourceError(errorCode, redact(message, secrets), { where }, status, code);

  if (failure.tokenRequest && status >= 400 && status < 500 && status !== 429) {
    const hint =
      code === 'invalid_scope'
        ? '; grant the service app the scopes it asks for (Okta Admin Console > the app > Okta API Scopes)'
        : code === 'invalid_client'
          ? '; check the client id, the private key and its key id'
          : '';
    return make('CW_SOURCE_AUTH', `Okta refused the OAuth token request (${detail})${hint}`);
  }
  if (status === 401) {
    const hint =
      code === 'E0000011'
        ? ': the API token is invalid, expired or revoked (Okta revokes a token unused for 30 days)'
        : code === 'E0000015'
          ? ': the org does not have this feature'
          : '';
    return make('CW_SOURCE_AUTH', `Okta rejected the credentials (${detail}) for ${request}${hint}`);
  }
  if (status === 403) {
    const challenged = challengedScope(failure.wwwAuthenticate);
    const needed = challenged
      ? `missing scope ${challenged}`
      : failure.requiredScopes?.length
        ? `missing permission: an admin role that can read this, or for a service app the scope ${failure.requiredScopes.join(' + ')}`
        : 'missing permission';
    return make('CW_SOURCE_AUTH', `Okta refused ${request}: ${needed} (${detail})`);
  }
  if (status === 404) {
    return make(
      'CW_NOT_FOUND',
      `Okta answered ${detail} for ${request} (it does not exist, or the org lacks it)`,
    );
  }
  if (status === 429) {
    return make(
      'CW_SOURCE_UNAVAILABLE',
      `Okta's rate limit for ${request} did not reset within the allowed wait (${detail})`,
    );
  }
  if (status >= 500) return make('CW_SOURCE_UNAVAILABLE', `Okta failed (${detail}) for ${request}`);
  return make('CW_SOURCE_DATA', `Okta answered ${detail} for ${request}`);
}
