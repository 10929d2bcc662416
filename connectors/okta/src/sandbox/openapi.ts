/**
 * Okta's official API descriptions (src/sandbox/spec/, see SOURCE.md there) as a response checker: every answer the fake
 * Okta gives is validated against the schema of the operation and status it answers, so the fake cannot drift from
 * Okta's real shapes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { convertNullable, qualifyRefs } from '@crosswalk/sandbox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import * as yaml from 'js-yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

export const SPEC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spec');

/** The git blob id of each description as published upstream (SOURCE.md): a changed copy fails spec.test.ts. */
export const SPEC_BLOBS = {
  management: { file: 'okta-management.yaml.gz', blob: '77947537b9ce50bea3fed89e7210fc1fdc8b4178' },
  oauth: { file: 'okta-oauth.yaml.gz', blob: '982191b29f20dacb1c5237d4503ee9edbcad9ee4' },
  governance: { file: 'okta-governance.yaml.gz', blob: '3e0702f0de58497bc0aabdfa01109c9bdd18838d' },
} as const;

export type DescriptionId = keyof typeof SPEC_BLOBS;

interface Description {
  id: DescriptionId;
  document: Json & {
    paths: Record<string, Record<string, Json>>;
    components: Json & { schemas: Record<string, Json> };
  };
}

/** The bytes of a description, as Okta published them. */
export function specBytes(id: DescriptionId): Buffer {
  return gunzipSync(readFileSync(path.join(SPEC_DIR, SPEC_BLOBS[id].file)));
}

/** Which description documents a route: governance and OAuth have their own. */
function descriptionFor(route: string): DescriptionId {
  if (route.startsWith('/governance/')) return 'governance';
  if (route.startsWith('/oauth2/')) return 'oauth';
  return 'management';
}

export class OpenApiChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, logger: false });
  private readonly descriptions = new Map<DescriptionId, Description>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
  }

  description(id: DescriptionId): Description {
    let description = this.descriptions.get(id);
    if (!description) {
      const document = yaml.load(specBytes(id).toString('utf8')) as Description['document'];
      convertNullable(document.components, { nullInEnum: true });
      convertNullable(document.paths, { nullInEnum: true });
      // Only the schemas: Ajv walks every key of what it is given, and the examples hold `$id`s of their own.
      this.ajv.addSchema({ components: { schemas: document.components.schemas } }, id);
      description = { id, document };
      this.descriptions.set(id, description);
    }
    return description;
  }

  /** The operation for a route template such as `/api/v1/policies/{policyId}/rules`. */
  operation(method: string, route: string): { description: Description; operation: Json } | undefined {
    const description = this.description(descriptionFor(route));
    const operation = description.document.paths[route]?.[method.toLowerCase()];
    return operation ? { description, operation } : undefined;
  }

  /** The JSON schema of an operation's answer with `status`, or undefined when the description has none. */
  responseSchema(
    method: string,
    route: string,
    status: number,
  ): { description: Description; schema: Json } | undefined {
    const found = this.operation(method, route);
    if (!found) throw new Error(`Okta's API description has no operation ${method} ${route}`);
    const responses = found.operation.responses as Record<string, Json>;
    let response = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
    while (response && typeof response.$ref === 'string') {
      const name = response.$ref.split('/').at(-1)!;
      response = (found.description.document.components.responses as Record<string, Json>)[name]!;
    }
    const schema = (response?.content as Record<string, { schema?: Json }> | undefined)?.['application/json']
      ?.schema;
    return schema === undefined ? undefined : { description: found.description, schema };
  }

  /** A schema component by local ref (`#/components/schemas/Policy`). */
  private component(description: Description, ref: string): Json | undefined {
    const name = ref.startsWith('#/components/schemas/')
      ? ref.slice('#/components/schemas/'.length)
      : undefined;
    return name === undefined ? undefined : description.document.components.schemas[name];
  }

  /**
   * OpenAPI's discriminator picks a subtype by a property (`Policy.type` = `MFA_ENROLL` -> MultifactorEnrollmentPolicy).
   * Ajv cannot follow a discriminator mapping, so the checker does: it validates an object against the subtype its
   * discriminator names, and an unmapped value is itself a violation.
   */
  private specialize(description: Description, schema: Json, value: unknown, where: string): Json | string {
    const target = typeof schema.$ref === 'string' ? this.component(description, schema.$ref) : schema;
    const discriminator = (target?.discriminator ?? schema.discriminator) as
      | { propertyName: string; mapping?: Record<string, string> }
      | undefined;
    if (!discriminator?.mapping || value === null || typeof value !== 'object') return schema;
    const tag = (value as Json)[discriminator.propertyName];
    const mapped = typeof tag === 'string' ? discriminator.mapping[tag] : undefined;
    if (mapped === undefined) {
      return `${where}/${discriminator.propertyName} ${JSON.stringify(tag)} is not one of the description's subtypes`;
    }
    return { $ref: mapped };
  }

  private compiled(description: Description, schema: Json): ValidateFunction {
    const key = `${description.id} ${JSON.stringify(schema)}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(qualifyRefs(schema, description.id) as Json);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private validate(description: Description, schema: Json, value: unknown, where: string): string[] {
    const specialized = this.specialize(description, schema, value, where);
    if (typeof specialized === 'string') return [specialized];
    const validate = this.compiled(description, specialized);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${where}${error.instancePath || ''} ${error.message}`);
  }

  /** Problems with a value checked against one of a description's schemas, e.g. `LogEvent`. */
  checkComponent(id: DescriptionId, name: string, value: unknown): string[] {
    const description = this.description(id);
    if (!description.document.components.schemas[name]) throw new Error(`${id} has no schema ${name}`);
    return this.validate(description, { $ref: `#/components/schemas/${name}` }, value, name);
  }

  /**
   * Problems with a response body, empty when it matches the description. A status the description does not
   * document for the operation has nothing to check against and passes; an operation it lacks throws.
   */
  check(method: string, route: string, status: number, body: unknown): string[] {
    const found = this.responseSchema(method, route, status);
    if (!found) return [];
    const { description, schema } = found;
    const label = `${method} ${route} ${status}: `;
    const items = schema.type === 'array' ? (schema.items as Json | undefined) : undefined;
    if (items && Array.isArray(body)) {
      // Each element may name its own subtype, so the list is checked element by element.
      return body.flatMap((item, index) => this.validate(description, items, item, `${label}/${index}`));
    }
    return this.validate(description, schema, body, label.trimEnd());
  }
}

let shared: OpenApiChecker | undefined;

/** One checker per process: loading the descriptions takes a second or two. */
export function openApi(): OpenApiChecker {
  shared ??= new OpenApiChecker();
  return shared;
}
