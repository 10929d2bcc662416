import { CrosswalkError, type ProvenanceRequest } from '@crosswalk/core';
import type { GitHubClient } from './client.js';
import { configuredRepositories, type GitHubConfig } from './config.js';

export interface RepositoryInfo {
  full_name: string;
  name: string;
  default_branch?: string;
  archived?: boolean;
  html_url: string;
}

/** A repository and the requests that told us about it (its default branch comes from them). */
export interface ListedRepository extends RepositoryInfo {
  requests: ProvenanceRequest[];
}

/**
 * The repositories a snapshot covers: the configured ones (each read, so a typo fails naming it), or every
 * non-archived repository of the org, in name order. Each carries the request that supplied it (its own read, or
 * the page of the org's list it was on): the default branch a snapshot describes is that request's answer.
 */
export async function snapshotRepositories(
  client: GitHubClient,
  config: GitHubConfig,
): Promise<ListedRepository[]> {
  const configured = configuredRepositories(config);
  if (configured) {
    const repositories: ListedRepository[] = [];
    for (const fullName of configured) {
      const [owner, repo] = fullName.split('/') as [string, string];
      const mark = client.recorder.mark();
      const outcome = await client.attempt<RepositoryInfo>(
        '/repos/{owner}/{repo}',
        { owner, repo },
        fullName,
      );
      if (!outcome.ok) {
        if (outcome.status === 404) {
          throw new CrosswalkError(
            'CW_NOT_FOUND',
            `configured repository ${fullName} does not exist or these credentials cannot see it`,
            { where: fullName },
          );
        }
        throw outcome.error;
      }
      repositories.push({ ...outcome.data, requests: client.recorder.since(mark) });
    }
    return repositories;
  }
  const all: ListedRepository[] = [];
  let mark = client.recorder.mark();
  for await (const page of client.pages<RepositoryInfo>(
    '/orgs/{org}/repos',
    { org: config.org, type: 'all', sort: 'full_name' },
    `repositories of ${config.org}`,
  )) {
    const requests = client.recorder.since(mark);
    mark = client.recorder.mark();
    for (const repository of page) all.push({ ...repository, requests });
  }
  return all
    .filter((repository) => !repository.archived)
    .sort((a, b) => a.full_name.localeCompare(b.full_name));
}
