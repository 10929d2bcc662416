import { sourceStatusOf } from '@crosswalk/connector-kit';
import type { CollectorDefinition, PayloadOf, Person } from '@crosswalk/core';
import { GitHubClient } from '../client.js';
import type { GitHubConfig } from '../config.js';
import { person, snapshotDay } from '../people.js';

type Payload = PayloadOf<'github.org_members'>;

interface Account {
  login: string;
  node_id?: string;
  name?: string | null;
}

interface Organization {
  login: string;
  two_factor_requirement_enabled?: boolean | null;
}

const byLogin = (a: Person, b: Person) => (a.login ?? '').localeCompare(b.login ?? '');

/**
 * A list only some credentials may read: on 403 (or the 422 GitHub gives non-owners for `filter=2fa_disabled`)
 * the field is null and the snapshot says why, instead of failing the whole population.
 */
async function optionalList(
  client: GitHubClient,
  route: string,
  params: Record<string, string>,
  label: string,
  limitations: string[],
): Promise<Person[] | null> {
  const accounts: Account[] = [];
  try {
    for await (const page of client.pages<Account>(route, params, label)) accounts.push(...page);
  } catch (error) {
    const status = sourceStatusOf(error);
    if (status === 403 || status === 422) {
      limitations.push(`${label}: not readable with these credentials (${(error as Error).message})`);
      return null;
    }
    throw error;
  }
  return accounts.map(person).sort(byLogin);
}

/**
 * `github.org_members`: a daily snapshot of the organization's people, the population an access review samples:
 * members with their role, outside collaborators, whether 2FA is required, and who has it disabled.
 */
export const orgMembers: CollectorDefinition<GitHubConfig> = {
  id: 'org_members',
  kind: 'github.org_members',
  description: 'Daily snapshot of organization members, roles, outside collaborators and 2FA',
  async collect(ctx) {
    const client = new GitHubClient(ctx.config, { log: ctx.log, signal: ctx.signal });
    const org = ctx.config.org;
    // Filed under the UTC day it was observed: a rerun the same day has the same id and stores nothing new.
    const occurredAt = snapshotDay(ctx.clock.now());
    const limitations: string[] = [];
    const organization = await client.get<Organization>('/orgs/{org}', { org }, `organization ${org}`);
    // GitHub shows the 2FA requirement to owners only; anyone else gets the field absent or null.
    const twoFactorRequired = organization.two_factor_requirement_enabled ?? null;
    if (twoFactorRequired === null) {
      limitations.push('twoFactorRequired: GitHub shows the 2FA requirement only to organization owners');
    }
    const members: Payload['members'] = [];
    for (const role of ['admin', 'member'] as const) {
      for await (const page of client.pages<Account>(
        '/orgs/{org}/members',
        { org, role },
        `${role} members of ${org}`,
      )) {
        for (const account of page) members.push({ person: person(account), role });
      }
    }
    members.sort((a, b) => byLogin(a.person, b.person));
    const outsideCollaborators = await optionalList(
      client,
      '/orgs/{org}/outside_collaborators',
      { org },
      'outsideCollaborators',
      limitations,
    );
    const membersWithoutTwoFactor = await optionalList(
      client,
      '/orgs/{org}/members',
      { org, filter: '2fa_disabled' },
      'membersWithoutTwoFactor',
      limitations,
    );
    for (const limitation of limitations) ctx.log.warn({ org }, limitation);
    await ctx.emit({
      kind: 'github.org_members',
      occurredAt,
      owner: { people: [], controlOwner: ctx.config.controlOwner ?? null },
      actors: [],
      source: {
        system: 'github',
        instance: org,
        ref: org,
        url: `${client.webUrl}/orgs/${org}/people`,
      },
      payload: {
        organization: org,
        twoFactorRequired,
        members,
        outsideCollaborators,
        membersWithoutTwoFactor,
        limitations,
      },
      requests: client.recorder.entries.slice(),
    });
    ctx.log.info({ org, members: members.length }, 'organization members snapshot taken');
  },
};
