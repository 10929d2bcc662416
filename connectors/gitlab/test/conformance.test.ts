import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { gitlabConnector } from '../src/index.js';
import { configFor, type FakeGitLab, SECRETS, startFake, throttled } from './helpers.js';

describeConformance<FakeGitLab>({
  connector: gitlabConnector,
  // Pages of two: the group's four members come over two pages.
  collector: 'group_members',
  start: () => startFake(),
  config: (fake, policy) => configFor(fake, { requests: policyRequests(policy, { pageSize: 2 }) }),
  secrets: SECRETS,
  invalid: (fake) => [
    { config: configFor(fake, { baseUrl: 'not a url' }), path: 'baseUrl' },
    { config: configFor(fake, { baseUrl: 'http://gitlab.example.com' }), path: 'baseUrl' },
    { config: configFor(fake, { group: 'https://gitlab.com/acme' }), path: 'group' },
    { config: configFor(fake, { projects: ['acme/../../etc'] }), path: 'projects.0' },
    { config: configFor(fake, { token: '' }), path: 'token' },
    { config: configFor(fake, { tier: 'gold' as 'premium' }), path: 'tier' },
    { config: configFor(fake, { requests: { pageSize: 500 } }), path: 'requests.pageSize' },
  ],
  requests: /^\/groups\/acme\/members/,
  tooManyRequests: throttled(1),
  linkElsewhere: (fake) => {
    fake.linkOrigin = 'http://127.0.0.2:9';
  },
});
