import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { oktaConnector } from '../src/index.js';
import { acme, configFor, type FakeOkta, rateLimited, startFake, TOKEN } from './helpers.js';

describeConformance<FakeOkta>({
  connector: oktaConnector,
  collector: 'users_snapshot',
  start: () => startFake(acme()),
  // Pages of two users, so the org's users are read over several pages by their Link headers. Okta's config
  // allows no timeout under a second, so the suite's short timeout is raised to that floor.
  config: (fake, policy) =>
    configFor(fake, {
      requests: policyRequests(
        { ...policy, timeoutMs: Math.max(policy.timeoutMs, 1_000) },
        { pageSize: 2 },
        'retryBaseDelayMs',
      ),
    }),
  secrets: [TOKEN],
  invalid: (fake) => [
    { config: configFor(fake, { orgUrl: 'not a url' }), path: 'orgUrl' },
    { config: configFor(fake, { auth: { kind: 'token' } as never }), path: 'auth.token' },
    { config: configFor(fake, { requests: { retries: -1 } }), path: 'requests.retries' },
  ],
  requests: /^\/api\/v1\//,
  tooManyRequests: rateLimited(1),
  linkElsewhere: (fake) => {
    fake.linkOrigin = 'http://evil.example';
  },
});
