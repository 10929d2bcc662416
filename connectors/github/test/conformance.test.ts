import { describeConformance } from '@crosswalk/connector-testkit';
import { githubConnector } from '../src/index.js';
import { type FakeGitHub, tooManyRequests } from '../src/sandbox/index.js';
import { acme, configFor, startFake, TOKEN } from './helpers.js';

describeConformance<FakeGitHub>({
  connector: githubConnector,
  collector: 'org_members',
  start: () => startFake(acme()),
  // Pages of one member, so the organization's members are read over several pages by their Link headers.
  config: (fake, policy) => configFor(fake, { requests: { ...policy, pageSize: 1, graphqlSpacingMs: 0 } }),
  secrets: [TOKEN],
  invalid: (fake) => [
    { config: configFor(fake, { baseUrl: 'not a url' }), path: 'baseUrl' },
    { config: configFor(fake, { auth: { kind: 'token' } as never }), path: 'auth.token' },
    { config: configFor(fake, { requests: { retries: -1 } }), path: 'requests.retries' },
  ],
  requests: /^\/orgs\//,
  tooManyRequests: tooManyRequests(1),
  linkElsewhere: (fake) => {
    fake.linkOrigin = 'http://evil.example';
  },
});
