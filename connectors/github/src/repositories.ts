import { CrosswalkError } from '@crosswalk/core';
import type { GitHubClient } from './client.js';
import { configuredRepositories, type GitHubConfig } from './config.js';

export interface RepositoryInfo {
  full_name: string;
  name: string;
  default_branch?: string;
  archived?: boolean;
  html_url: string;
}

/**
 * The repositories a snapshot covers: the configured ones (each read, so a typo fails naming it), or every
 * non-archived repository of the org, in name order.
 */
export async function snapshotRepositories(
  client: GitHubClient,
  config: GitHubConfig,
): Promise<RepositoryInfo[]> {
  const configured = configuredRepositories(config);
  if (configured) {
    const repositories: RepositoryInfo[] = [];
    for (const fullName of configured) {
      const [owner, repo] = fullName.split('/') as [string, string];
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
      repositories.push(outcome.data);
    }
    return repositories;
  }
  const all = await client.all<RepositoryInfo>(
    '/orgs/{org}/repos',
    { org: config.org, type: 'all', sort: 'full_name' },
    `repositories of ${config.org}`,
  );
  return all
    .filter((repository) => !repository.archived)
    .sort((a, b) => a.full_name.localeCompare(b.full_name));
}
