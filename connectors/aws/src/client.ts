import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  createRedactor,
  HttpClient,
  type RateLimitRule,
  type Redactor,
  RequestRecorder,
  type SourceSaid,
} from '@crosswalk/connector-kit';
import { type CollectorLogger, CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest,
  HttpResponse,
} from '@smithy/types';
import {
  type AwsAccount,
  type AwsConfig,
  configSecrets,
  type RequestSettings,
  requestSettings,
} from './config.js';

/**
 * AWS throttles with 400 and the `Throttling`/`ThrottlingException` code in the body (IAM, STS, CloudTrail), or a
 * 429 from the JSON services; no header says how long, so the wait doubles from the configured backoff.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const awsRateLimitRule: RateLimitRule = {
  statuses: [429],
  wait: [{ header: 'retry-after', format: 'seconds' }],
  bodies: [
    {
      name: 'throttling',
      statuses: [400],
      pattern: /Throttling|ThrottlingException|TooManyRequestsException|RequestLimitExceeded/,
    },
  ],
  maxRetries: 8,
};

/** AWS's error answer: `<Error><Code>…<Message>` (query protocol) or `{"__type": …, "message": …}` (JSON). */
export function describeAwsError(body: unknown, headers: Headers): SourceSaid {
  if (typeof body === 'string') {
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
    const message = /<Message>([^<]{0,300})<\/Message>/.exec(body)?.[1];
    return { code, text: message ?? '' };
  }
  const json = (body ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown };
  const type = typeof json.__type === 'string' ? json.__type : (headers.get('x-amzn-errortype') ?? undefined);
  const message = typeof json.message === 'string' ? json.message : json.Message;
  return {
    code: type?.split('#').pop()?.split(':')[0],
    text: typeof message === 'string' ? message.slice(0, 300) : '',
  };
}

const HINTS = {
  401: 'check the base credentials (or the SDK credential chain this process runs with)',
  403: "the credentials or the account's role lack a permission the connector needs: see the README, IAM policy",
};

/** What an SDK request calls, for people and errors: `IAM GetCredentialReport`, `CloudTrail LookupEvents`. */
function operationName(request: HttpRequest): string {
  const target = request.headers['x-amz-target'];
  if (target)
    return target
      .replace(/^CloudTrail_20131101/, 'CloudTrail')
      .replace(/^AWSIdentityStore/, 'IdentityStore')
      .replace(/^SWBExternalService/, 'SSOAdmin')
      .replace('.', ' ');
  const action = new URLSearchParams(typeof request.body === 'string' ? request.body : '').get('Action');
  return `${request.hostname.startsWith('sts') ? 'STS' : 'IAM'} ${action ?? request.path}`;
}

/**
 * The AWS SDK's transport, on the connector kit's client: the SDK builds, signs and reads each request; the kit
 * sends it with the connector's timeouts, retries, throttling waits, redirect refusal, provenance and redaction, so
 * an AWS request behaves like every other source's. SDK retries are off (`maxAttempts: 1`): the kit's are the
 * ones that count and log. A failed answer becomes the kit's catalogued error, naming the operation.
 */
export class KitTransport {
  private readonly clients = new Map<string, HttpClient>();

  constructor(
    private readonly settings: RequestSettings,
    private readonly redact: Redactor,
    private readonly log: CollectorLogger,
    private readonly signal: AbortSignal | undefined,
    readonly recorder: RequestRecorder,
  ) {}

  async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    const origin = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
    const http = this.client(origin);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        ([name]) => !['host', 'content-length'].includes(name.toLowerCase()),
      ),
    );
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value ?? '']) query.append(name, item);
    }
    const what = operationName(request);
    const body =
      request.body === undefined || typeof request.body === 'string'
        ? request.body
        : new TextDecoder().decode(request.body as Uint8Array);
    const answer = await http.send({
      method: request.method as 'GET' | 'POST',
      url: `${request.path}${query.size > 0 ? `?${query}` : ''}`,
      headers,
      body,
      what,
    });
    if (answer.status < 200 || answer.status >= 300)
      throw http.error(answer, { method: request.method as 'POST', what });
    const responseHeaders: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    return {
      response: {
        statusCode: answer.status,
        headers: responseHeaders,
        body: Buffer.from(answer.text, 'utf8'),
      },
    };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  private client(origin: string): HttpClient {
    let http = this.clients.get(origin);
    if (!http) {
      http = new HttpClient({
        source: 'AWS',
        baseUrl: origin,
        headers: {},
        policy: this.settings,
        rateLimit: awsRateLimitRule,
        requestIdHeader: 'x-amzn-requestid',
        describeError: describeAwsError,
        hints: HINTS,
        redact: this.redact,
        log: this.log,
        signal: this.signal,
        recorder: this.recorder,
      });
      this.clients.set(origin, http);
    }
    return http;
  }
}

/** Runs one SDK call: the kit's catalogued errors pass through; anything else the SDK throws is named for people. */
export async function awsCall<T>(what: string, call: () => Promise<T>, redact: Redactor): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isCrosswalkError(error)) throw error;
    const name = (error as Error)?.name ?? 'Error';
    const message = redact(String((error as Error)?.message ?? error)).slice(0, 300);
    if (/Credential|Token|Signature/i.test(name)) {
      throw new CrosswalkError(
        'CW_SOURCE_AUTH',
        `AWS credentials could not be loaded for ${what}: ${message}`,
        { where: what },
      );
    }
    throw new CrosswalkError(
      'CW_SOURCE_DATA',
      `AWS answered ${what} with something the SDK could not read: ${name}`,
      {
        where: what,
      },
    );
  }
}

/**
 * One account's connection for one collection: SDK clients for IAM, CloudTrail and Identity Center on the kit's
 * transport, signed with the base credentials (the config's, or the SDK's own chain), or with the session an STS
 * AssumeRole into the account's role hands out, renewed before it expires.
 */
export class AwsSession {
  readonly recorder: RequestRecorder;
  readonly settings: RequestSettings;
  readonly redact: Redactor;
  private readonly transport: KitTransport;
  private readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;

  constructor(
    private readonly config: AwsConfig,
    readonly account: AwsAccount,
    options: { log: CollectorLogger; signal?: AbortSignal | undefined; recorder?: RequestRecorder },
  ) {
    this.settings = requestSettings(config);
    this.redact = createRedactor(configSecrets(config));
    this.recorder = options.recorder ?? new RequestRecorder();
    this.transport = new KitTransport(this.settings, this.redact, options.log, options.signal, this.recorder);
    const base = config.accessKey;
    this.credentials = account.roleArn ? this.assumedRole(account.roleArn, account.externalId) : base;
  }

  /** The account's label on records: its configured name, or its id. */
  get label(): string {
    return this.account.name ?? this.account.accountId;
  }

  iam(): IAMClient {
    return new IAMClient(this.clientOptions('us-east-1'));
  }

  cloudTrail(): CloudTrailClient {
    return new CloudTrailClient(this.clientOptions(this.config.region));
  }

  identityStore(region: string): IdentitystoreClient {
    return new IdentitystoreClient(this.clientOptions(region));
  }

  ssoAdmin(region: string): SSOAdminClient {
    return new SSOAdminClient(this.clientOptions(region));
  }

  call<T>(what: string, call: () => Promise<T>): Promise<T> {
    return awsCall(what, call, this.redact);
  }

  private clientOptions(region: string, credentials = this.credentials) {
    return {
      region,
      maxAttempts: 1,
      requestHandler: this.transport,
      ...(credentials ? { credentials } : {}),
      ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
    };
  }

  private assumedRole(roleArn: string, externalId: string | undefined): AwsCredentialIdentityProvider {
    let current: AwsCredentialIdentity | undefined;
    return async () => {
      // Renewed five minutes before the session ends, so a long snapshot never signs with an expired key.
      if (current?.expiration && current.expiration.getTime() - Date.now() > 300_000) return current;
      const sts = new STSClient(this.clientOptions(this.config.region, this.config.accessKey));
      const answer = await this.call(`STS AssumeRole ${roleArn}`, () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'crosswalk-evidence',
            ...(externalId ? { ExternalId: externalId } : {}),
          }),
        ),
      );
      const issued = answer.Credentials;
      if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
        throw new CrosswalkError('CW_SOURCE_AUTH', `STS AssumeRole into ${roleArn} gave no credentials`, {
          where: roleArn,
        });
      }
      current = {
        accessKeyId: issued.AccessKeyId,
        secretAccessKey: issued.SecretAccessKey,
        sessionToken: issued.SessionToken,
        expiration: issued.Expiration,
      };
      return current;
    };
  }
}
