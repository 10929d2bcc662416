/**
 * GitHub's official REST description (@octokit/openapi) as a response checker: every answer the fake server gives
 * is validated against the schema of the operation and status it answers, so the fake cannot drift from GitHub.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { convertNullable, qualifyRefs } from '@crosswalk/sandbox';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

interface Description {
  id: string;
  document: Json & { paths: Record<string, Record<string, Json>>; components: Json };
}

const generated = path.join(path.dirname(require.resolve('@octokit/openapi/package.json')), 'generated');

export class OpenApiChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly descriptions = new Map<string, Description>();
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor() {
    addFormats(this.ajv);
  }

  /** api.github.com first; GitHub Enterprise Cloud for what only it has (the organization audit log). */
  private description(id: 'api.github.com' | 'ghec'): Description {
    let description = this.descriptions.get(id);
    if (!description) {
      const document = JSON.parse(readFileSync(path.join(generated, `${id}.json`), 'utf8'));
      convertNullable(document.components, { nullInEnum: true });
      convertNullable(document.paths, { nullInEnum: true });
      this.ajv.addSchema({ components: document.components }, id);
      description = { id, document };
      this.descriptions.set(id, description);
    }
    return description;
  }

  /** The operation for a route template such as `/orgs/{org}/members`, and which description has it. */
  operation(method: string, route: string): { description: Description; operation: Json } | undefined {
    for (const id of ['api.github.com', 'ghec'] as const) {
      const description = this.description(id);
      const operation = description.document.paths[route]?.[method.toLowerCase()];
      if (operation) return { description, operation };
    }
    return undefined;
  }

  private validator(method: string, route: string, status: number): ValidateFunction | null {
    const key = `${method} ${route} ${status}`;
    if (this.validators.has(key)) return this.validators.get(key)!;
    let validate: ValidateFunction | null = null;
    const found = this.operation(method, route);
    if (!found) throw new Error(`the GitHub REST description has no operation ${method} ${route}`);
    const responses = found.operation.responses as Record<string, Json>;
    let response = responses[String(status)];
    if (response && typeof response.$ref === 'string') {
      const name = response.$ref.split('/').at(-1)!;
      response = (found.description.document.components.responses as Record<string, Json>)[name]!;
    }
    const schema = (response?.content as Record<string, { schema?: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    if (schema !== undefined) validate = this.ajv.compile(qualifyRefs(schema, found.description.id) as Json);
    this.validators.set(key, validate);
    return validate;
  }

  /**
   * Problems with a response body, empty when it matches the description. A status the description does not
   * document for the operation (a 429, say) has nothing to check against and passes.
   */
  check(method: string, route: string, status: number, body: unknown): string[] {
    const validate = this.validator(method, route, status);
    if (!validate || validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${method} ${route} ${status}: ${error.instancePath || '(body)'} ${error.message}`,
    );
  }
}

let shared: OpenApiChecker | undefined;

/** One checker per process: loading the description takes about a second. */
export function openApi(): OpenApiChecker {
  shared ??= new OpenApiChecker();
  return shared;
}
