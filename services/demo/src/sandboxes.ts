/**
 * The six sandboxes on loopback, serving Northwind's year: each answers in its vendor's real shapes and checks
 * every answer against the vendor's API description, and the connector configs that point at them. The tokens are
 * the sandboxes' own: nothing here reaches a real service.
 */
import { generateKeyPairSync } from 'node:crypto';
import { FakeBambooHr } from '@crosswalk/connector-bamboohr/sandbox';
import { FakeEntra } from '@crosswalk/connector-entra/sandbox';
import { FakeGitHub } from '@crosswalk/connector-github/sandbox';
import { COLLECTOR_SCOPES } from '@crosswalk/connector-google-workspace';
import { FakeGoogleWorkspace } from '@crosswalk/connector-google-workspace/sandbox';
import { FakeJira } from '@crosswalk/connector-jira/sandbox';
import { FakeOkta } from '@crosswalk/connector-okta/sandbox';
import { BAMBOOHR_DOMAIN, bamboohrCompany } from './bamboohr.js';
import { ENTRA_TENANT_ID, entraTenant } from './entra.js';
import { githubOrganization } from './github.js';
import { GOOGLE_CUSTOMER_ID, googleTenant } from './google.js';
import { JQL, jiraSite } from './jira.js';
import { oktaOrg } from './okta.js';
import { DOMAIN } from './people.js';
import type { Timeline } from './timeline.js';

const GITHUB_TOKEN = 'ghp_SandboxTokenForTheDemoOrganisation00';
const OKTA_TOKEN = '00SandboxTokenForTheDemoOrganisation0000';
const JIRA = { email: `crosswalk-bot@${DOMAIN}`, apiToken: 'ATATT3xSandboxTokenForTheDemoOrganisation' };
const OWNER = `security@${DOMAIN}`;
const ENTRA_APP = {
  clientId: '6f1d3c2a-9b8e-4d7f-a1c0-5e4b3a2d1c0f',
  clientSecret: 'Nw8Q~SandboxSecretForTheDemoOrganisation0',
  permissions: [
    'User.Read.All',
    'AuditLog.Read.All',
    'RoleManagement.Read.Directory',
    'Policy.Read.All',
    'AccessReview.Read.All',
  ],
};
const GOOGLE_SERVICE_ACCOUNT = 'crosswalk-reader@northwind-compliance.iam.gserviceaccount.com';
const GOOGLE_ADMIN = `jonas@${DOMAIN}`;
const BAMBOOHR_API_KEY = '0a1b2c3d4e5f60718293a4b5c6d7e8f9sandbox0';

export interface Sandboxes {
  /** Connector entries for a crosswalk.yaml, by id, pointing at the running sandboxes. */
  connectors: ({ id: string; type: string } & Record<string, unknown>)[];
  /** Where each sandbox listens. */
  urls: Record<'github' | 'okta' | 'jira' | 'entra' | 'google' | 'bamboohr', string>;
  /** What any sandbox answered that its vendor's description does not allow (the demo requires none). */
  violations(): string[];
  close(): Promise<void>;
}

export async function startSandboxes(time: Timeline): Promise<Sandboxes> {
  // A fresh service-account key each run: the fake holds the public half, the connector config the key file.
  const googleKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const [github, okta, jira, entra, google, bamboohr] = await Promise.all([
    FakeGitHub.start({ org: githubOrganization(time), token: GITHUB_TOKEN }),
    FakeOkta.start({ org: oktaOrg(time), token: OKTA_TOKEN }),
    FakeJira.start({ site: jiraSite(time), basic: JIRA }),
    FakeEntra.start({ tenant: entraTenant(time), app: ENTRA_APP }),
    FakeGoogleWorkspace.start({
      tenant: googleTenant(time),
      serviceAccount: { clientEmail: GOOGLE_SERVICE_ACCOUNT, publicKey: googleKey.publicKey },
      admins: [GOOGLE_ADMIN],
      grantedScopes: [...new Set(Object.values(COLLECTOR_SCOPES).flat())],
    }),
    FakeBambooHr.start({ company: bamboohrCompany(time), apiKey: BAMBOOHR_API_KEY }),
  ]);
  const sandboxes = [github, okta, jira, entra, google, bamboohr];
  const connectors = [
    {
      id: 'github-northwind',
      type: 'github',
      org: 'northwind',
      baseUrl: github.url,
      auth: { kind: 'token', token: GITHUB_TOKEN },
      controlOwner: OWNER,
    },
    {
      id: 'okta-northwind',
      type: 'okta',
      orgUrl: okta.url,
      auth: { kind: 'token', token: OKTA_TOKEN },
      controlOwner: OWNER,
    },
    {
      id: 'jira-northwind',
      type: 'jira',
      siteUrl: jira.url,
      auth: { kind: 'basic', ...JIRA },
      controlOwner: OWNER,
      kinds: {
        deprovisioning: { jql: JQL.deprovisioning, subjectPattern: '^Offboard (?<subject>\\S+)' },
        provisioning: {
          jql: JQL.provisioning,
          subjectPattern: '^Access for (?<subject>\\S+)',
          approvedStatuses: ['Approved'],
        },
        accessReview: { jql: JQL.accessReview },
      },
    },
    {
      id: 'entra-northwind',
      type: 'entra',
      tenantId: ENTRA_TENANT_ID,
      auth: { kind: 'secret', clientId: ENTRA_APP.clientId, clientSecret: ENTRA_APP.clientSecret },
      graphUrl: entra.url,
      authorityHost: entra.origin,
      controlOwner: OWNER,
    },
    {
      id: 'google-northwind',
      type: 'google-workspace',
      customerId: GOOGLE_CUSTOMER_ID,
      adminSubject: GOOGLE_ADMIN,
      serviceAccountKey: JSON.stringify({
        type: 'service_account',
        project_id: 'northwind-compliance',
        private_key_id: 'sandbox0demo0key0northwind0000000000000',
        private_key: googleKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: GOOGLE_SERVICE_ACCOUNT,
        token_uri: google.tokenUri,
      }),
      baseUrl: google.url,
      controlOwner: OWNER,
    },
    {
      id: 'bamboohr-northwind',
      type: 'bamboohr',
      companyDomain: BAMBOOHR_DOMAIN,
      apiKey: BAMBOOHR_API_KEY,
      timeZone: 'UTC',
      baseUrl: bamboohr.url,
      controlOwner: OWNER,
    },
    {
      // Derived evidence: each offboarding ticket joined to the Okta deactivation and GitHub removal it asked for.
      id: 'timeliness',
      type: 'crosswalk',
      slaMinutes: 1440,
      sources: {
        jiraConnectorId: 'jira-northwind',
        oktaConnectorId: 'okta-northwind',
        githubConnectorId: 'github-northwind',
      },
    },
  ];
  return {
    connectors,
    urls: {
      github: github.url,
      okta: okta.url,
      jira: jira.url,
      entra: entra.url,
      google: google.url,
      bamboohr: bamboohr.url,
    },
    violations: () => sandboxes.flatMap((sandbox) => sandbox.violations),
    async close() {
      await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
    },
  };
}
