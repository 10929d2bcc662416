import { connectorConfig, controlOwnerField, requestPolicyFields } from '@crosswalk/connector-kit';
import { secret, sourceUrl } from '@crosswalk/core';
import { z } from 'zod';

const requestsSchema = z
  .object({
    ...requestPolicyFields({
      maxRateLimitWaitSeconds: 120,
      retries: 4,
      timeoutMs: 30_000,
      timeoutCeilingMs: 300_000,
    }),
    /**
     * CloudTrail LookupEvents page size: 50 is the most the API serves (its `MaxResults` range is 1 to 50).
     * @defaultValue 50
     */
    lookupEventsPageSize: z.number().int().min(1).max(50).default(50),
    /**
     * IAM GetAccountAuthorizationDetails page size: 1,000 is the most (`MaxItems` 1 to 1,000).
     * @defaultValue 1000
     */
    authorizationDetailsPageSize: z.number().int().min(1).max(1000).default(1000),
    /**
     * How long to wait between GenerateCredentialReport calls while IAM writes the report, in milliseconds.
     * @defaultValue 2000
     */
    reportPollMs: z.number().int().min(1).max(60_000).default(2_000),
    /**
     * How long IAM may take to write the credential report before the run gives up (CW_SOURCE_UNAVAILABLE), in
     * seconds.
     * @defaultValue 300
     */
    reportMaxWaitSeconds: z.number().int().min(1).max(3_600).default(300),
  })
  .strict();

const accountSchema = z
  .object({
    /** The 12-digit AWS account id. */
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    /** A name people know the account by (`production`); stamped on its records. */
    name: z.string().trim().min(1).optional(),
    /**
     * The role to assume in this account (README, "IAM policy"); absent: the base credentials are this account's
     * own.
     */
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN')
      .optional(),
    /** The external id the role's trust policy requires, when it requires one. */
    externalId: z.string().min(2).max(1224).optional(),
  })
  .strict()
  .refine((a) => !a.roleArn || a.roleArn.split(':')[4] === a.accountId, {
    message: "the role's ARN must name the same account id",
    path: ['roleArn'],
  });

export const awsConfigSchema = z
  .object({
    type: z.literal('aws'),
    /**
     * The accounts to read. Each is read with the base credentials, or through the role it names (STS AssumeRole
     * with the base credentials).
     */
    accounts: z.array(accountSchema).min(1, 'must list at least one account'),
    /**
     * The region for STS, CloudTrail and IAM Identity Center. IAM is global and CloudTrail records its calls in
     * us-east-1, so that is where IAM change events are looked up.
     * @defaultValue us-east-1
     */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. us-east-1')
      .default('us-east-1'),
    /**
     * Base credentials. Absent: the AWS SDK's own credential chain (environment, shared config and SSO profiles,
     * web identity, container and instance roles), which is what a deployment on AWS should use.
     */
    accessKey: z
      .object({
        accessKeyId: z.string().regex(/^(AKIA|ASIA)[A-Z0-9]{12,124}$/, 'must be an AWS access key id'),
        secretAccessKey: secret(z.string().min(16, 'must be an AWS secret access key')),
        /** Present for temporary credentials only. */
        sessionToken: secret(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    /**
     * IAM Identity Center, where the organization uses it: its users and who holds which permission set in each
     * listed account. Read with the credentials of `account` (the management or delegated administrator account).
     */
    identityCenter: z
      .object({
        /** The account (one of `accounts`) whose credentials read Identity Center. */
        account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
        instanceArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/,
            'must be an SSO instance ARN',
          ),
        identityStoreId: z
          .string()
          .regex(/^d-[0-9a-f]{10}$|^[0-9a-f-]{1,36}$/, 'must be an identity store id'),
        /** Identity Center's home region. @defaultValue the connector's region */
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. eu-west-1')
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * For tests only: one loopback URL that answers for every service (the fake in src/sandbox). A real
     * deployment leaves it out and the SDK resolves AWS's own endpoints.
     */
    endpoint: sourceUrl({ example: 'http://127.0.0.1:4566', plainHttp: 'loopback', path: false })
      .refine((url) => /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(url), {
        message: 'is for tests only: a loopback http URL',
      })
      .optional(),
    controlOwner: controlOwnerField,
    requests: requestsSchema.optional(),
  })
  .strict()
  .superRefine((config, issues) => {
    if (
      config.identityCenter &&
      !config.accounts.some((a) => a.accountId === config.identityCenter!.account)
    ) {
      issues.addIssue({
        code: 'custom',
        path: ['identityCenter', 'account'],
        message: 'must be one of the configured accounts',
      });
    }
    const ids = config.accounts.map((a) => a.accountId);
    if (new Set(ids).size !== ids.length) {
      issues.addIssue({ code: 'custom', path: ['accounts'], message: 'lists an account twice' });
    }
  });

export type AwsConfigInput = z.input<typeof awsConfigSchema>;
export type AwsConfig = z.output<typeof awsConfigSchema>;
export type AwsAccount = AwsConfig['accounts'][number];
export type RequestSettings = z.output<typeof requestsSchema>;

const aws = connectorConfig('AWS', awsConfigSchema, requestsSchema);

/** Validates a config before any request is made: CW_CONFIG_INVALID naming every bad field, never a value. */
export const { parse: parseAwsConfig, requestSettings, secrets: configSecrets } = aws;
