import { defineConnector } from '@crosswalk/core';
import { credentialReport } from './collectors/credential-report.js';
import { iamChanges } from './collectors/iam-changes.js';
import { identityCenterSnapshot } from './collectors/identity-center.js';
import { usersSnapshot } from './collectors/users-snapshot.js';
import { awsConfigSchema } from './config.js';
import { awsKinds } from './kinds.js';
import { VERSION } from './version.js';

/**
 * The AWS IAM connector: per account, the credential report and the IAM users snapshot daily, IAM Identity
 * Center's users and permission-set assignments where configured, and IAM changes from CloudTrail as events; through the AWS SDK (its own credential chain, a role assumed per account) on the
 * connector kit's transport.
 * @example
 * const config = { type: 'aws', accounts: [{ accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/CrosswalkAudit' }] };
 * await runConnector({ connector: awsConnector, connectorId: 'aws', config, locker, trigger });
 */
export const awsConnector = defineConnector({
  type: 'aws',
  version: VERSION,
  title: 'AWS IAM',
  kinds: awsKinds,
  configSchema: awsConfigSchema,
  collectors: [credentialReport, usersSnapshot, identityCenterSnapshot, iamChanges],
});

export default awsConnector;

export { type AwsConfig, type AwsConfigInput, awsConfigSchema, parseAwsConfig } from './config.js';
export { parseCredentialReport } from './credential-report.js';
export { awsKinds } from './kinds.js';
export { VERSION } from './version.js';
