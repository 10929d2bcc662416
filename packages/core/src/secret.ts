import { z } from 'zod';

/**
 * Which config fields are credentials is declared once, in the connector's config schema, by wrapping the field in
 * `secret()`. Everything that must treat a credential specially reads that mark: the service seals marked values at
 * rest and shows them as write-only, the runner scrubs their values from run manifests and errors, the logger
 * censors their keys, connectors redact them from their own messages. A field's name decides nothing, so a field
 * called `pat` is as safe as one called `token`, provided it is marked.
 *
 * The mark is zod metadata (`.meta({ secret: true })` in the global registry), so it survives refinements made after
 * it and shows in the JSON Schema of the config (`secret: true`, `writeOnly: true`).
 * @example auth: z.object({ kind: z.literal('token'), token: secret(z.string().min(1)) }).strict()
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true, writeOnly: true }) as T;
}

/** Whether a schema carries the mark itself (not whether something inside it does). */
export function isSecretSchema(schema: z.ZodType): boolean {
  return z.globalRegistry.get(schema)?.secret === true;
}

type Path = readonly (string | number)[];

/** The schemas a value at this position may be read against: the wrapped one, or every option of a union. */
function children(schema: z.ZodType): z.ZodType[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return [def.innerType as z.ZodType];
    case 'pipe':
      // A stored config is the input side; a mark on either side marks the field.
      return [def.in as z.ZodType, def.out as z.ZodType];
    case 'lazy':
      return [(def.getter as () => z.ZodType)()];
    case 'union':
      return [...(def.options as z.ZodType[])];
    case 'intersection':
      return [def.left as z.ZodType, def.right as z.ZodType];
    default:
      return [];
  }
}

/**
 * Adds to `found` the path of every secret value in `value` as `schema` reads it. Union options are all consulted
 * (a key secret in any option is secret): sealing a value that did not need it costs nothing, missing one leaks it.
 */
function collect(schema: z.ZodType, value: unknown, path: Path, found: Path[]): void {
  if (isSecretSchema(schema)) {
    found.push(path);
    return;
  }
  const inner = children(schema);
  if (inner.length > 0) {
    for (const child of inner) collect(child, value, path, found);
    return;
  }
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const shape = def.shape as Record<string, z.ZodType>;
    for (const [key, child] of Object.entries(value)) {
      const field = Object.hasOwn(shape, key) ? shape[key] : (def.catchall as z.ZodType | undefined);
      if (field) collect(field, child, [...path, key], found);
    }
  } else if (def.type === 'record' && value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      collect(def.valueType as z.ZodType, child, [...path, key], found);
    }
  } else if (def.type === 'array' && Array.isArray(value)) {
    for (const [index, item] of value.entries())
      collect(def.element as z.ZodType, item, [...path, index], found);
  } else if (def.type === 'tuple' && Array.isArray(value)) {
    const items = def.items as z.ZodType[];
    for (const [index, item] of value.entries()) {
      const field = items[index] ?? (def.rest as z.ZodType | undefined);
      if (field) collect(field, item, [...path, index], found);
    }
  }
}

const joined = (path: Path) => path.join('.');

/**
 * Applies `fn` to every string the schema marks secret in `value` (a config as given, or as stored), at any depth,
 * and returns a new value; everything else is copied as it is. Under a marked field every string is a secret (an
 * Okta JWK is one credential). `path` is the dotted field path (`auth.token`, `keys.0.value`).
 */
export function mapSecrets(
  schema: z.ZodType,
  value: unknown,
  fn: (secret: string, path: string) => unknown,
): unknown {
  const found: Path[] = [];
  collect(schema, value, [], found);
  const marked = new Set(found.map(joined));
  const walk = (node: unknown, path: Path, inside: boolean): unknown => {
    const secret = inside || marked.has(joined(path));
    if (typeof node === 'string') return secret ? fn(node, joined(path)) : node;
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index], secret));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k], secret)]));
    }
    return node;
  };
  return walk(value, [], false);
}

/**
 * Every secret string in a config, once each, for scrubbing messages. `minLength` leaves out fragments too short to
 * be worth scrubbing (replacing a two-letter value would garble every message).
 * @defaultValue minLength 1
 */
export function secretValues(schema: z.ZodType, config: unknown, minLength = 1): string[] {
  const found: string[] = [];
  mapSecrets(schema, config, (value) => {
    if (value.length >= minLength && !found.includes(value)) found.push(value);
    return value;
  });
  return found;
}

/**
 * The names of the fields a schema marks secret, wherever they sit (`token`, `privateKey`, `webhookSecret`): for a
 * logger that censors by key name without knowing which connector a logged object came from.
 */
export function secretFieldNames(schema: z.ZodType): string[] {
  const names = new Set<string>();
  // Only the schemas on the way down are remembered: a recursive (lazy) schema ends, a shared one is read anew
  // under each name it sits at.
  const above = new Set<z.ZodType>();
  const walk = (node: z.ZodType, name: string | undefined): void => {
    if (above.has(node)) return;
    if (isSecretSchema(node)) {
      if (name !== undefined) names.add(name);
      return;
    }
    above.add(node);
    for (const child of children(node)) walk(child, name);
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(child, key);
      if (def.catchall) walk(def.catchall as z.ZodType, name);
    } else if (def.type === 'record') walk(def.valueType as z.ZodType, name);
    else if (def.type === 'array') walk(def.element as z.ZodType, name);
    else if (def.type === 'tuple') for (const item of def.items as z.ZodType[]) walk(item, name);
    above.delete(node);
  };
  walk(schema, undefined);
  return [...names].sort();
}
