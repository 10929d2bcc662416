/**
 * BambooHR's public API description (src/sandbox/spec/, see SOURCE.md) as a checker: every answer the fake gives,
 * and every request body the connector sends, is validated against the operation's schema, so neither can drift
 * from BambooHR's published shapes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { OpenApiChecker } from '@crosswalk/sandbox';
import * as yaml from 'js-yaml';

export const SPEC_FILE = new URL('./spec/bamboohr-public.openapi.yaml.gz', import.meta.url);
/** The git blob id of the uncompressed description (SOURCE.md): an edited copy fails spec.test.ts. */
export const SPEC_BLOB = 'da03cc634eba1492ed50bc06b4ffc6f70b1da64e';

/** The uncompressed description, byte for byte as BambooHR published it. */
export function specBytes(): Buffer {
  return gunzipSync(readFileSync(SPEC_FILE));
}

/** The description parsed for checking; one per process (parsing 690 KB of YAML takes a while). */
export class BambooHrOpenApi extends OpenApiChecker {
  constructor() {
    super(
      yaml.load(specBytes().toString('utf8')) as ConstructorParameters<typeof OpenApiChecker>[0],
      'bamboohr',
    );
  }

  /** Problems with a query: a parameter the operation does not take, a required one missing, a value off its enum. */
  checkQuery(method: string, route: string, query: URLSearchParams): string[] {
    const operation = this.operation(method, route);
    if (!operation) return [`the BambooHR description has no operation ${method} ${route}`];
    const parameters = ((operation.parameters as Record<string, unknown>[] | undefined) ?? []).filter(
      (p) => p.in === 'query',
    ) as {
      name: string;
      required?: boolean;
      schema?: { enum?: unknown[]; type?: string; format?: string };
    }[];
    const problems: string[] = [];
    for (const name of new Set(query.keys())) {
      if (!parameters.some((p) => p.name === name))
        problems.push(`${method} ${route}: takes no query parameter ${name}`);
    }
    for (const parameter of parameters) {
      const value = query.get(parameter.name);
      if (value === null) {
        if (parameter.required)
          problems.push(`${method} ${route}: query parameter ${parameter.name} is required`);
        continue;
      }
      const schema = parameter.schema ?? {};
      if (schema.enum && !schema.enum.includes(value)) {
        problems.push(`${method} ${route}: ${parameter.name} must be one of ${schema.enum.join(', ')}`);
      }
      if (schema.type === 'boolean' && value !== 'true' && value !== 'false') {
        problems.push(`${method} ${route}: ${parameter.name} must be true or false`);
      }
      if (
        schema.format === 'date-time' &&
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
      ) {
        problems.push(`${method} ${route}: ${parameter.name} must be an ISO 8601 date-time`);
      }
    }
    return problems;
  }
}

let shared: BambooHrOpenApi | undefined;

export function bamboohrOpenApi(): BambooHrOpenApi {
  shared ??= new BambooHrOpenApi();
  return shared;
}
