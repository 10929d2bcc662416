import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { bamboohrConnector } from '../src/index.js';
import { configFor, type FakeBambooHr, SECRETS, startFake, throttled } from './helpers.js';

describeConformance<FakeBambooHr>({
  connector: bamboohrConnector,
  collector: 'terminations',
  start: () => startFake(),
  config: (fake, policy) => configFor(fake, { requests: policyRequests(policy) }),
  secrets: SECRETS,
  invalid: (fake) => [
    { config: configFor(fake, { baseUrl: 'not a url' }), path: 'baseUrl' },
    { config: configFor(fake, { companyDomain: 'acme.bamboohr.com' }), path: 'companyDomain' },
    { config: configFor(fake, { timeZone: 'Mars/Olympus' }), path: 'timeZone' },
    { config: configFor(fake, { timeZone: '+01:00' }), path: 'timeZone' },
    { config: configFor(fake, { apiKey: '' }), path: 'apiKey' },
    { config: configFor(fake, { requests: { retries: -1 } }), path: 'requests.retries' },
  ],
  requests: /^\/api\/v1\//,
  tooManyRequests: throttled(1),
  // BambooHR's lists come whole, with no page links; the nearest a source can come to sending the connector
  // elsewhere is a redirect to another host, which must be refused the same way.
  linkElsewhere: (fake) => {
    fake.redirectElsewhere = 'http://127.0.0.2:9';
  },
});
