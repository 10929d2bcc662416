import { describeConformance } from '@crosswalk/connector-testkit';
import { jiraConnector } from '../src/index.js';
import {
  API_TOKEN,
  acmeSite,
  configFor,
  EMAIL,
  type FakeJira,
  startFakeJira,
  tooManyRequests,
} from './helpers.js';

describeConformance<FakeJira>({
  connector: jiraConnector,
  collector: 'deprovisioning_tickets',
  start: () => startFakeJira(acmeSite()),
  // Changelog pages of 10, so the long history of IT-8 is read over several pages by its nextPage links.
  config: (fake, policy) => configFor(fake, { requests: { ...policy, changelogPageSize: 10 } }),
  secrets: [API_TOKEN, Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')],
  invalid: (fake) => [
    { config: configFor(fake, { siteUrl: 'not a url' }), path: 'siteUrl' },
    { config: configFor(fake, { auth: { kind: 'basic', email: EMAIL } as never }), path: 'auth.apiToken' },
    { config: configFor(fake, { requests: { retries: -1 } }), path: 'requests.retries' },
  ],
  requests: /^\/rest\/api\/3\//,
  tooManyRequests: tooManyRequests(1),
  linkElsewhere: (fake) => {
    fake.linkOrigin = 'http://evil.example';
  },
});
