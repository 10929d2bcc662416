import {
  CrosswalkError,
  type CrosswalkErrorOptions,
  type ErrorCode,
  isCrosswalkError,
} from '@crosswalk/core';
import type { Redactor } from './redact.js';

/** A catalogued error that remembers what the source said, so a collector can treat some answers as evidence. */
export class SourceError extends CrosswalkError {
  constructor(
    code: ErrorCode,
    message: string,
    options: CrosswalkErrorOptions,
    /** The HTTP status the source answered, when it answered. */
    readonly sourceStatus: number | undefined,
    /** The source's own error code (Okta's `E0000011`, OAuth's `invalid_client`), when it gave one. */
    readonly sourceCode: string | undefined = undefined,
    /** The source's own words, already redacted. */
    readonly sourceMessage = '',
  ) {
    super(code, message, options);
    this.name = 'SourceError';
  }
}

/** The HTTP status behind an error, when a source answered. */
export function sourceStatusOf(error: unknown): number | undefined {
  return error instanceof SourceError ? error.sourceStatus : undefined;
}

/** The source's own error code behind an error, when it gave one. */
export function sourceCodeOf(error: unknown): string | undefined {
  return error instanceof SourceError ? error.sourceCode : undefined;
}

/** What a failed answer said, in the source's words: its error code and message. */
export interface SourceSaid {
  code?: string | undefined;
  text: string;
  /**
   * What to tell people about this answer in particular, read from it (GitHub's `x-accepted-github-permissions`,
   * Okta's challenged scope); wins over the connector's per-status hint.
   */
  hint?: string | undefined;
}

/** What to tell people per status, in the source's terms: how to fix credentials, which permission is missing. */
export interface ErrorHints {
  401?: string;
  403?: string;
  404?: string;
}

export interface HttpFailure {
  /** The source's name for people: `Jira`, `Okta`, `GitHub`. */
  source: string;
  method: string;
  /** Provenance form of the URL: path and non-secret query. */
  path: string;
  status: number;
  said: SourceSaid;
  /** What was being read, for people (`the System Log`); the error's `where`. */
  what?: string | undefined;
  hints?: ErrorHints | undefined;
  /** For a limit that resets too late: the wait it asked for and the longest one allowed. */
  rateLimit?: { waitMs: number; maxWaitSeconds: number };
  /** A request for credentials (an OAuth token exchange): any 4xx but a rate limit is the credentials' fault. */
  credentialRequest?: boolean | undefined;
}

/**
 * The one status rule for every source: a rate limit that did not reset in time (429, or any answer the client
 * found limited) and 5xx are CW_SOURCE_UNAVAILABLE (retryable), 401 and 403 CW_SOURCE_AUTH (not retryable:
 * credentials or permissions), 404 CW_NOT_FOUND,
 * anything else the source answered CW_SOURCE_DATA (except a 4xx to a credential request: CW_SOURCE_AUTH). The
 * message names the request (method and path without secrets), the status and what the source said (its code and
 * words), then a hint, redacted.
 */
export function httpSourceError(failure: HttpFailure, redact: Redactor): SourceError {
  const { source, method, path, status, said, hints } = failure;
  const request = `${method} ${path}`;
  const detail = `${status}${said.text ? ` ${said.text}` : ''}`;
  const hint = (fallback: string | undefined) => {
    const text = said.hint ?? fallback;
    return text ? `: ${text}` : '';
  };
  const make = (code: ErrorCode, message: string) =>
    new SourceError(
      code,
      redact(message),
      { where: failure.what ?? request },
      status,
      said.code,
      redact(said.text),
    );
  const limited = status === 429 || failure.rateLimit !== undefined;
  // First: GitHub answers a used-up limit with 403, which is not a permission refusal.
  if (limited) {
    const late = failure.rateLimit && failure.rateLimit.waitMs > failure.rateLimit.maxWaitSeconds * 1000;
    const wait = late
      ? `, resets in ${Math.ceil(failure.rateLimit!.waitMs / 1000)}s > ${failure.rateLimit!.maxWaitSeconds}s`
      : '';
    return make(
      'CW_SOURCE_UNAVAILABLE',
      `${source}'s rate limit did not reset within the allowed wait (${detail}${wait}) for ${request}`,
    );
  }
  if (failure.credentialRequest && status >= 400 && status < 500) {
    return make('CW_SOURCE_AUTH', `${source} refused ${request} (${detail})${hint(hints?.[401])}`);
  }
  if (status === 401) {
    return make(
      'CW_SOURCE_AUTH',
      `${source} rejected the credentials (${detail}) for ${request}${hint(hints?.[401])}`,
    );
  }
  if (status === 403) {
    return make(
      'CW_SOURCE_AUTH',
      `${source} refused ${request} (${detail})${hint(hints?.[403] ?? 'missing permission')}`,
    );
  }
  if (status === 404) {
    return make(
      'CW_NOT_FOUND',
      `${source} answered ${detail} for ${request}${hint(hints?.[404] ?? 'it does not exist, or the credentials cannot see it')}`,
    );
  }
  if (status >= 500) return make('CW_SOURCE_UNAVAILABLE', `${source} failed (${detail}) for ${request}`);
  return make('CW_SOURCE_DATA', `${source} answered ${detail} for ${request}`);
}

/** No answer at all: refused connection, DNS, timeout, abort. Always CW_SOURCE_UNAVAILABLE (retryable). */
export function networkSourceError(
  error: unknown,
  input: { source: string; host: string; request: string; what?: string | undefined },
  redact: Redactor,
): CrosswalkError {
  if (isCrosswalkError(error)) return error;
  const where = input.what ?? input.request;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') {
    return new CrosswalkError(
      'CW_SOURCE_UNAVAILABLE',
      `request to ${input.source} was aborted (${input.request})`,
      {
        where,
      },
    );
  }
  if (name === 'TimeoutError') {
    return new CrosswalkError(
      'CW_SOURCE_UNAVAILABLE',
      `${input.source} at ${input.host} did not answer in time (${input.request})`,
      { where },
    );
  }
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a blocked port) is its cause.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const reason =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.message === 'string'
        ? cause.message
        : error instanceof Error
          ? error.message
          : String(error);
  return new CrosswalkError(
    'CW_SOURCE_UNAVAILABLE',
    redact(`could not reach ${input.source} at ${input.host} for ${input.request}: ${reason}`),
    { where },
  );
}
