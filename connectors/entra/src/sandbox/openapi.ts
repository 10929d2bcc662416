/**
 * Microsoft Graph's v1.0 API description (the subset in src/sandbox/spec/, see SOURCE.md) as a checker: every answer
 * the fake Entra tenant gives is validated against the schema of the operation and status it answers, so the fake
 * cannot drift from Graph's real shapes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { OpenApiChecker } from '@crosswalk/sandbox';

type Json = Record<string, unknown>;

export const SPEC_FILE = new URL('./spec/msgraph-v1.0-subset.openapi.json.gz', import.meta.url);
/** The git blob id of the uncompressed description (SOURCE.md): an edited copy fails spec.test.ts. */
export const SPEC_BLOB = '837ac08495c725e21f2c15832fbc0f5ca355cb87';

/** The uncompressed description, byte for byte as vendored. */
export function specBytes(): Buffer {
  return gunzipSync(readFileSync(SPEC_FILE));
}

const SCHEMA_REF = '#/components/schemas/';
/** OData annotations (`@odata.type`, `@odata.context`, `@odata.nextLink`) may ride on any object. */
const ANNOTATIONS = { '^@odata\\.': {} };

/**
 * Microsoft's generator writes every entity as an `allOf` chain (`user` = `entity` + `directoryObject` + `user`) whose
 * every part says `additionalProperties: {type: object}`. Read literally, a user's `accountEnabled: true` breaks its
 * `entity` part, so no real answer would pass. The checker reads it as Graph means it instead: each chain is flattened
 * into one object with every property of the chain, and closed (a key the type does not declare is a violation,
 * OData annotations aside), which is stricter than the text: the fake cannot invent a field. A property that is a
 * bare `$ref` also accepts null: the conversion dropped the nullability of complex properties, and Graph sends
 * `initiatedBy.app: null` for a person's action. A value naming a derived type (`"@odata.type":
 * "#microsoft.graph.user"` where a `directoryObject` is expected) is checked against that type; one naming a type the
 * subset lacks (`#microsoft.graph.fido2AuthenticationMethodConfiguration`) against the base type, so the fake serves
 * such values with the base type's properties only.
 */
export function closeSchemas(components: Json & { schemas: Record<string, Json> }): void {
  const schemas = components.schemas;
  const original = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, structuredClone(s)]));
  const chainOf = (name: string, seen: string[] = []): string[] => {
    const schema = original[name];
    const parent = (schema?.allOf as Json[] | undefined)?.find((part) => typeof part.$ref === 'string');
    const parentName = parent ? (parent.$ref as string).slice(SCHEMA_REF.length) : undefined;
    if (!parentName || seen.includes(parentName)) return [...seen, name];
    return chainOf(parentName, [...seen, name]);
  };
  const ownPart = (schema: Json): Json =>
    Array.isArray(schema.allOf)
      ? ((schema.allOf as Json[]).find((part) => part.$ref === undefined) ?? {})
      : schema;
  const nullableRefs = (properties: Record<string, Json>): Record<string, Json> =>
    Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [
        key,
        typeof value.$ref === 'string' ? { anyOf: [{ $ref: value.$ref }, { type: 'null' }] } : value,
      ]),
    );
  const derived = new Map<string, string[]>();
  for (const name of Object.keys(original)) {
    for (const ancestor of chainOf(name).slice(1))
      derived.set(ancestor, [...(derived.get(ancestor) ?? []), name]);
  }
  for (const [name, schema] of Object.entries(original)) {
    if (!Array.isArray(schema.allOf) && schema.properties === undefined) {
      // An object the description leaves open on purpose ("service-specific", e.g. an error's innerError).
      if (schema.type === 'object') delete schemas[name]!.additionalProperties;
      continue;
    }
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const link of chainOf(name).reverse()) {
      const part = ownPart(original[link] ?? {});
      Object.assign(properties, (part.properties as Record<string, Json> | undefined) ?? {});
      required.push(...((part.required as string[] | undefined) ?? []));
    }
    schemas[`closed.${name}`] = {
      type: 'object',
      properties: nullableRefs(properties),
      ...(required.length > 0 ? { required: [...new Set(required)] } : {}),
      patternProperties: ANNOTATIONS,
      additionalProperties: false,
    };
    const subtypes = derived.get(name) ?? [];
    schemas[name] =
      subtypes.length === 0
        ? { $ref: `${SCHEMA_REF}closed.${name}` }
        : {
            anyOf: [
              { $ref: `${SCHEMA_REF}closed.${name}` },
              ...[name, ...subtypes].map((type) => ({
                allOf: [
                  { required: ['@odata.type'], properties: { '@odata.type': { const: `#${type}` } } },
                  { $ref: `${SCHEMA_REF}closed.${type}` },
                ],
              })),
            ],
          };
  }
}

/** The Graph description, parsed and prepared for checking; one per process. */
export class GraphOpenApi extends OpenApiChecker {
  constructor() {
    const document = JSON.parse(specBytes().toString('utf8')) as ConstructorParameters<
      typeof OpenApiChecker
    >[0];
    closeSchemas(document.components as Json & { schemas: Record<string, Json> });
    super(document, 'graph');
    // Formats Graph uses that Ajv does not know: checked rather than ignored.
    this.ajv.addFormat('base64url', /^[A-Za-z0-9_-]*={0,2}$/);
    this.ajv.addFormat('int16', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 32_768,
    });
  }

  /** The JSON schema of an operation's answer with `status` (Graph writes success as `2XX`, errors as `default`). */
  private responseSchema(method: string, route: string, status: number): unknown {
    const operation = this.operation(method, route);
    if (!operation) throw new Error(`the Graph description has no operation ${method} ${route}`);
    const responses = operation.responses as Record<string, Json>;
    let response =
      responses[String(status)] ??
      responses[`${String(status)[0]}XX`] ??
      (status >= 400 ? responses.default : undefined);
    while (response && typeof response.$ref === 'string') {
      const name = response.$ref.split('/').at(-1)!;
      response = (this.document.components.responses as Record<string, Json>)[name];
    }
    return (response?.content as Record<string, { schema?: unknown }> | undefined)?.['application/json']
      ?.schema;
  }

  /** Problems with an answer, empty when it matches the operation's schema for that status. */
  check(method: string, route: string, status: number, body: unknown): string[] {
    const label = `${method} ${route} ${status}`;
    const validate = this.compile(label, this.responseSchema(method, route, status));
    if (!validate || validate(body)) return [];
    return OpenApiChecker.problems(validate, label);
  }
}

let shared: GraphOpenApi | undefined;

/** One checker per process: parsing the description takes a moment. */
export function graphOpenApi(): GraphOpenApi {
  shared ??= new GraphOpenApi();
  return shared;
}
