/**
 * GitLab's REST v4 description (src/sandbox/spec/, see SOURCE.md) as a checker: every answer the fake gives on an
 * operation the description covers, and every query the connector sends there, is validated against it, so neither
 * can drift from GitLab's published shapes. The description is Swagger 2.0; it is read into the OpenAPI 3 layout the
 * shared checker walks (definitions as component schemas, a response's schema as its JSON content), and the few
 * places where it is known to say less than GitLab sends are corrected, each named below.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { OpenApiChecker } from '@crosswalk/sandbox';
import * as yaml from 'js-yaml';

export const SPEC_FILE = new URL('./spec/gitlab-v4-swagger2.reserialized-2024-09.yaml.gz', import.meta.url);
/** The git blob id of the uncompressed description (SOURCE.md): an edited copy fails spec.test.ts. */
export const SPEC_BLOB = '58cdebc7c06d20e257ba6a82e34776b2aa4238f1';
/** The description's paths start with the API prefix; the fake's routes are below it. */
const PREFIX = '/api/v4';

type Json = Record<string, unknown>;

export function specBytes(): Buffer {
  return gunzipSync(readFileSync(SPEC_FILE));
}

/** `git hash-object` of some bytes: how SOURCE.md pins the file. */
export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * GitLab's generator (grape-swagger) types an exposed field it has no documentation for as `string`; these are the
 * ones the fake serves, with the type GitLab sends (its API docs' examples). Nothing else is loosened.
 */
const FIELD_TYPES: Record<string, Record<string, Json>> = {
  API_Entities_MergeRequestBasic: {
    source_project_id: { type: 'integer' },
    target_project_id: { type: 'integer' },
    draft: { type: 'boolean' },
    labels: { type: 'array', items: { type: 'string' } },
    reviewers: { type: 'array', items: { $ref: '#/components/schemas/API_Entities_UserBasic' } },
    assignees: { type: 'array', items: { $ref: '#/components/schemas/API_Entities_UserBasic' } },
    sha: { type: ['string', 'null'] },
    merge_commit_sha: { type: ['string', 'null'] },
    squash_commit_sha: { type: ['string', 'null'] },
  },
  API_Entities_Member: { access_level: { type: 'integer' }, expires_at: { type: ['string', 'null'] } },
  API_Entities_MergeRequestDiff: { id: { type: 'integer' }, merge_request_id: { type: 'integer' } },
  EE_API_Entities_AuditEvent: {
    id: { type: 'integer' },
    author_id: { type: 'integer' },
    entity_id: { type: 'integer' },
    details: { type: 'object' },
  },
  API_Entities_GroupDetail: {
    id: { type: 'integer' },
    require_two_factor_authentication: { type: 'boolean' },
  },
  API_Entities_Event: { push_data: { $ref: '#/components/schemas/API_Entities_PushEventPayload' } },
};

/**
 * List operations the description declares as answering one object where GitLab answers an array of them (its
 * README: the merge request list, events, users); their answers are checked item by item.
 */
export const LISTS_DECLARED_AS_OBJECTS = new Set([
  '/projects/{id}/merge_requests',
  '/projects/{id}/events',
  '/users',
]);

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Json).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/definitions/', '#/components/schemas/')
        : rewriteRefs(value),
    ]),
  );
}

/** Swagger 2.0 read into the layout OpenApiChecker walks; paths lose the /api/v4 prefix the fake serves under. */
function asOpenApi3(swagger: Json): ConstructorParameters<typeof OpenApiChecker>[0] {
  const schemas = rewriteRefs(swagger.definitions) as Record<string, Json>;
  for (const [name, fields] of Object.entries(FIELD_TYPES)) {
    const properties = schemas[name]?.properties as Json | undefined;
    if (!properties) throw new Error(`the GitLab description has no definition ${name}`);
    Object.assign(properties, fields);
  }
  const paths: Record<string, Record<string, Json>> = {};
  for (const [route, item] of Object.entries(swagger.paths as Record<string, Record<string, Json>>)) {
    if (!route.startsWith(`${PREFIX}/`)) continue;
    const operations: Record<string, Json> = {};
    for (const [method, operation] of Object.entries(item)) {
      const responses = Object.fromEntries(
        Object.entries((operation.responses ?? {}) as Record<string, Json>).map(([status, response]) => [
          status,
          response.schema
            ? { ...response, content: { 'application/json': { schema: rewriteRefs(response.schema) } } }
            : response,
        ]),
      );
      operations[method] = { ...operation, responses };
    }
    paths[route.slice(PREFIX.length)] = operations;
  }
  return { info: swagger.info as Json, paths, components: { schemas } };
}

interface QueryParameter {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
  format?: string;
  enum?: unknown[];
}

/** The description parsed for checking; one per process (parsing 2 MB of YAML takes a while). */
export class GitLabOpenApi extends OpenApiChecker {
  constructor() {
    super(asOpenApi3(yaml.load(specBytes().toString('utf8')) as Json), 'gitlab');
  }

  /** Problems with an answer; a list the description declares as one object is checked item by item. */
  override checkResponse(method: string, route: string, status: number, body: unknown): string[] {
    if (LISTS_DECLARED_AS_OBJECTS.has(route) && status === 200) {
      if (!Array.isArray(body)) return [`${method} ${route} 200: a list must be an array`];
      return body.flatMap((item, index) =>
        super.checkResponse(method, route, status, item).map((problem) => `[${index}] ${problem}`),
      );
    }
    return super.checkResponse(method, route, status, body);
  }

  /** Problems with a query: a parameter the operation does not take, a required one missing, a value off its type. */
  checkQuery(method: string, route: string, query: URLSearchParams): string[] {
    const operation = this.operation(method, route);
    if (!operation) return [`the GitLab description has no operation ${method} ${route}`];
    const parameters = ((operation.parameters as QueryParameter[] | undefined) ?? []).filter(
      (p) => p.in === 'query',
    );
    const problems: string[] = [];
    for (const name of new Set(query.keys())) {
      if (!parameters.some((p) => p.name === name))
        problems.push(`${method} ${route}: takes no query parameter ${name}`);
    }
    for (const parameter of parameters) {
      const value = query.get(parameter.name);
      const where = `${method} ${route}: ${parameter.name}`;
      if (value === null) {
        if (parameter.required) problems.push(`${where} is required`);
        continue;
      }
      if (parameter.enum && !parameter.enum.includes(value))
        problems.push(`${where} must be one of ${parameter.enum.join(', ')}`);
      if (parameter.type === 'boolean' && value !== 'true' && value !== 'false')
        problems.push(`${where} must be true or false`);
      if (parameter.type === 'integer' && !/^-?\d+$/.test(value))
        problems.push(`${where} must be an integer`);
      if (parameter.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value))
        problems.push(`${where} must be a date (YYYY-MM-DD)`);
      if (
        parameter.format === 'date-time' &&
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      )
        problems.push(`${where} must be an ISO 8601 date-time`);
    }
    return problems;
  }
}

let shared: GitLabOpenApi | undefined;

export function gitlabOpenApi(): GitLabOpenApi {
  shared ??= new GitLabOpenApi();
  return shared;
}
