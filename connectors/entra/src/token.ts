import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { HttpClient, httpSourceError, provenancePath, retryAfterRule } from '@crosswalk/connector-kit';
import type { EntraConfig } from './config.js';
import { describeTokenError } from './errors.js';

/** The one scope an app-only token for Graph asks for: every application permission the app was granted. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** A token this close to its expiry is renewed before a request, so no request goes out with a dying token. */
const RENEW_BEFORE_MS = 5 * 60_000;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * The client assertion of certificate credentials: a JWT signed RS256 with the certificate's key, naming the
 * certificate by its SHA-256 thumbprint (`x5t#S256`), for the token endpoint as its audience, valid ten minutes.
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
export function clientAssertion(
  auth: { clientId: string; privateKey: string; certificate: string },
  audience: string,
  now = Date.now(),
): string {
  const thumbprint = Buffer.from(
    new X509Certificate(auth.certificate).fingerprint256.replaceAll(':', ''),
    'hex',
  );
  const header = { alg: 'RS256', typ: 'JWT', 'x5t#S256': base64url(thumbprint) };
  const seconds = Math.floor(now / 1000);
  const claims = {
    aud: audience,
    iss: auth.clientId,
    sub: auth.clientId,
    jti: randomUUID(),
    nbf: seconds,
    iat: seconds,
    exp: seconds + 600,
  };
  const signing = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signing).sign(createPrivateKey(auth.privateKey));
  return `${signing}.${base64url(signature)}`;
}

/**
 * App-only access tokens for Graph by the OAuth 2.0 client credentials grant, with a client secret or a certificate's
 * signed assertion, asked of `<authorityHost>/<tenantId>/oauth2/v2.0/token` through the kit's client (pinned to the
 * authority host, throttling waited out, the exchange recorded in provenance like every other request). The token is
 * kept until five minutes before it expires. Why not @azure/identity: MSAL, beneath it, accepts only an https
 * authority, so a loopback token endpoint could not stand in for Microsoft's in tests; the grant is one form POST.
 */
export class TokenSource {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  readonly path: string;

  constructor(
    private readonly config: EntraConfig,
    private readonly http: HttpClient,
  ) {
    this.path = `/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
  }

  /** The Authorization header for the next request. */
  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await this.current()}` };
  }

  private current(): Promise<string> {
    if (this.token && this.token.expiresAt - RENEW_BEFORE_MS > Date.now())
      return Promise.resolve(this.token.value);
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async request(): Promise<string> {
    const { auth } = this.config;
    const form = new URLSearchParams({
      client_id: auth.clientId,
      scope: GRAPH_SCOPE,
      grant_type: 'client_credentials',
    });
    if (auth.kind === 'secret') form.set('client_secret', auth.clientSecret);
    else {
      form.set('client_assertion_type', ASSERTION_TYPE);
      form.set('client_assertion', clientAssertion(auth, this.http.resolve(this.path).href));
    }
    const what = 'an access token for Microsoft Graph';
    const answer = await this.http.send({
      method: 'POST',
      url: this.path,
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      what,
    });
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (answer.status < 200 || answer.status >= 300 || typeof body?.access_token !== 'string') {
      const said = describeTokenError(answer.body);
      throw httpSourceError(
        {
          source: 'Microsoft Entra ID',
          method: 'POST',
          path: provenancePath(answer.url),
          status: answer.status,
          said: said.text
            ? said
            : { text: answer.statusText, hint: 'the token endpoint returned no access token' },
          what,
          credentialRequest: true,
        },
        this.http.options.redact,
      );
    }
    const seconds = Number(body.expires_in);
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000,
    };
    return this.token.value;
  }
}

/** The kit's client for the token endpoint: Retry-After honoured, nothing sent anywhere but the authority host. */
export function authorityClient(
  config: EntraConfig,
  shared: Pick<
    ConstructorParameters<typeof HttpClient>[0],
    'policy' | 'redact' | 'log' | 'signal' | 'recorder' | 'sleep'
  >,
): HttpClient {
  return new HttpClient({
    source: 'Microsoft Entra ID',
    baseUrl: config.authorityHost,
    headers: { accept: 'application/json' },
    rateLimit: retryAfterRule,
    requestIdHeader: 'x-ms-request-id',
    ...shared,
  });
}
