import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { awsConnector } from '../src/index.js';
import { ACCESS_KEY_ID, configFor, type FakeAws, SECRETS, STAGING, startFake, throttled } from './helpers.js';

describeConformance<FakeAws>({
  connector: awsConnector,
  // CloudTrail pages by NextToken; two events a page makes the known history take several pages.
  collector: 'iam_changes',
  start: () => startFake(),
  config: (fake, policy) =>
    configFor(fake, { requests: policyRequests(policy, { lookupEventsPageSize: 2 }) }),
  secrets: SECRETS,
  invalid: (fake) => [
    { config: configFor(fake, { endpoint: 'https://cloudtrail.us-east-1.amazonaws.com' }), path: 'endpoint' },
    { config: configFor(fake, { accounts: [] }), path: 'accounts' },
    { config: configFor(fake, { accounts: [{ accountId: '12345' }] }), path: 'accounts.0.accountId' },
    {
      config: configFor(fake, {
        accounts: [{ accountId: STAGING, roleArn: 'arn:aws:iam::999999999999:role/CrosswalkAudit' }],
      }),
      path: 'accounts.0.roleArn',
    },
    { config: configFor(fake, { region: 'moon-1' }), path: 'region' },
    {
      config: configFor(fake, { accessKey: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'short' } }),
      path: 'accessKey.secretAccessKey',
    },
    {
      config: configFor(fake, { requests: { lookupEventsPageSize: 51 } }),
      path: 'requests.lookupEventsPageSize',
    },
  ],
  requests: /^\/$/,
  tooManyRequests: throttled(429),
  // AWS pages by tokens, not links; the nearest an endpoint can come to sending the connector elsewhere is a
  // redirect to another host, which must be refused the same way.
  linkElsewhere: (fake) => {
    fake.redirectElsewhere = 'http://127.0.0.2:9';
  },
});
