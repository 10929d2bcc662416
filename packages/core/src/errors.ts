/**
 * The catalogue of errors Crosswalk raises on purpose. Every code is stable (clients and scripts match on it),
 * documented in docs/errors.md, and carries what went wrong and where: the field, the file, the id.
 *
 * `retryable` separates what a worker should try again (a timeout, a 5xx, a limit that resets) from what it
 * should not (bad config, bad credentials, tampered data).
 */

export const errorCatalog = {
  CW_CONFIG_INVALID: {
    status: 400,
    retryable: false,
    summary: 'A configuration value is missing or malformed.',
  },
  CW_RECORD_INVALID: {
    status: 400,
    retryable: false,
    summary: 'An evidence record does not match its schema.',
  },
  CW_KIND_UNKNOWN: {
    status: 400,
    retryable: false,
    summary: 'The evidence kind is not one Crosswalk knows.',
  },
  CW_FRAMEWORK_UNKNOWN: {
    status: 400,
    retryable: false,
    summary: 'The framework id is not one Crosswalk knows.',
  },
  CW_CONTROL_UNKNOWN: {
    status: 400,
    retryable: false,
    summary: 'The control id is not in the named framework.',
  },
  CW_INPUT_INVALID: { status: 400, retryable: false, summary: 'An argument or request value is malformed.' },
  CW_UNAUTHORIZED: {
    status: 401,
    retryable: false,
    summary:
      'No valid credential: the API key is missing, unknown, expired or revoked, or a webhook signature does not verify.',
  },
  CW_FORBIDDEN: {
    status: 403,
    retryable: false,
    summary: 'The credential is valid but its role or scope (period, frameworks) does not allow the request.',
  },
  CW_NOT_FOUND: { status: 404, retryable: false, summary: 'The requested object does not exist.' },
  CW_LOCKER_DUPLICATE: {
    status: 409,
    retryable: false,
    summary: 'An object with this key already exists; write-once storage never overwrites it.',
  },
  CW_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    retryable: false,
    summary: 'The Idempotency-Key was already used by this API key for a different request.',
  },
  CW_PAYLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    summary: 'The request body is larger than the configured limit.',
  },
  CW_MEDIA_TYPE_UNSUPPORTED: {
    status: 415,
    retryable: false,
    summary: 'The request body is in a content type the route does not take (the sender never sends it).',
  },
  CW_TOO_MANY_ATTEMPTS: {
    status: 429,
    retryable: true,
    summary: 'Too many failed logins from this client; wait for the time Retry-After gives, then try again.',
  },
  CW_LOCKER_CORRUPT: {
    status: 500,
    retryable: false,
    summary: 'A stored object no longer matches its recorded SHA-256 or cannot be parsed.',
  },
  CW_LOCKER_UNAVAILABLE: {
    status: 503,
    retryable: true,
    summary: 'The locker (S3 endpoint or filesystem) could not be reached.',
  },
  CW_LOCKER_DENIED: {
    status: 500,
    retryable: false,
    summary: 'The locker refused the request (credentials, bucket policy or permissions).',
  },
  CW_LOCKER_UNSUPPORTED: {
    status: 500,
    retryable: false,
    summary:
      'The locker cannot guarantee write-once storage there: the bucket lacks a capability it needs (named in the message).',
  },
  CW_CHAIN_BROKEN: {
    status: 500,
    retryable: false,
    summary:
      'The run chain is broken, or the locker no longer holds what it vouches for: a run or record was altered or removed.',
  },
  CW_SOURCE_AUTH: {
    status: 502,
    retryable: false,
    summary: 'The source system rejected the credentials or lacks a permission.',
  },
  CW_SOURCE_UNAVAILABLE: {
    status: 502,
    retryable: true,
    summary: 'The source system failed or timed out; the request can be retried.',
  },
  CW_SOURCE_UNREACHABLE: {
    status: 502,
    retryable: false,
    summary:
      "The source system's host name does not resolve: the configured URL or this machine's DNS is wrong.",
  },
  CW_SOURCE_DATA: {
    status: 502,
    retryable: false,
    summary: 'The source system returned data Crosswalk cannot interpret.',
  },
  CW_REDIS_UNAVAILABLE: { status: 503, retryable: true, summary: 'Redis could not be reached.' },
  CW_SIGNING_KEY_INVALID: {
    status: 500,
    retryable: false,
    summary: 'The export signing key cannot be read, created, or is not an Ed25519 private key.',
  },
  CW_BUNDLE_INVALID: {
    status: 400,
    retryable: false,
    summary: 'The file given as an export bundle is not a readable zip.',
  },
  CW_BUNDLE_UNSAFE_PATH: {
    status: 400,
    retryable: false,
    summary: 'An export bundle holds an entry whose path escapes its folder (absolute, "..", a link).',
  },
  CW_BUNDLE_UNVERIFIED: {
    status: 422,
    retryable: false,
    summary:
      'An export bundle failed verification: a file, the signature or the run chain does not check out.',
  },
  CW_INTERNAL: { status: 500, retryable: false, summary: 'An unexpected internal error.' },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** One bad field: the path to it (dot-joined for people, array for programs) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface CrosswalkErrorOptions {
  /** Where it happened: a key, file, id or URL path (never one carrying a secret). */
  where?: string;
  issues?: FieldIssue[];
  cause?: unknown;
}

export class CrosswalkError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly issues: FieldIssue[];

  constructor(code: ErrorCode, message: string, options: CrosswalkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrosswalkError';
    this.code = code;
    this.where = options.where;
    this.issues = options.issues ?? [];
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get retryable(): boolean {
    return errorCatalog[this.code].retryable;
  }

  /** The shape an API client or `--format json` receives: never a stack. */
  toJSON(): { code: ErrorCode; message: string; where?: string; issues?: FieldIssue[] } {
    return {
      code: this.code,
      message: this.message,
      ...(this.where === undefined ? {} : { where: this.where }),
      ...(this.issues.length === 0 ? {} : { issues: this.issues }),
    };
  }
}

export function isCrosswalkError(value: unknown, code?: ErrorCode): value is CrosswalkError {
  return value instanceof CrosswalkError && (code === undefined || value.code === code);
}
