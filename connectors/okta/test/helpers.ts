import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { collectorHarness } from '@crosswalk/connector-testkit';
import type { OktaConfig, OktaConfigInput } from '../src/config.js';
import { oktaConnector } from '../src/index.js';
import {
  app,
  authenticator,
  campaign,
  event,
  FakeOkta,
  type FakeOktaOptions,
  type FakeOrg,
  policy,
  rule,
  user,
  userEntity,
} from '../src/sandbox/index.js';

export * from '../src/sandbox/index.js';

/** Shaped like a real Okta API token (42 characters from `00`), so the shape-based scrubbing is exercised too. */
export const TOKEN = '00TestTokenThatMustNeverLeak0123456789abcd';
export const NOW = '2026-03-08T06:30:00.000Z';
export const WINDOW = { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' };

/** A service app's key pair: the private key goes in the config, the public key to the fake's token endpoint. */
export const SERVICE_APP = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    clientId: '0oaServiceApp0000001',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKeyJwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
})();

export const ALL_SCOPES = [
  'okta.policies.read',
  'okta.authenticators.read',
  'okta.logs.read',
  'okta.users.read',
  'okta.roles.read',
  'okta.apps.read',
  'okta.governance.accessCertifications.read',
];

export type { Collected, LogLine } from '@crosswalk/connector-testkit';
export { errorText } from '@crosswalk/connector-testkit';

/** Runs one collector with the test kit's harness, at the tests' fixed time and window. */
export const collect = collectorHarness<OktaConfig, OktaConfigInput>(oktaConnector, {
  now: NOW,
  window: WINDOW,
});

/** A config pointing at the fake, with loopback-friendly request settings (short backoff). */
export function configFor(fake: FakeOkta, overrides: Partial<OktaConfigInput> = {}): OktaConfigInput {
  return {
    type: 'okta',
    orgUrl: fake.url,
    auth: { kind: 'token', token: TOKEN },
    controlOwner: 'secops@acme.example',
    requests: { retryBaseDelayMs: 10, maxRateLimitWaitSeconds: 5 },
    ...overrides,
  };
}

export function oauthConfigFor(fake: FakeOkta, overrides: Partial<OktaConfigInput> = {}): OktaConfigInput {
  return configFor(fake, {
    auth: { kind: 'oauth', clientId: SERVICE_APP.clientId, privateKey: SERVICE_APP.privateKeyPem },
    ...overrides,
  });
}

export async function startFake(org: FakeOrg, options: Partial<FakeOktaOptions> = {}): Promise<FakeOkta> {
  return FakeOkta.start({
    org,
    token: TOKEN,
    oauth: { clientId: SERVICE_APP.clientId, publicKey: SERVICE_APP.publicKeyPem, grantedScopes: ALL_SCOPES },
    ...options,
  });
}

export const people = {
  carol: user('carol.admin@acme.example'),
  alice: user('alice.smith@acme.example'),
  bob: user('bob.jones@acme.example'),
  dave: user('dave.leaver@acme.example', {
    status: 'DEPROVISIONED',
    statusChanged: '2026-03-03T15:00:00.000Z',
  }),
  erin: user('erin.contractor@acme.example', {
    status: 'SUSPENDED',
    statusChanged: '2026-03-04T08:00:00.000Z',
  }),
  frank: user('frank.new@acme.example', { status: 'STAGED', activated: null, lastLogin: null }),
};

export const OKTA_SYSTEM = {
  id: '0oa1systemPrincipal0',
  type: 'SystemPrincipal',
  alternateId: 'system@okta.com',
  displayName: 'Okta System',
};

const at = (time: string) => `2026-03-${time}Z`;

/**
 * The org most tests use: six users (one deprovisioned, one suspended, one staged), an org admin, two apps, the four
 * policy types (one sign-on rule lets users in with a password alone), five authenticators, lifecycle and policy
 * events in and around the window, and three governance campaigns (one completed in the window, one still running,
 * one completed long before).
 */
export function acme(options: { governance?: boolean } = {}): FakeOrg {
  const { carol, alice, bob, dave, erin, frank } = people;
  const salesforce = app('salesforce', 'Salesforce', [
    { userId: alice.id, scope: 'USER' },
    { userId: bob.id, scope: 'USER' },
    { userId: carol.id, scope: 'USER' },
  ]);
  const github = app('github_enterprise', 'GitHub Enterprise', [
    { userId: alice.id, scope: 'USER' },
    { userId: bob.id, scope: 'GROUP' },
  ]);

  const signOn = policy(
    'OKTA_SIGN_ON',
    'Default Policy',
    [
      rule('MFA everywhere', 'SIGN_ON', {
        signon: {
          access: 'ALLOW',
          requireFactor: true,
          factorPromptMode: 'ALWAYS',
          primaryFactor: 'PASSWORD_IDP_ANY_FACTOR',
        },
      }),
      rule(
        'Office network',
        'SIGN_ON',
        { signon: { access: 'ALLOW', requireFactor: false, primaryFactor: 'PASSWORD_IDP' } },
        {
          priority: 2,
          conditions: { network: { connection: 'ZONE', include: ['nzo1officeZone000001'] } },
        },
      ),
    ],
    { system: true, lastUpdated: '2026-03-02T10:00:00.000Z' },
  );
  const access = policy(
    'ACCESS_POLICY',
    'Any two factors',
    [
      rule(
        'Require 2FA',
        'ACCESS_POLICY',
        {
          appSignOn: {
            access: 'ALLOW',
            verificationMethod: {
              factorMode: '2FA',
              type: 'ASSURANCE',
              reauthenticateIn: 'PT2H',
              constraints: [],
            },
          },
        },
        { lastUpdated: '2026-03-04T11:00:00.000Z' },
      ),
      rule(
        'Catch-all Rule',
        'ACCESS_POLICY',
        {
          appSignOn: {
            access: 'DENY',
            verificationMethod: {
              factorMode: '2FA',
              type: 'ASSURANCE',
              reauthenticateIn: 'PT2H',
              constraints: [],
            },
          },
        },
        {
          priority: 99,
          system: true,
          conditions: null,
        },
      ),
    ],
    { conditions: null },
  );
  const password = policy(
    'PASSWORD',
    'Default Password Policy',
    [
      rule(
        'Default Rule',
        'PASSWORD',
        {
          passwordChange: { access: 'ALLOW' },
          selfServicePasswordReset: { access: 'ALLOW' },
          selfServiceUnlock: { access: 'DENY' },
        },
        { system: true },
      ),
    ],
    {
      system: true,
      settings: {
        password: {
          complexity: {
            minLength: 12,
            minLowerCase: 1,
            minUpperCase: 1,
            minNumber: 1,
            minSymbol: 1,
            excludeUsername: true,
          },
          age: { maxAgeDays: 0, expireWarnDays: 0, minAgeMinutes: 0, historyCount: 4 },
          lockout: { maxAttempts: 10, autoUnlockMinutes: 0, showLockoutFailures: false },
        },
      },
    },
  );
  const enrollment = policy(
    'MFA_ENROLL',
    'Default MFA enrollment',
    [rule('Default Rule', 'MFA_ENROLL', { enroll: { self: 'CHALLENGE' } }, { system: true })],
    {
      system: true,
      settings: {
        type: 'AUTHENTICATORS',
        authenticators: [
          { key: 'okta_verify', enroll: { self: 'REQUIRED' } },
          { key: 'webauthn', enroll: { self: 'OPTIONAL' } },
          { key: 'phone_number', enroll: { self: 'NOT_ALLOWED' } },
        ],
      },
    },
  );

  const accessRule = access.rules[0]!;
  return {
    users: [carol, alice, bob, dave, erin, frank],
    adminRoles: {
      [carol.id]: [
        { type: 'SUPER_ADMIN', label: 'Super Administrator', assignmentType: 'USER' },
        { type: 'ORG_ADMIN', label: 'Organization Administrator', assignmentType: 'GROUP' },
      ],
      [bob.id]: [{ type: 'READ_ONLY_ADMIN', label: 'Read-only Administrator', assignmentType: 'USER' }],
    },
    apps: [salesforce, github],
    policies: [signOn, access, password, enrollment],
    authenticators: [
      authenticator('okta_email', 'Email', 'email'),
      authenticator('okta_password', 'Password', 'password'),
      authenticator('okta_verify', 'Okta Verify', 'app'),
      authenticator('webauthn', 'Security Key or Biometric', 'security_key'),
      authenticator('phone_number', 'Phone', 'phone', { status: 'INACTIVE' }),
    ],
    events: [
      event('user.lifecycle.create', at('02T09:00:00.000'), userEntity(carol), [userEntity(frank)]),
      event('user.lifecycle.activate', at('02T09:30:00.000'), userEntity(carol), [userEntity(bob)]),
      event('policy.lifecycle.update', at('02T10:00:00.000'), userEntity(carol), [
        { id: signOn.id, type: 'PolicyEntity', alternateId: 'unknown', displayName: signOn.name },
      ]),
      event('user.lifecycle.deactivate', at('03T15:00:00.000'), userEntity(carol), [userEntity(dave)]),
      event('application.user_membership.remove', at('03T15:05:00.000'), userEntity(carol), [
        { id: salesforce.id, type: 'AppInstance', alternateId: 'Salesforce', displayName: 'Salesforce' },
        userEntity(dave),
      ]),
      event('user.lifecycle.suspend', at('04T08:00:00.000'), OKTA_SYSTEM, [userEntity(erin)]),
      event('policy.rule.update', at('04T11:00:00.000'), userEntity(carol), [
        { id: accessRule.id, type: 'PolicyRule', alternateId: 'unknown', displayName: accessRule.name },
        { id: access.id, type: 'PolicyEntity', alternateId: 'unknown', displayName: access.name },
      ]),
      event('user.session.start', at('05T08:00:00.000'), userEntity(alice), [userEntity(alice)]),
      // After the window: read on a later run, not this one.
      event('user.lifecycle.deactivate', at('09T10:00:00.000'), userEntity(carol), [userEntity(erin)]),
    ],
    governance:
      options.governance === false
        ? null
        : {
            campaigns: [
              campaign(
                'Q1 Salesforce access review',
                'COMPLETED',
                '2026-02-20T00:00:00.000Z',
                '2026-03-04T16:00:00.000-08:00',
                carol,
                [
                  {
                    principal: alice,
                    reviewer: carol,
                    decision: 'APPROVE',
                    decided: '2026-02-25T10:00:00.000Z',
                    remediationStatus: 'NONE',
                  },
                  {
                    principal: bob,
                    reviewer: carol,
                    decision: 'REVOKE',
                    decided: '2026-02-26T10:00:00.000Z',
                    remediationStatus: 'SUCCESS',
                  },
                  {
                    principal: dave,
                    reviewer: carol,
                    decision: 'REVOKE',
                    decided: '2026-02-27T10:00:00.000Z',
                    remediationStatus: 'OPEN',
                  },
                  {
                    principal: erin,
                    reviewer: carol,
                    decision: 'UNREVIEWED',
                    decided: null,
                    remediationStatus: 'NONE',
                  },
                ],
              ),
              campaign(
                'Q1 GitHub access review',
                'ACTIVE',
                '2026-03-01T00:00:00.000Z',
                '2026-03-20T00:00:00.000Z',
                carol,
                [
                  {
                    principal: alice,
                    reviewer: carol,
                    decision: 'UNREVIEWED',
                    decided: null,
                    remediationStatus: 'NONE',
                  },
                ],
              ),
              campaign(
                'Q4 Salesforce access review',
                'COMPLETED',
                '2025-12-01T00:00:00.000Z',
                '2025-12-20T00:00:00.000Z',
                carol,
                [
                  {
                    principal: alice,
                    reviewer: carol,
                    decision: 'APPROVE',
                    decided: '2025-12-05T10:00:00.000Z',
                    remediationStatus: 'NONE',
                  },
                ],
              ),
            ],
          },
  };
}

/** `count` lifecycle events spread evenly over the window, for paging tests and the benchmark. */
export function manyLifecycleEvents(count: number, window = WINDOW): FakeOrg {
  const { carol } = people;
  const since = Date.parse(window.since);
  const span = Date.parse(window.until) - since;
  const types = [
    'user.lifecycle.deactivate',
    'user.lifecycle.suspend',
    'user.lifecycle.activate',
    'user.lifecycle.create',
  ];
  const base = acme({ governance: false });
  return {
    ...base,
    events: Array.from({ length: count }, (_, index) => {
      const subject = user(`user${index}@acme.example`);
      const published = new Date(since + Math.floor(((index + 0.5) * span) / count)).toISOString();
      return event(types[index % types.length]!, published, userEntity(carol), [userEntity(subject)]);
    }),
  };
}

/** Okta's documented event hook delivery, with its documented deactivation event (test/fixtures/SOURCE.md). */
// biome-ignore lint/suspicious/noExplicitAny: the payload is edited field by field
export function eventHookExample(): Record<string, any> {
  return JSON.parse(readFileSync(new URL('./fixtures/event-hook-deactivate.json', import.meta.url), 'utf8'));
}

/** The uuid of the user.lifecycle.deactivate event in Okta's documented event hook delivery. */
export const EVENT_HOOK_DEACTIVATION = 'ab62c0bc-2837-11eb-9823-9fb8f750c5a9';

/**
 * A loopback org whose System Log holds the deactivation Okta's documented event hook delivery announces (same
 * uuid, time, type and people), and another deactivation in the same millisecond that the hook does not announce.
 */
export function eventHookOrg(): FakeOrg {
  const trainer = user('okta.trainer@okta.com', {
    id: '00u2di94bAMSEPvAY1d6',
    firstName: 'Okta',
    lastName: 'Trainer',
  });
  const john = user('johndoet@doesnotexist.com', {
    id: '00u3m90rxKjGQ0G6L1d6',
    firstName: 'John',
    lastName: 'Doe',
  });
  const other = user('someone.else@acme.example');
  const at = '2020-11-16T18:15:12.862Z';
  return {
    users: [trainer, john, other],
    adminRoles: {},
    apps: [],
    policies: [],
    authenticators: [],
    events: [
      event('user.lifecycle.deactivate', at, userEntity(trainer), [userEntity(john)], {
        uuid: EVENT_HOOK_DEACTIVATION,
      }),
      event('user.lifecycle.deactivate', at, userEntity(trainer), [userEntity(other)]),
    ],
    governance: null,
  };
}
