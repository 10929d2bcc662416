/**
 * Google's discovery documents for the Admin SDK (src/sandbox/spec/, see SOURCE.md there) as a checker: every
 * answer the fake gives is validated against the schema of the method it answers, and every query the connector
 * sends against the method's declared parameters (types, bounds, enums, patterns), so neither the fake nor the
 * connector can drift from Google's published shapes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

export const SPEC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spec');

/** The git blob id of each discovery document as published upstream (SOURCE.md): a changed copy fails spec.test.ts. */
export const SPEC_BLOBS = {
  directory: { file: 'admin.directory_v1.discovery.json', blob: '345086efb4c6f96435fed72d766cd99bb1887fb8' },
  reports: { file: 'admin.reports_v1.discovery.json', blob: 'bb0f7601335258636431bb4a047a13f38bd44941' },
} as const;

export type DocumentId = keyof typeof SPEC_BLOBS;

/** The bytes of a discovery document, as Google published it. */
export function specBytes(id: DocumentId): Buffer {
  return readFileSync(path.join(SPEC_DIR, SPEC_BLOBS[id].file));
}

/** A discovery method: its HTTP method, path template, parameters, response schema and scopes. */
export interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  /** `/admin/directory/v1/users`: the document's servicePath-relative path, rooted. */
  path: string;
  parameters: Record<string, Json>;
  response?: { $ref: string };
  scopes: string[];
  document: DocumentId;
}

/** Formats Ajv checks as Google means them; the rest (int64 as a string, byte, google-datetime) are left unchecked. */
const CHECKED_FORMATS = new Set(['date-time']);

/**
 * A discovery schema as JSON Schema: `$ref: "User"` points into the document's `schemas`, `type: any` allows
 * anything, and an object with `properties` is closed (Google's documents list every field an answer carries, so a
 * field the description does not have is a violation, not a detail).
 */
export function toJsonSchema(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, id));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Json;
  const result: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === '$ref' && typeof value === 'string') result.$ref = `${id}#/schemas/${value}`;
    else if (key === 'properties' && value && typeof value === 'object') {
      result.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, schema]) => [name, toJsonSchema(schema, id)]),
      );
    } else if (key === 'items' || key === 'additionalProperties') result[key] = toJsonSchema(value, id);
    else if (key === 'type') {
      if (value !== 'any') result.type = value;
    } else if (key === 'format') {
      if (typeof value === 'string' && CHECKED_FORMATS.has(value)) result.format = value;
    } else if (key === 'enum' || key === 'pattern') result[key] = value;
  }
  if (result.properties && result.additionalProperties === undefined) result.additionalProperties = false;
  return result;
}

/** Parameters every Google API method takes besides its own (the document's top-level `parameters`). */
function standardParameters(document: Json): Record<string, Json> {
  return (document.parameters ?? {}) as Record<string, Json>;
}

export class DiscoveryChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, logger: false });
  private readonly documents = new Map<DocumentId, Json>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly methods: DiscoveryMethod[] = [];

  constructor() {
    addFormats(this.ajv);
    for (const id of Object.keys(SPEC_BLOBS) as DocumentId[]) {
      const document = JSON.parse(specBytes(id).toString('utf8')) as Json;
      this.documents.set(id, document);
      const schemas = Object.fromEntries(
        Object.entries(document.schemas as Json).map(([name, schema]) => [name, toJsonSchema(schema, id)]),
      );
      this.ajv.addSchema({ schemas }, id);
      this.collectMethods(id, document.resources as Json, `/${String(document.servicePath ?? '')}`);
    }
  }

  private collectMethods(id: DocumentId, resources: Json | undefined, servicePath: string): void {
    for (const resource of Object.values(resources ?? {}) as Json[]) {
      for (const method of Object.values((resource.methods ?? {}) as Json) as Json[]) {
        this.methods.push({
          id: String(method.id),
          httpMethod: String(method.httpMethod),
          path: `${servicePath}${String(method.path)}`.replace(/\/+/g, '/'),
          parameters: {
            ...standardParameters(this.documents.get(id)!),
            ...((method.parameters ?? {}) as Record<string, Json>),
          },
          ...(method.response ? { response: method.response as { $ref: string } } : {}),
          scopes: (method.scopes ?? []) as string[],
          document: id,
        });
      }
      this.collectMethods(id, resource.resources as Json | undefined, servicePath);
    }
  }

  /** The method of an HTTP method and path template (`/admin/directory/v1/customer/{customer}/roles`). */
  method(httpMethod: string, template: string): DiscoveryMethod | undefined {
    return this.methods.find((m) => m.httpMethod === httpMethod && m.path === template);
  }

  /** Every method's path template, for a fake to route by. */
  templates(): DiscoveryMethod[] {
    return [...this.methods];
  }

  /** Problems with a value checked against one of a document's schemas (`User`, `Activities`). */
  checkSchema(document: DocumentId, name: string, value: unknown): string[] {
    const key = `${document}:${name}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${document}#/schemas/${name}` });
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${name}: ${error.instancePath || '(body)'} ${error.message}`,
    );
  }

  /** Problems with a success answer: it must match the method's response schema. */
  checkResponse(httpMethod: string, template: string, status: number, body: unknown): string[] {
    const method = this.requireMethod(httpMethod, template);
    // Discovery documents describe successes only; Google's error body is the same for every method.
    if (status < 200 || status >= 300 || !method.response) return [];
    return this.checkSchema(method.document, method.response.$ref, body).map(
      (problem) => `${httpMethod} ${template} ${status}: ${problem}`,
    );
  }

  /**
   * Problems with a request's query: a parameter the method does not take, or a value outside its declared type,
   * bounds, enum or pattern (Google answers those with 400).
   */
  checkQuery(httpMethod: string, template: string, query: URLSearchParams): string[] {
    const method = this.requireMethod(httpMethod, template);
    const problems: string[] = [];
    const label = `${httpMethod} ${template}`;
    for (const [name, value] of query) {
      const parameter = method.parameters[name];
      if (parameter?.location !== 'query') {
        problems.push(`${label}: takes no query parameter ${name}`);
        continue;
      }
      problems.push(...checkValue(parameter, value).map((problem) => `${label}: ${name} ${problem}`));
    }
    for (const [name, parameter] of Object.entries(method.parameters)) {
      if (parameter.location === 'query' && parameter.required === true && !query.has(name)) {
        problems.push(`${label}: requires the query parameter ${name}`);
      }
    }
    return problems;
  }

  /** Problems with a path parameter's value (`applicationName` must be one of its enum). */
  checkPathParameter(httpMethod: string, template: string, name: string, value: string): string[] {
    const parameter = this.requireMethod(httpMethod, template).parameters[name];
    if (!parameter) return [`${httpMethod} ${template}: has no path parameter ${name}`];
    return checkValue(parameter, value).map((problem) => `${httpMethod} ${template}: ${name} ${problem}`);
  }

  private requireMethod(httpMethod: string, template: string): DiscoveryMethod {
    const method = this.method(httpMethod, template);
    if (!method) throw new Error(`Google's discovery documents have no method ${httpMethod} ${template}`);
    return method;
  }
}

function checkValue(parameter: Json, value: string): string[] {
  const problems: string[] = [];
  if (parameter.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return ['must be an integer'];
    const number = Number(value);
    if (parameter.minimum !== undefined && number < Number(parameter.minimum)) {
      problems.push(`must be at least ${String(parameter.minimum)}`);
    }
    if (parameter.maximum !== undefined && number > Number(parameter.maximum)) {
      problems.push(`must be at most ${String(parameter.maximum)}`);
    }
  }
  if (parameter.type === 'boolean' && value !== 'true' && value !== 'false')
    problems.push('must be true or false');
  if (Array.isArray(parameter.enum) && !parameter.enum.includes(value)) {
    problems.push(`must be one of ${parameter.enum.join(', ')}`);
  }
  if (typeof parameter.pattern === 'string' && !new RegExp(`^(?:${parameter.pattern})$`).test(value)) {
    problems.push(`must match ${parameter.pattern}`);
  }
  return problems;
}

let shared: DiscoveryChecker | undefined;

/** One checker per process: parsing and compiling the documents is done once. */
export function discovery(): DiscoveryChecker {
  shared ??= new DiscoveryChecker();
  return shared;
}
