import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { entraConnector } from '../src/index.js';
import { CLIENT_SECRET, configFor, contoso, type FakeEntra, startFake, throttled } from './helpers.js';

describeConformance<FakeEntra>({
  connector: entraConnector,
  collector: 'users_snapshot',
  start: () => startFake(contoso()),
  // Pages of two, so users, registrations and role members are read over several pages by @odata.nextLink.
  config: (fake, policy) =>
    configFor(fake, { requests: policyRequests(policy, { pageSize: 2 }, 'retryBaseDelayMs') }),
  secrets: [CLIENT_SECRET],
  invalid: (fake) => [
    { config: configFor(fake, { graphUrl: 'not a url' }), path: 'graphUrl' },
    { config: configFor(fake, { tenantId: 'contoso tenant' }), path: 'tenantId' },
    { config: configFor(fake, { auth: { kind: 'secret', clientId: 'x' } as never }), path: 'auth.clientId' },
    { config: configFor(fake, { requests: { pageSize: 1000 } }), path: 'requests.pageSize' },
  ],
  requests: /^\/(users|reports|directoryRoles|auditLogs)\b/,
  tooManyRequests: throttled(1),
  linkElsewhere: (fake) => {
    fake.linkOrigin = 'http://evil.example';
  },
});
