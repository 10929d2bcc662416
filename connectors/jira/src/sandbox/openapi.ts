/**
 * Atlassian's official Jira Cloud platform REST API description (src/sandbox/spec/, see SOURCE.md) as a checker: every
 * request body the connector sends and every answer the fake Jira gives is validated against the schema of the
 * operation, so neither the connector nor the fake can drift from Jira's real shapes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { OpenApiChecker } from '@crosswalk/sandbox';

export const SPEC_FILE = new URL('./spec/jira-platform-v3.json.gz', import.meta.url);
/** The git blob id of the uncompressed description as Atlassian published it (SOURCE.md). */
export const SPEC_BLOB = 'd2e009a26c504732ed7669784abe60b8fed53132';

/** The uncompressed description, exactly as published. */
export function specText(): string {
  return gunzipSync(readFileSync(SPEC_FILE)).toString('utf8');
}

/** The issue fields the connector reads, and the description's schema for each value. */
const FIELD_SCHEMAS: Record<string, string> = {
  status: 'StatusDetails',
  reporter: 'UserDetails',
  assignee: 'UserDetails',
  issuetype: 'IssueTypeDetails',
  resolution: 'Resolution',
  project: 'ProjectDetails',
};

export class JiraOpenApi extends OpenApiChecker {
  constructor() {
    super(JSON.parse(specText()), 'jira');
  }

  /**
   * Problems with a response body, empty when it matches the description. A status the description documents
   * without a body (401, 429) is checked against Jira's ErrorCollection when it carries JSON. Issue fields, which
   * the description leaves open (`fields: {}`), are checked against the schemas of the values we read.
   */
  override checkResponse(method: string, route: string, status: number, body: unknown): string[] {
    const label = `${method} ${route} ${status}`;
    const problems = super.checkResponse(method, route, status, body, 'ErrorCollection');
    const issues = (body as { issues?: { fields?: Record<string, unknown> }[] } | null)?.issues;
    for (const [index, issue] of (Array.isArray(issues) ? issues : []).entries()) {
      for (const [field, value] of Object.entries(issue.fields ?? {})) {
        const name = FIELD_SCHEMAS[field];
        if (!name || value === null) continue;
        const check = this.component(name);
        if (!check(value))
          problems.push(...JiraOpenApi.problems(check, `${label} issues/${index}/fields/${field}`));
      }
    }
    return problems;
  }
}

let shared: JiraOpenApi | undefined;

/** One checker per process: parsing the 2 MB description takes a moment. */
export function jiraOpenApi(): JiraOpenApi {
  shared ??= new JiraOpenApi();
  return shared;
}
