/**
 * AWS on loopback, one endpoint for every service the connector calls, each in its own protocol: IAM (awsQuery:
 * form-encoded requests, XML answers) and STS's AssumeRole, CloudTrail, the identity store and sso-admin (awsJson1_1:
 * `X-Amz-Target`, JSON both ways). The service is the one the request is signed for (SigV4's credential scope), the
 * account the one the access key belongs to: the configured key opens the first account, AssumeRole into a role of
 * another account hands out a session key for that account. Every request is read back through its operation's
 * input shape and every answer checked against its output shape in AWS's published models (smithy.ts); what does
 * not match is collected in `violations`, which the tests require to stay empty.
 */
import { FakeApi, type FakeRequest, type Fault } from '@crosswalk/sandbox';
import { credentialReportCsv, type FakeAccount, type FakeIamUser, type FakeOrganization } from './model.js';
import { type ModelName, type ShapeValue, SmithyModel, smithyModel } from './smithy.js';

export type { Fault, ReceivedRequest } from '@crosswalk/sandbox';
export * from './model.js';
export { gitBlobId, MODEL_FILES, type ModelName, modelBytes, SmithyModel, smithyModel } from './smithy.js';

export interface FakeAwsOptions {
  organization: FakeOrganization;
  /** The static key the connector is configured with; it opens the first account. */
  accessKeyId: string;
  /** Check requests and answers against the models (on by default). */
  validate?: boolean;
}

/** A service error in the service's own terms: its code (the model's error shape name) and message. */
export class AwsFault {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

const QUERY_SERVICES: Record<string, ModelName | 'sts'> = { iam: 'iam', sts: 'sts' };
const JSON_SERVICES: Record<string, { model: ModelName; prefix: string }> = {
  cloudtrail: { model: 'cloudtrail', prefix: 'CloudTrail_20131101' },
  identitystore: { model: 'identitystore', prefix: 'AWSIdentityStore' },
  sso: { model: 'ssoAdmin', prefix: 'SWBExternalService' },
};

/** Errors AWS documents for every action of a service, beside each operation's own. */
const COMMON_ERRORS = [
  'AccessDenied',
  'InvalidAction',
  'InvalidClientTokenId',
  'Throttling',
  'ThrottlingException',
  'UnrecognizedClientException',
  'ValidationError',
];

interface Call {
  service: string;
  action: string;
  model: SmithyModel | undefined;
  protocol: 'query' | 'json';
  account: FakeAccount;
  input: Record<string, unknown>;
}

/** AWS's throttling answer: 400 with the Throttling code (IAM), or 429 (the JSON services behind API Gateway). */
export function throttled(status: 400 | 429 = 400): Omit<Fault, 'path'> {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: SmithyModel.queryErrorXml('Throttling', 'Rate exceeded', 'throttled'),
  };
}

export class FakeAws extends FakeApi {
  /** Answer every request with a redirect to another host, as a hijacked endpoint would. */
  redirectElsewhere: string | undefined;
  /** Session keys handed out by AssumeRole -> the account they open. */
  readonly sessions = new Map<string, { accountId: string; roleArn: string; externalId: string | null }>();
  private readonly calls = new WeakMap<FakeRequest, Call>();
  private readonly reportPolls = new Map<string, number>();

  private constructor(readonly options: FakeAwsOptions) {
    super('', 'x-amzn-requestid');
  }

  static async start(options: FakeAwsOptions): Promise<FakeAws> {
    return new FakeAws(options).listen();
  }

  get organization(): FakeOrganization {
    return this.options.organization;
  }

  /** The requests made to one operation (`iam:GetCredentialReport`, `cloudtrail:LookupEvents`). */
  calledFor(operation: string): number {
    return this.requests.filter((r) => operationOf(r.headers, r.body) === operation).length;
  }

  protected override requestId(n: number): string {
    return `${process.pid.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  protected override checkAnswer(request: FakeRequest, status: number, body: unknown): string[] {
    const call = this.calls.get(request);
    if (this.options.validate === false || !call?.model) return [];
    const operation = call.model.operation(call.action)!;
    if (body instanceof AwsFault) {
      const known = [...operation.errors, ...COMMON_ERRORS];
      return known.includes(body.code)
        ? []
        : [`${call.service} ${call.action}: the model names no error ${body.code}`];
    }
    if (status !== 200) return [`${call.service} ${call.action}: answered ${status} without an error shape`];
    return call.model.check(operation.output, body, `${call.service} ${call.action} answer`);
  }

  protected override encode(request: FakeRequest, body: unknown, requestId: string): string {
    const call = this.calls.get(request);
    if (body instanceof AwsFault) {
      return call?.protocol === 'json'
        ? JSON.stringify({ __type: body.code, message: body.message })
        : SmithyModel.queryErrorXml(body.code, body.message, requestId);
    }
    if (typeof body === 'string' || !call) return typeof body === 'string' ? body : JSON.stringify(body);
    if (call.service === 'sts') return stsXml(body as StsCredentials, requestId);
    const operation = call.model!.operation(call.action)!;
    return call.protocol === 'query'
      ? call.model!.queryResponseXml(call.action, body, requestId)
      : JSON.stringify(call.model!.toJson(operation.output, body));
  }

  protected override route(context: FakeRequest) {
    if (this.redirectElsewhere) {
      return this.send(context, 307, undefined, {
        location: `${this.redirectElsewhere}${context.url.pathname}`,
      });
    }
    const scope = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(
      context.request.headers.authorization ?? '',
    );
    const service = scope?.[2] ?? '';
    const protocol = service in JSON_SERVICES ? 'json' : 'query';
    const action =
      protocol === 'json'
        ? (String(context.request.headers['x-amz-target'] ?? '').split('.')[1] ?? '')
        : (new URLSearchParams(String(context.body ?? '')).get('Action') ?? '');
    const account = scope ? this.accountFor(scope[1]!) : undefined;
    const modelName = protocol === 'json' ? JSON_SERVICES[service]?.model : QUERY_SERVICES[service];
    const model = modelName && modelName !== 'sts' ? smithyModel(modelName) : undefined;
    const call: Call = { service, action, model, protocol, account: account!, input: {} };
    this.calls.set(context, call);
    context.operation = `${service}:${action}`;
    const headers = { 'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'text/xml' };
    if (!account) {
      const code = protocol === 'json' ? 'UnrecognizedClientException' : 'InvalidClientTokenId';
      return this.send(
        context,
        403,
        new AwsFault(code, 'The security token included in the request is invalid.'),
        headers,
      );
    }
    if (!modelName || (model && !model.operation(action))) {
      return this.send(
        context,
        400,
        new AwsFault('InvalidAction', `Could not find operation ${action}`),
        headers,
      );
    }
    const problems = this.readInput(context, call);
    if (problems.length > 0) {
      this.violations.push(...problems);
      return this.send(context, 400, new AwsFault('ValidationError', problems.join('; ')), headers);
    }
    const answer = this.answer(call);
    if (answer instanceof AwsFault) return this.send(context, 400, answer, headers);
    return this.send(context, 200, answer, headers);
  }

  private readInput(context: FakeRequest, call: Call): string[] {
    if (call.protocol === 'query') {
      const form = new URLSearchParams(String(context.body ?? ''));
      if (!call.model) {
        call.input = Object.fromEntries(form);
        return [];
      }
      const problems: string[] = [];
      if (form.get('Version') !== call.model.version)
        problems.push(`${call.service} ${call.action}: Version must be ${call.model.version}`);
      const { value, problems: fields } = call.model.fromQuery(
        call.model.operation(call.action)!.input,
        form,
      );
      call.input = value;
      if (this.options.validate === false) return problems;
      return [
        ...problems,
        ...fields,
        ...call.model.check(
          call.model.operation(call.action)!.input,
          value,
          `${call.service} ${call.action} request`,
        ),
      ];
    }
    call.input = (context.body ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (context.request.headers['content-type'] !== 'application/x-amz-json-1.1')
      problems.push(`${call.service} ${call.action}: content-type must be application/x-amz-json-1.1`);
    const target = String(context.request.headers['x-amz-target'] ?? '');
    if (!target.startsWith(`${JSON_SERVICES[call.service]!.prefix}.`))
      problems.push(
        `${call.service} ${call.action}: X-Amz-Target must start with ${JSON_SERVICES[call.service]!.prefix}`,
      );
    if (this.options.validate === false) return problems;
    const input = call.model!.operation(call.action)!.input;
    return [
      ...problems,
      ...call.model!.check(input, call.input, `${call.service} ${call.action} request`, 'json'),
    ];
  }

  private accountFor(accessKeyId: string): FakeAccount | undefined {
    const accounts = this.organization.accounts;
    if (accessKeyId === this.options.accessKeyId) return accounts[0];
    const session = this.sessions.get(accessKeyId);
    return session ? accounts.find((a) => a.accountId === session.accountId) : undefined;
  }

  private answer(call: Call): ShapeValue | AwsFault {
    const handler = ANSWERS[`${call.service}:${call.action}`];
    if (!handler)
      return new AwsFault('InvalidAction', `the fake does not serve ${call.service}:${call.action}`);
    return handler.call(this, call);
  }

  /** @internal STS AssumeRole: a role of a known account, a session key for it. */
  assumeRole(call: Call): StsCredentials | AwsFault {
    const roleArn = String(call.input.RoleArn ?? '');
    const accountId = /^arn:aws:iam::(\d{12}):role\/.+$/.exec(roleArn)?.[1];
    if (!accountId || !this.organization.accounts.some((a) => a.accountId === accountId)) {
      return new AwsFault('AccessDenied', `not authorized to perform sts:AssumeRole on ${roleArn}`);
    }
    const key = `ASIA${(this.sessions.size + 1).toString().padStart(16, '0')}`;
    this.sessions.set(key, {
      accountId,
      roleArn,
      externalId: call.input.ExternalId ? String(call.input.ExternalId) : null,
    });
    return {
      accessKeyId: key,
      secretAccessKey: `session-secret-${this.sessions.size}`,
      sessionToken: `session-token-${this.sessions.size}`,
      expiration: new Date(Date.now() + 3_600_000),
      roleArn,
      sessionName: String(call.input.RoleSessionName ?? ''),
    };
  }

  /** @internal */
  generateReport(call: Call): ShapeValue {
    const polls = (this.reportPolls.get(call.account.accountId) ?? 0) + 1;
    this.reportPolls.set(call.account.accountId, polls);
    const needed = call.account.reportPolls ?? 0;
    const state = polls > needed ? 'COMPLETE' : polls === 1 ? 'STARTED' : 'INPROGRESS';
    return {
      State: state,
      Description:
        state === 'COMPLETE' ? undefined : 'No report exists. Starting a new report generation task',
    };
  }

  /** @internal */
  getReport(call: Call): ShapeValue | AwsFault {
    if ((this.reportPolls.get(call.account.accountId) ?? 0) <= (call.account.reportPolls ?? 0)) {
      return new AwsFault('ReportInProgress', 'Report generation in progress.');
    }
    const csv = call.account.reportCsv ?? credentialReportCsv(call.account);
    return {
      Content: Buffer.from(csv, 'utf8'),
      ReportFormat: 'text/csv',
      GeneratedTime: new Date(call.account.reportGeneratedAt ?? Date.now()),
    };
  }
}

interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  roleArn: string;
  sessionName: string;
}

/** STS's AssumeRole answer. AWS's STS model is not among the stored descriptions: the SDK's parser is the check. */
function stsXml(credentials: StsCredentials, requestId: string): string {
  const accountId = credentials.roleArn.split(':')[4];
  const role = credentials.roleArn.split('/').slice(1).join('/');
  return (
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
    `<AssumedRoleUser><AssumedRoleId>AROA0000000000000000:${credentials.sessionName}</AssumedRoleId>` +
    `<Arn>arn:aws:sts::${accountId}:assumed-role/${role}/${credentials.sessionName}</Arn></AssumedRoleUser>` +
    `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId>` +
    `<SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${credentials.sessionToken}</SessionToken>` +
    `<Expiration>${credentials.expiration.toISOString()}</Expiration></Credentials>` +
    `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

/** The operation a logged request called, as `service:Action`. */
export function operationOf(headers: Record<string, unknown>, body: unknown): string {
  const scope = /\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(headers.authorization ?? ''));
  const service = scope?.[1] ?? '';
  const target = headers['x-amz-target'];
  const action = target
    ? String(target).split('.')[1]
    : new URLSearchParams(String(body ?? '')).get('Action');
  return `${service}:${action ?? ''}`;
}

/** A page of a list by an opaque token: the offset, bound to the request's other parameters. */
function page<T>(items: T[], input: Record<string, unknown>, token: unknown, size: number) {
  const binding = JSON.stringify({ ...input, NextToken: undefined, Marker: undefined });
  let start = 0;
  if (typeof token === 'string' && token !== '') {
    const [offset, bound] = Buffer.from(token, 'base64').toString('utf8').split('|');
    if (bound !== Buffer.from(binding).toString('base64')) return undefined;
    start = Number(offset);
  }
  const end = start + size;
  const nextToken =
    end < items.length
      ? Buffer.from(`${end}|${Buffer.from(binding).toString('base64')}`).toString('base64')
      : undefined;
  return { items: items.slice(start, end), nextToken };
}

const badToken = (code: string) => new AwsFault(code, 'The token is not valid for this request.');

function userDetail(account: FakeAccount, user: FakeIamUser) {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: `arn:aws:iam::${account.accountId}:user${user.path}${user.name}`,
    CreateDate: new Date(user.createdAt),
    GroupList: user.groups,
    AttachedManagedPolicies: user.policies.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    UserPolicyList: [],
  };
}

const ANSWERS: Record<string, (this: FakeAws, call: Call) => ShapeValue | AwsFault> = {
  'sts:AssumeRole'(call) {
    return this.assumeRole(call);
  },
  'iam:GenerateCredentialReport'(call) {
    return this.generateReport(call);
  },
  'iam:GetCredentialReport'(call) {
    return this.getReport(call);
  },
  'iam:GetAccountSummary'(call) {
    const a = call.account;
    return {
      SummaryMap: {
        Users: a.users.length,
        Groups: a.groups.length,
        AccountMFAEnabled: a.root.mfa ? 1 : 0,
        AccountAccessKeysPresent: a.root.keys.length > 0 ? 1 : 0,
        MFADevicesInUse: a.users.filter((u) => u.mfa).length + (a.root.mfa ? 1 : 0),
      },
    };
  },
  'iam:GetAccountAuthorizationDetails'(call) {
    const filter = (call.input.Filter as string[] | undefined) ?? [
      'User',
      'Group',
      'Role',
      'LocalManagedPolicy',
      'AWSManagedPolicy',
    ];
    const a = call.account;
    const entities = [
      ...(filter.includes('User') ? a.users.map((u) => ({ user: u })) : []),
      ...(filter.includes('Group') ? a.groups.map((g) => ({ group: g })) : []),
    ];
    const listed = page(entities, call.input, call.input.Marker, Number(call.input.MaxItems ?? 100));
    if (!listed) return badToken('InvalidInput');
    return {
      UserDetailList: listed.items.flatMap((e) => ('user' in e ? [userDetail(a, e.user)] : [])),
      GroupDetailList: listed.items.flatMap((e) =>
        'group' in e
          ? [
              {
                Path: '/',
                GroupName: e.group.name,
                GroupId: e.group.id,
                Arn: `arn:aws:iam::${a.accountId}:group/${e.group.name}`,
                CreateDate: new Date(e.group.createdAt),
                AttachedManagedPolicies: e.group.policies.map((p) => ({
                  PolicyName: p.name,
                  PolicyArn: p.arn,
                })),
                GroupPolicyList: [],
              },
            ]
          : [],
      ),
      IsTruncated: listed.nextToken !== undefined,
      Marker: listed.nextToken,
    };
  },
  'cloudtrail:LookupEvents'(call) {
    const input = call.input;
    const attributes =
      (input.LookupAttributes as { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
    if (attributes.length > 1)
      return new AwsFault('InvalidLookupAttributesException', 'Only one lookup attribute is allowed.');
    const start = typeof input.StartTime === 'number' ? input.StartTime * 1000 : 0;
    const end = typeof input.EndTime === 'number' ? input.EndTime * 1000 : Date.now();
    if (start > end) return new AwsFault('InvalidTimeRangeException', 'StartTime is after EndTime.');
    const [attribute] = attributes;
    const matching = call.account.events
      .filter((e) => {
        const at = Date.parse(e.time);
        if (at < start || at > end) return false;
        if (!attribute) return true;
        if (attribute.AttributeKey === 'EventSource') return attribute.AttributeValue === 'iam.amazonaws.com';
        if (attribute.AttributeKey === 'EventName') return attribute.AttributeValue === e.name;
        return false;
      })
      // CloudTrail lists the newest first.
      .sort((x, y) => y.time.localeCompare(x.time) || y.id.localeCompare(x.id));
    const listed = page(matching, input, input.NextToken, Number(input.MaxResults ?? 50));
    if (!listed) return badToken('InvalidNextTokenException');
    return {
      Events: listed.items.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        ReadOnly: 'false',
        EventTime: new Date(e.time),
        EventSource: 'iam.amazonaws.com',
        Username: String(
          e.identity.userName ??
            String(e.identity.arn ?? '')
              .split('/')
              .pop(),
        ),
        Resources: (e.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
        CloudTrailEvent: JSON.stringify({
          eventVersion: '1.09',
          userIdentity: e.identity,
          eventTime: new Date(e.time).toISOString().replace('.000Z', 'Z'),
          eventSource: 'iam.amazonaws.com',
          eventName: e.name,
          awsRegion: 'us-east-1',
          sourceIPAddress: '198.51.100.7',
          userAgent: 'aws-cli/2.15.0',
          ...(e.errorCode ? { errorCode: e.errorCode, errorMessage: 'denied' } : {}),
          requestParameters: e.requestParameters,
          responseElements: null,
          requestID: `${e.id}-request`,
          eventID: e.id,
          readOnly: false,
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: call.account.accountId,
          eventCategory: 'Management',
        }),
      })),
      NextToken: listed.nextToken,
    };
  },
  'identitystore:ListUsers'(call) {
    const center = this.organization.identityCenter;
    if (!center || call.input.IdentityStoreId !== center.identityStoreId) {
      return new AwsFault('ResourceNotFoundException', 'Identity store not found.');
    }
    const listed = page(center.users, call.input, call.input.NextToken, Number(call.input.MaxResults ?? 100));
    if (!listed) return badToken('ValidationException');
    return {
      Users: listed.items.map((u) => ({
        IdentityStoreId: center.identityStoreId,
        UserId: u.id,
        UserName: u.userName,
        DisplayName: u.displayName,
        Emails: [{ Value: u.email, Type: 'work', Primary: true }],
      })),
      NextToken: listed.nextToken,
    };
  },
  'sso:ListPermissionSetsProvisionedToAccount'(call) {
    const center = this.organization.identityCenter;
    if (!center || call.input.InstanceArn !== center.instanceArn)
      return new AwsFault('ResourceNotFoundException', 'Instance not found.');
    const arns = [
      ...new Set(
        center.assignments.filter((a) => a.accountId === call.input.AccountId).map((a) => a.permissionSetArn),
      ),
    ];
    const listed = page(arns, call.input, call.input.NextToken, Number(call.input.MaxResults ?? 100));
    if (!listed) return badToken('ValidationException');
    return { PermissionSets: listed.items, NextToken: listed.nextToken };
  },
  'sso:DescribePermissionSet'(call) {
    const set = this.organization.identityCenter?.permissionSets.find(
      (p) => p.arn === call.input.PermissionSetArn,
    );
    if (!set) return new AwsFault('ResourceNotFoundException', 'Permission set not found.');
    return {
      PermissionSet: {
        Name: set.name,
        PermissionSetArn: set.arn,
        SessionDuration: set.sessionDuration,
        CreatedDate: new Date('2024-01-15T12:00:00Z'),
      },
    };
  },
  'sso:ListAccountAssignments'(call) {
    const center = this.organization.identityCenter;
    if (!center || call.input.InstanceArn !== center.instanceArn)
      return new AwsFault('ResourceNotFoundException', 'Instance not found.');
    const held = center.assignments.filter(
      (a) => a.accountId === call.input.AccountId && a.permissionSetArn === call.input.PermissionSetArn,
    );
    const listed = page(held, call.input, call.input.NextToken, Number(call.input.MaxResults ?? 100));
    if (!listed) return badToken('ValidationException');
    return {
      AccountAssignments: listed.items.map((a) => ({
        AccountId: a.accountId,
        PermissionSetArn: a.permissionSetArn,
        PrincipalType: a.principalType,
        PrincipalId: a.principalId,
      })),
      NextToken: listed.nextToken,
    };
  },
};
