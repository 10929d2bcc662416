import type { GitLabClient } from './client.js';
import { encodeId } from './client.js';
import type { GitLabConfig } from './config.js';

/** The fields of GitLab's project entity the collectors read. */
export interface GitLabProject {
  id: number;
  path_with_namespace: string;
  default_branch?: string | null;
}

/**
 * The projects a collection covers: the configured ones, each read by its path, or every project of the group and
 * its subgroups that is not archived (archived projects take no merges).
 */
export async function projectsOf(client: GitLabClient, config: GitLabConfig): Promise<GitLabProject[]> {
  if (config.projects) {
    const projects: GitLabProject[] = [];
    for (const path of config.projects) {
      projects.push(await client.get<GitLabProject>(`/projects/${encodeId(path)}`, {}, `project ${path}`));
    }
    return projects;
  }
  return client.all<GitLabProject>(
    `/groups/${encodeId(config.group)}/projects`,
    { include_subgroups: true, archived: false, order_by: 'id', sort: 'asc' },
    `projects of group ${config.group}`,
  );
}
