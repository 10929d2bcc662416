import {
  createRedactor,
  httpSourceError,
  type Redactor,
  type SourceError,
  type SourceSaid,
} from '@crosswalk/connector-kit';

/** Okta API tokens (SSWS): 42 characters starting `00`. */
export const OKTA_API_TOKEN = /\b00[A-Za-z0-9_-]{40}\b/g;

/** The value after Okta's Authorization schemes, however short (the kit's own rule wants 8 characters). */
const OKTA_AUTHORIZATION = /(?<=\b(?:SSWS|Bearer|DPoP)\s+)[^\s"',;[]+/gi;

/** One connection's redactor: the configured secrets, and anything shaped like an Okta token, a JWT or a key. */
export function oktaRedactor(secrets: readonly string[]): Redactor {
  return createRedactor(secrets, [OKTA_API_TOKEN, OKTA_AUTHORIZATION]);
}

export function redact(text: string, secrets: readonly string[]): string {
  return oktaRedactor(secrets)(text);
}

/** Okta's error body: `{ errorCode, errorSummary, errorCauses }`, or OAuth's `{ error, error_description }`. */
interface OktaErrorBody {
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: { errorSummary?: unknown }[];
  error?: unknown;
  error_description?: unknown;
}

function describeBody(body: unknown): SourceSaid {
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

/** What to tell people about a refused answer, from Okta's error code, its challenge and the scopes asked for. */
function hintFor(failure: HttpFailure, code: string | undefined): string | undefined {
  if (failure.tokenRequest) {
    if (code === 'invalid_scope')
      return 'grant the service app the scopes it asks for (Okta Admin Console > the app > Okta API Scopes)';
    if (code === 'invalid_client') return 'check the client id, the private key and its key id';
    return undefined;
  }
  if (failure.status === 401) {
    if (code === 'E0000011')
      return 'the API token is invalid, expired or revoked (Okta revokes a token unused for 30 days)';
    if (code === 'E0000015') return 'the org does not have this feature';
  }
  if (failure.status === 403) {
    const challenged = challengedScope(failure.wwwAuthenticate);
    if (challenged) return `missing scope ${challenged}`;
    if (failure.requiredScopes?.length) {
      return `missing permission: an admin role that can read this, or for a service app the scope ${failure.requiredScopes.join(' + ')}`;
    }
  }
  if (failure.status === 404) return 'it does not exist, or the org lacks it';
  return undefined;
}

/**
 * Turns an Okta answer that was not a success into the kit's catalogued error (its one status rule; a refused
 * OAuth token request is CW_SOURCE_AUTH), its message naming the request (method and path without secrets), the
 * status, Okta's error code and summary, then what to do about it; never a credential.
 */
export function httpError(failure: HttpFailure, secrets: readonly string[]): SourceError {
  const said = describeBody(failure.body);
  return httpSourceError(
    {
      source: 'Okta',
      method: failure.method,
      path: failure.path,
      status: failure.status,
      said: { ...said, hint: hintFor(failure, said.code) },
      what: failure.what,
      credentialRequest: failure.tokenRequest,
    },
    (text) => redact(text, secrets),
  );
}
