/**
 * Atlassian's official Jira Cloud platform REST API description (test/spec/, see SOURCE.md) as a checker: every
 * request body the connector sends and every answer the fake Jira gives is validated against the schema of the
 * operation, so neither the connector nor the fake can drift from Jira's real shapes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

export const SPEC_FILE = new URL('../spec/jira-platform-v3.json.gz', import.meta.url);
/** The git blob id of the uncompressed description as Atlassian published it (SOURCE.md). */
export const SPEC_BLOB = 'd2e009a26c504732ed7669784abe60b8fed53132';

const ID = 'jira';

/** The uncompressed description, exactly as published. */
export function specText(): string {
  return gunzipSync(readFileSync(SPEC_FILE)).toString('utf8');
}

/** OpenAPI 3.0's `nullable: true` is JSON Schema's `null` type; Ajv needs it spelled that way. */
function convertNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) convertNullable(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Json;
  for (const value of Object.values(object)) convertNullable(value);
  if (object.nullable !== true) return;
  delete object.nullable;
  if (typeof object.type === 'string') {
    object.type = [object.type, 'null'];
    return;
  }
  const rest = { ...object };
  for (const key of Object.keys(object)) delete object[key];
  object.anyOf = [rest, { type: 'null' }];
}

/** Rewrites local refs (`#/components/...`) to point into the schema registered under `ID`. */
function qualifyRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(qualifyRefs);
  if (node === null || typeof node !== 'object') return node;
  const result: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    result[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${ID}${value}`
        : qualifyRefs(value);
  }
  return result;
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

export class JiraOpenApi {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly document: Json & { paths: Record<string, Record<string, Json>>; components: Json };
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor() {
    addFormats(this.ajv);
    this.document = JSON.parse(specText());
    convertNullable(this.document.components);
    convertNullable(this.document.paths);
    this.ajv.addSchema({ components: this.document.components }, ID);
  }

  get version(): string {
    return String((this.document.info as Json).version);
  }

  operation(method: string, route: string): Json | undefined {
    return this.document.paths[route]?.[method.toLowerCase()];
  }

  private compile(key: string, schema: unknown): ValidateFunction | null {
    if (this.validators.has(key)) return this.validators.get(key)!;
    const validate = schema === undefined ? null : this.ajv.compile(qualifyRefs(schema) as Json);
    this.validators.set(key, validate);
    return validate;
  }

  private component(name: string): ValidateFunction {
    return this.compile(`component ${name}`, { $ref: `#/components/schemas/${name}` })!;
  }

  private responseValidator(method: string, route: string, status: number): ValidateFunction | null {
    const operation = this.operation(method, route);
    if (!operation) throw new Error(`the Jira description has no operation ${method} ${route}`);
    const response = (operation.responses as Record<string, Json>)[String(status)];
    const schema = (response?.content as Record<string, { schema?: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    return this.compile(`${method} ${route} ${status}`, schema);
  }

  private static problems(validate: ValidateFunction, label: string): string[] {
    return (validate.errors ?? []).map(
      (error) => `${label}: ${error.instancePath || '(body)'} ${error.message}`,
    );
  }

  /** Problems with a value checked against one of the description's schemas, e.g. `IssueBean`. */
  checkComponent(name: string, value: unknown): string[] {
    const validate = this.component(name);
    return validate(value) ? [] : JiraOpenApi.problems(validate, name);
  }

  /** Problems with a request body, empty when it matches the operation's request schema. */
  checkRequest(method: string, route: string, body: unknown): string[] {
    const operation = this.operation(method, route);
    if (!operation) throw new Error(`the Jira description has no operation ${method} ${route}`);
    const schema = (
      (operation.requestBody as Json | undefined)?.content as Record<string, { schema?: unknown }> | undefined
    )?.['application/json']?.schema;
    const validate = this.compile(`request ${method} ${route}`, schema);
    if (!validate || validate(body)) return [];
    return JiraOpenApi.problems(validate, `request ${method} ${route}`);
  }

  /**
   * Problems with a response body, empty when it matches the description. A status the description documents
   * without a body (401, 429) is checked against Jira's ErrorCollection when it carries JSON. Issue fields, which
   * the description leaves open (`fields: {}`), are checked against the schemas of the values we read.
   */
  checkResponse(method: string, route: string, status: number, body: unknown): string[] {
    const label = `${method} ${route} ${status}`;
    const validate = this.responseValidator(method, route, status);
    if (!validate) {
      if (status >= 400 && body !== undefined) {
        const errors = this.component('ErrorCollection');
        return errors(body) ? [] : JiraOpenApi.problems(errors, label);
      }
      return [];
    }
    const problems = validate(body) ? [] : JiraOpenApi.problems(validate, label);
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
