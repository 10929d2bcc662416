/**
 * The three sandboxes on loopback, serving Northwind's year: each answers in its vendor's real shapes and checks
 * every answer against the vendor's API description, and the connector configs that point at them. The tokens are
 * the sandboxes' own: nothing here reaches a real service.
 */
import { FakeGitHub } from '@crosswalk/connector-github/sandbox';
import { FakeJira } from '@crosswalk/connector-jira/sandbox';
import { FakeOkta } from '@crosswalk/connector-okta/sandbox';
import { githubOrganization } from './github.js';
import { JQL, jiraSite } from './jira.js';
import { oktaOrg } from './okta.js';
import { DOMAIN } from './people.js';
import type { Timeline } from './timeline.js';

const GITHUB_TOKEN = 'ghp_SandboxTokenForTheDemoOrganisation00';
const OKTA_TOKEN = '00SandboxTokenForTheDemoOrganisation0000';
const JIRA = { email: `crosswalk-bot@${DOMAIN}`, apiToken: 'ATATT3xSandboxTokenForTheDemoOrganisation' };
const OWNER = `security@${DOMAIN}`;

export interface Sandboxes {
  /** Connector entries for a crosswalk.yaml, by id, pointing at the running sandboxes. */
  connectors: ({ id: string; type: string } & Record<string, unknown>)[];
  /** Where each sandbox listens. */
  urls: Record<'github' | 'okta' | 'jira', string>;
  /** What any sandbox answered that its vendor's description does not allow (the demo requires none). */
  violations(): string[];
  close(): Promise<void>;
}

export async function startSandboxes(time: Timeline): Promise<Sandboxes> {
  const [github, okta, jira] = await Promise.all([
    FakeGitHub.start({ org: githubOrganization(time), token: GITHUB_TOKEN }),
    FakeOkta.start({ org: oktaOrg(time), token: OKTA_TOKEN }),
    FakeJira.start({ site: jiraSite(time), basic: JIRA }),
  ]);
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
    urls: { github: github.url, okta: okta.url, jira: jira.url },
    violations: () => [...github.violations, ...okta.violations, ...jira.violations],
    async close() {
      await Promise.all([github.close(), okta.close(), jira.close()]);
    },
  };
}
