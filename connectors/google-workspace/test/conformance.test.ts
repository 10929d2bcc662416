import { describeConformance, policyRequests } from '@crosswalk/connector-testkit';
import { googleWorkspaceConnector } from '../src/index.js';
import { acme, configFor, type FakeGoogleWorkspace, rateLimited, SECRETS, startFake } from './helpers.js';

describeConformance<FakeGoogleWorkspace>({
  connector: googleWorkspaceConnector,
  collector: 'users_snapshot',
  start: () => startFake(acme()),
  // Pages of two users, so the account's six users are read over three pages by their page tokens.
  config: (fake, policy) => configFor(fake, { requests: policyRequests(policy, { usersPageSize: 2 }) }),
  secrets: SECRETS,
  invalid: (fake) => [
    { config: configFor(fake, { baseUrl: 'not a url' }), path: 'baseUrl' },
    { config: configFor(fake, { customerId: 'acme' }), path: 'customerId' },
    {
      config: configFor(fake, { serviceAccountKey: '{"type":"authorized_user"}' }),
      path: 'serviceAccountKey',
    },
    {
      config: configFor(fake, {
        serviceAccountKey: JSON.parse(keyWith(fake, { token_uri: 'https://evil.example/token' })),
      }),
      path: 'serviceAccountKey.token_uri',
    },
    { config: configFor(fake, { requests: { retries: -1 } }), path: 'requests.retries' },
  ],
  requests: /^\/admin\//,
  tooManyRequests: rateLimited(1),
  // Google's lists page by token, never by link, so no answer can send the connector to another host; the nearest
  // fault a source can make is a token that loops, which must be refused the same way.
  linkElsewhere: (fake) => {
    fake.options.repeatPageTokens = true;
  },
});

function keyWith(fake: FakeGoogleWorkspace, overrides: Record<string, unknown>): string {
  return (configFor(fake).serviceAccountKey as string).replace(
    /"token_uri":"[^"]*"/,
    `"token_uri":"${String(overrides.token_uri)}"`,
  );
}
