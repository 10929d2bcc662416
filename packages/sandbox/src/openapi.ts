import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0's `nullable: true` is JSON Schema's `null` type; Ajv needs it spelled that way. OpenAPI 3.0.3 says a
 * nullable enum still lists null itself if null is allowed; GitHub's and Okta's descriptions leave it out of enums
 * they mean to allow null in, so their checkers ask for `nullInEnum`.
 */
export function convertNullable(node: unknown, options: { nullInEnum?: boolean } = {}): void {
  if (Array.isArray(node)) {
    for (const item of node) convertNullable(item, options);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Json;
  for (const value of Object.values(object)) convertNullable(value, options);
  if (object.nullable === false) delete object.nullable;
  if (object.nullable !== true) return;
  delete object.nullable;
  if (typeof object.type === 'string') {
    object.type = [object.type, 'null'];
    if (options.nullInEnum && Array.isArray(object.enum) && !object.enum.includes(null))
      object.enum.push(null);
    return;
  }
  const rest = { ...object };
  for (const key of Object.keys(object)) delete object[key];
  object.anyOf = [rest, { type: 'null' }];
}

/** Rewrites local refs (`#/components/...`) to point into the document registered under `id`. */
export function qualifyRefs(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((item) => qualifyRefs(item, id));
  if (node === null || typeof node !== 'object') return node;
  const result: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    result[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${id}${value}`
        : qualifyRefs(value, id);
  }
  return result;
}

/**
 * A vendor's OpenAPI description as a checker: request bodies and answers validated against the operation's
 * schemas, so neither a connector nor its fake can drift from the vendor's real shapes. A vendor's checker extends
 * it with what its description leaves open (Jira's issue fields, Okta's policy subtypes).
 */
export class OpenApiChecker {
  protected readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(
    /** The parsed description; its `nullable`s are converted in place. */
    readonly document: Json & { paths: Record<string, Record<string, Json>>; components: Json },
    /** The vendor's name for people, and the schema id refs are qualified with. */
    readonly vendor: string,
  ) {
    addFormats(this.ajv);
    convertNullable(document.components);
    convertNullable(document.paths);
    this.ajv.addSchema({ components: document.components }, vendor);
  }

  get version(): string {
    return String((this.document.info as Json | undefined)?.version);
  }

  operation(method: string, route: string): Json | undefined {
    return this.document.paths[route]?.[method.toLowerCase()];
  }

  /** A compiled validator for a schema, cached by key; null for no schema. */
  protected compile(key: string, schema: unknown): ValidateFunction | null {
    if (this.validators.has(key)) return this.validators.get(key)!;
    const validate = schema === undefined ? null : this.ajv.compile(qualifyRefs(schema, this.vendor) as Json);
    this.validators.set(key, validate);
    return validate;
  }

  protected component(name: string): ValidateFunction {
    return this.compile(`component ${name}`, { $ref: `#/components/schemas/${name}` })!;
  }

  protected static problems(validate: ValidateFunction, label: string): string[] {
    return (validate.errors ?? []).map(
      (error) => `${label}: ${error.instancePath || '(body)'} ${error.message}`,
    );
  }

  private requireOperation(method: string, route: string): Json {
    const operation = this.operation(method, route);
    if (!operation) throw new Error(`the ${this.vendor} description has no operation ${method} ${route}`);
    return operation;
  }

  /** Problems with a value checked against one of the description's schemas. */
  checkComponent(name: string, value: unknown): string[] {
    const validate = this.component(name);
    return validate(value) ? [] : OpenApiChecker.problems(validate, name);
  }

  /** Problems with a request body, empty when it matches the operation's request schema. */
  checkRequest(method: string, route: string, body: unknown): string[] {
    const operation = this.requireOperation(method, route);
    const schema = (
      (operation.requestBody as Json | undefined)?.content as Record<string, { schema?: unknown }> | undefined
    )?.['application/json']?.schema;
    const validate = this.compile(`request ${method} ${route}`, schema);
    if (!validate || validate(body)) return [];
    return OpenApiChecker.problems(validate, `request ${method} ${route}`);
  }

  /**
   * Problems with an answer, empty when it matches the operation's response schema for that status. A status
   * the description documents without a body is checked against `errorSchema` when it carries one.
   */
  checkResponse(
    method: string,
    route: string,
    status: number,
    body: unknown,
    errorSchema?: string,
  ): string[] {
    const operation = this.requireOperation(method, route);
    const label = `${method} ${route} ${status}`;
    const response = (operation.responses as Record<string, Json>)[String(status)];
    const schema = (response?.content as Record<string, { schema?: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    const validate = this.compile(`${method} ${route} ${status}`, schema);
    if (!validate) {
      if (status >= 400 && body !== undefined && errorSchema) {
        const errors = this.component(errorSchema);
        return errors(body) ? [] : OpenApiChecker.problems(errors, label);
      }
      return [];
    }
    return validate(body) ? [] : OpenApiChecker.problems(validate, label);
  }
}
