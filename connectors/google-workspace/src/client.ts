import { createSign } from 'node:crypto';
import {
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  paginate,
  RequestRecorder,
  renewingToken,
  requestPolicyOf,
} from '@crosswalk/connector-kit';
import { type CollectorLogger, CrosswalkError } from '@crosswalk/core';
import {
  configSecrets,
  type GoogleWorkspaceConfig,
  type RequestSettings,
  requestSettings,
  type ServiceAccountKey,
  serviceAccountKey,
} from './config.js';
import { describeGoogleError, googleRateLimitRule, redact } from './errors.js';
import { VERSION } from './version.js';

type Query = Record<string, string | number | boolean | undefined>;

export interface GoogleClientOptions {
  log: CollectorLogger;
  signal?: AbortSignal;
  /** The OAuth scopes the collection asks for: its collector's (COLLECTOR_SCOPES). */
  scopes: readonly string[];
}

/**
 * Google's answers carry no request id; the Admin SDK sends each JSON answer's ETag, which names the version of
 * what was read, and provenance cites it.
 */
const REQUEST_ID_HEADER = 'etag';

/** An access token is renewed this long before Google says it expires (they last an hour). */
const TOKEN_RENEWAL_MS = 5 * 60_000;
const ASSERTION_LIFETIME_S = 3600;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * The signed JWT a service account presents for domain-wide delegation (RFC 7523): issued by the service account,
 * for the admin it acts as (`sub`), with the scopes asked for, to the token endpoint.
 * https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 */
export function serviceAccountAssertion(
  key: ServiceAccountKey,
  subject: string,
  scopes: readonly string[],
  nowMs: number,
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const claims = {
    iss: key.client_email,
    sub: subject,
    scope: scopes.join(' '),
    aud: key.token_uri,
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key);
  return `${unsigned}.${base64url(signature)}`;
}

/**
 * One Google Workspace connection per collection, on the connector kit's client: the Admin SDK pinned to the
 * configured base URL, the token endpoint to the key's `token_uri` (Google's, or a loopback test server), each
 * attempt cut off after `timeoutMs`, Google's usage limits waited out, 5xx and network failures retried, every
 * attempt recorded for provenance, every failure a catalogued error without the key or the token. The service
 * account's assertion is signed here (node:crypto, RS256) and exchanged through the kit, so the token request is
 * pinned, recorded and redacted like every other.
 */
export class GoogleClient {
  readonly recorder = new RequestRecorder();
  readonly settings: RequestSettings;
  readonly customer: string;
  readonly baseUrl: string;
  private readonly api: HttpClient;
  private readonly tokens: HttpClient;
  private readonly key: ServiceAccountKey;
  private readonly subject: string;
  private readonly scopes: readonly string[];

  constructor(config: GoogleWorkspaceConfig, options: GoogleClientOptions) {
    this.settings = requestSettings(config);
    this.customer = config.customerId;
    this.baseUrl = config.baseUrl;
    this.key = serviceAccountKey(config);
    this.subject = config.adminSubject;
    this.scopes = options.scopes;
    const secrets = configSecrets(config);
    const common: Omit<HttpClientOptions, 'baseUrl'> = {
      source: 'Google Workspace',
      headers: {
        accept: 'application/json',
        'user-agent': `crosswalk-connector-google-workspace/${VERSION}`,
      },
      policy: requestPolicyOf(this.settings),
      rateLimit: googleRateLimitRule,
      requestIdHeader: REQUEST_ID_HEADER,
      describeError: (body) => describeGoogleError(body, this.scopes, this.subject),
      hints: {
        401: `check the service account key, and that domain-wide delegation lets it act as ${this.subject}`,
        403: `grant ${this.scopes.join(', ')} to the service account's client id under domain-wide delegation, and make ${this.subject} an admin who can read it`,
      },
      redact: (text) => redact(text, secrets),
      log: options.log,
      signal: options.signal,
      recorder: this.recorder,
    };
    // The access token is bought when first needed and again shortly before it expires.
    const accessToken = renewingToken(() => this.buyToken());
    this.api = new HttpClient({
      ...common,
      baseUrl: config.baseUrl,
      credentials: async () => ({ authorization: `Bearer ${await accessToken()}` }),
    });
    this.tokens = new HttpClient({ ...common, baseUrl: this.key.token_uri });
  }

  /** Every page of a list, following `nextPageToken` (sent back as `pageToken`); a repeated token is refused. */
  pages<T>(path: string, query: Query, items: string, what: string): AsyncGenerator<T[]> {
    return paginate<T>(
      this.api,
      { url: path, query },
      { type: 'token', items, token: 'nextPageToken', param: 'pageToken', in: 'query' },
      // Google leaves an empty list out of the page altogether.
      { what, missingItemsAreEmpty: true },
    );
  }

  /** An absolute URL on the API for a path and query: where an auditor can read the same thing again. */
  url(path: string, query: Query = {}): string {
    return this.api.resolve(path, query).href;
  }

  private async buyToken(): Promise<{ token: string; renewAt: number }> {
    const assertion = serviceAccountAssertion(this.key, this.subject, this.scopes, Date.now());
    const request: HttpRequest = {
      method: 'POST',
      url: '',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      what: `an access token for ${this.subject}`,
    };
    const answer = await this.tokens.send(request);
    if (answer.status < 200 || answer.status >= 300) {
      const error = this.tokens.error(answer, request);
      // Any refusal of the exchange is the credentials' (or the delegation's) fault, not a data problem.
      if (
        answer.status >= 400 &&
        answer.status < 500 &&
        answer.status !== 429 &&
        error.code !== 'CW_SOURCE_AUTH'
      ) {
        throw new CrosswalkError('CW_SOURCE_AUTH', error.message, { where: request.what });
      }
      throw error;
    }
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new CrosswalkError('CW_SOURCE_AUTH', 'Google returned no access token', { where: request.what });
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 3_600_000;
    return { token: body.access_token, renewAt: Date.now() + Math.max(lifetime - TOKEN_RENEWAL_MS, 0) };
  }
}
