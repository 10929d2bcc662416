/**
 * AWS's published Smithy models (src/sandbox/spec/, see SOURCE.md) as the fake's checker and encoder. Every value
 * the fake answers with is checked member by member against the operation's output shape (unknown members,
 * missing required ones, enum values, integer ranges, list lengths) and then written out by the same model in the
 * service's own protocol: awsQuery XML for IAM, awsJson1_1 for CloudTrail, the identity store and sso-admin. The
 * requests the SDK sends are read back through the input shapes the same way, so neither side can drift from the
 * service's description.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

interface Member {
  target: string;
  traits?: Record<string, unknown>;
}

interface Shape {
  type: string;
  members?: Record<string, Member>;
  member?: Member;
  key?: Member;
  value?: Member;
  input?: { target: string };
  output?: { target: string };
  errors?: { target: string }[];
  traits?: Record<string, unknown>;
  version?: string;
}

/** A value as the fake holds it: timestamps as Date, blobs as Buffer, the rest as JSON. */
export type ShapeValue = unknown;

const PRELUDE = 'smithy.api#';

export const MODEL_FILES = {
  iam: { file: 'iam-2010-05-08.json.gz', blob: '5172859ae3e3708baef2a3995eac4cf28703598d' },
  cloudtrail: { file: 'cloudtrail-2013-11-01.json.gz', blob: '998a308c8cd04f1e85eeef993b4c06d8943a8a0c' },
  identitystore: {
    file: 'identitystore-2020-06-15.json.gz',
    blob: '9ede8ea09fed2df7a130c1091c2293d96e1ae953',
  },
  ssoAdmin: { file: 'sso-admin-2020-07-20.json.gz', blob: '2d1ad585b8190afa49e8eb5a48445af4bdd34471' },
} as const;

export type ModelName = keyof typeof MODEL_FILES;

/** The uncompressed model, byte for byte as AWS published it. */
export function modelBytes(name: ModelName): Buffer {
  return gunzipSync(readFileSync(new URL(`./spec/${MODEL_FILES[name].file}`, import.meta.url)));
}

/** `git hash-object` of some bytes: how SOURCE.md pins each file. */
export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const xmlEscape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class SmithyModel {
  readonly namespace: string;
  readonly version: string;
  readonly xmlNamespace: string | undefined;
  private readonly shapes: Record<string, Shape>;

  constructor(document: { shapes: Record<string, Shape> }) {
    this.shapes = document.shapes;
    const [id, service] = Object.entries(this.shapes).find(([, shape]) => shape.type === 'service')!;
    this.namespace = id.split('#')[0]!;
    this.version = service.version ?? '';
    this.xmlNamespace = (service.traits?.['smithy.api#xmlNamespace'] as { uri?: string } | undefined)?.uri;
  }

  static load(name: ModelName): SmithyModel {
    return new SmithyModel(JSON.parse(modelBytes(name).toString('utf8')));
  }

  /** The operation's input and output shape ids; undefined for an operation the model does not have. */
  operation(name: string): { input: string; output: string; errors: string[] } | undefined {
    const shape = this.shapes[`${this.namespace}#${name}`];
    if (shape?.type !== 'operation') return undefined;
    return {
      input: shape.input?.target ?? `${PRELUDE}Unit`,
      output: shape.output?.target ?? `${PRELUDE}Unit`,
      errors: (shape.errors ?? []).map((e) => e.target.split('#')[1]!),
    };
  }

  /** Problems with a value against a shape; `wire` says how timestamps and blobs arrive (JSON: numbers, base64). */
  check(shapeId: string, value: ShapeValue, where: string, wire: 'value' | 'json' = 'value'): string[] {
    const shape = this.shape(shapeId);
    const problems: string[] = [];
    const fail = (text: string) => problems.push(`${where}: ${text}`);
    switch (shape.type) {
      case 'structure':
      case 'union': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          fail(`must be an object (${shapeId})`);
          break;
        }
        const members = shape.members ?? {};
        const present = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
        for (const [name, member] of present) {
          const declared = members[name];
          if (!declared) fail(`${shapeId.split('#')[1]} has no member ${name}`);
          else problems.push(...this.check(declared.target, member, `${where}.${name}`, wire));
        }
        for (const [name, member] of Object.entries(members)) {
          if (member.traits?.['smithy.api#required'] !== undefined && !present.some(([n]) => n === name))
            fail(`required member ${name} is missing`);
        }
        if (shape.type === 'union' && present.length !== 1) fail('a union must set exactly one member');
        break;
      }
      case 'list':
      case 'set': {
        if (!Array.isArray(value)) {
          fail('must be a list');
          break;
        }
        problems.push(...this.length(shape, value.length, where));
        for (const [index, item] of value.entries())
          problems.push(...this.check(shape.member!.target, item, `${where}[${index}]`, wire));
        break;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          fail('must be a map');
          break;
        }
        for (const [key, item] of Object.entries(value)) {
          problems.push(...this.check(shape.key!.target, key, `${where} key`, wire));
          problems.push(...this.check(shape.value!.target, item, `${where}.${key}`, wire));
        }
        break;
      }
      case 'enum': {
        const values = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue']);
        if (!values.includes(value)) fail(`${JSON.stringify(value)} is not one of ${values.join(', ')}`);
        break;
      }
      case 'string': {
        if (typeof value !== 'string') {
          fail('must be a string');
          break;
        }
        const legacy = shape.traits?.['smithy.api#enum'] as { value: string }[] | undefined;
        if (legacy && !legacy.some((e) => e.value === value))
          fail(`${JSON.stringify(value)} is not one of ${legacy.map((e) => e.value).join(', ')}`);
        problems.push(...this.length(shape, value.length, where));
        const pattern = this.pattern(shape);
        if (pattern && !pattern.test(value))
          fail(`${JSON.stringify(value)} does not match ${pattern.source}`);
        break;
      }
      case 'integer':
      case 'long':
      case 'short':
      case 'byte': {
        if (!Number.isInteger(value)) {
          fail('must be an integer');
          break;
        }
        const range = shape.traits?.['smithy.api#range'] as { min?: number; max?: number } | undefined;
        if (range?.min !== undefined && (value as number) < range.min) fail(`must be at least ${range.min}`);
        if (range?.max !== undefined && (value as number) > range.max) fail(`must be at most ${range.max}`);
        break;
      }
      case 'double':
      case 'float':
        if (typeof value !== 'number') fail('must be a number');
        break;
      case 'boolean':
        if (typeof value !== 'boolean') fail('must be true or false');
        break;
      case 'timestamp':
        if (
          wire === 'json'
            ? typeof value !== 'number'
            : !(value instanceof Date) || Number.isNaN(value.getTime())
        )
          fail(wire === 'json' ? 'must be epoch seconds' : 'must be a time');
        break;
      case 'blob':
        if (wire === 'json' ? typeof value !== 'string' : !Buffer.isBuffer(value)) fail('must be bytes');
        break;
      case 'document':
        break;
      default:
        fail(`shape ${shapeId} of type ${shape.type} cannot hold a value`);
    }
    return problems;
  }

  /** An awsQuery answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` in the service's namespace. */
  queryResponseXml(operation: string, value: ShapeValue, requestId: string): string {
    const output = this.operation(operation)?.output ?? `${PRELUDE}Unit`;
    const result =
      output === `${PRELUDE}Unit`
        ? ''
        : `<${operation}Result>${this.xmlMembers(output, value)}</${operation}Result>`;
    return (
      `<${operation}Response xmlns="${this.xmlNamespace ?? ''}">${result}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
    );
  }

  /** An awsQuery error answer, as IAM writes one. */
  static queryErrorXml(code: string, message: string, requestId: string, type = 'Sender'): string {
    return (
      `<ErrorResponse><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
    );
  }

  /** A value as awsJson1_1 writes it: timestamps as epoch seconds, blobs as base64. */
  toJson(shapeId: string, value: ShapeValue): unknown {
    if (value === undefined || value === null) return undefined;
    const shape = this.shape(shapeId);
    switch (shape.type) {
      case 'structure':
      case 'union':
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>)
            .filter(([name, v]) => v !== undefined && v !== null && shape.members?.[name])
            .map(([name, v]) => [name, this.toJson(shape.members![name]!.target, v)]),
        );
      case 'list':
      case 'set':
        return (value as unknown[]).map((item) => this.toJson(shape.member!.target, item));
      case 'map':
        return Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            this.toJson(shape.value!.target, v),
          ]),
        );
      case 'timestamp':
        return (value as Date).getTime() / 1000;
      case 'blob':
        return (value as Buffer).toString('base64');
      default:
        return value;
    }
  }

  /**
   * An awsQuery request's form fields read through the input shape (`Marker`, `Filter.member.1`,
   * `Tags.member.1.Key`), scalars converted by their shape: what the check then compares with the model.
   */
  fromQuery(
    shapeId: string,
    fields: URLSearchParams,
  ): { value: Record<string, unknown>; problems: string[] } {
    const value: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, text] of fields) {
      if (name === 'Action' || name === 'Version') continue;
      const path = name.split('.');
      // Walks the name down the shapes: `holder[key]` is where the field's value goes.
      let target = shapeId;
      let holder: Record<string | number, unknown> = value;
      let key: string | number | undefined;
      let known = true;
      for (let i = 0; i < path.length && known; i += 1) {
        const shape = this.shape(target);
        if (key !== undefined) holder = descend(holder, key, shape.type === 'list' || shape.type === 'set');
        if ((shape.type === 'list' || shape.type === 'set') && path[i] === 'member') {
          key = Number(path[i + 1]) - 1;
          target = shape.member!.target;
          i += 1;
          continue;
        }
        const member = shape.members?.[path[i]!];
        if (!member) {
          problems.push(`query field ${name}: ${target.split('#')[1]} has no member ${path[i]}`);
          known = false;
        } else {
          key = path[i]!;
          target = member.target;
        }
      }
      if (known && key !== undefined) holder[key] = this.scalar(target, text);
    }
    return { value, problems };
  }

  private scalar(shapeId: string, text: string): unknown {
    switch (this.shape(shapeId).type) {
      case 'integer':
      case 'long':
      case 'short':
      case 'byte':
        return /^-?\d+$/.test(text) ? Number(text) : text;
      case 'boolean':
        return text === 'true' ? true : text === 'false' ? false : text;
      case 'timestamp':
        return new Date(text);
      case 'blob':
        return Buffer.from(text, 'base64');
      default:
        return text;
    }
  }

  private xmlMembers(shapeId: string, value: ShapeValue): string {
    const shape = this.shape(shapeId);
    return Object.entries(shape.members ?? {})
      .filter(([name]) => {
        const v = (value as Record<string, unknown>)[name];
        return v !== undefined && v !== null;
      })
      .map(([name, member]) => {
        const element = (member.traits?.['smithy.api#xmlName'] as string | undefined) ?? name;
        const v = (value as Record<string, unknown>)[name];
        if (member.traits?.['smithy.api#xmlFlattened'] !== undefined) {
          const item = this.shape(member.target).member!.target;
          return (v as unknown[]).map((x) => `<${element}>${this.xml(item, x)}</${element}>`).join('');
        }
        return `<${element}>${this.xml(member.target, v)}</${element}>`;
      })
      .join('');
  }

  private xml(shapeId: string, value: ShapeValue): string {
    const shape = this.shape(shapeId);
    switch (shape.type) {
      case 'structure':
        return this.xmlMembers(shapeId, value);
      case 'list':
      case 'set': {
        const element = (shape.member!.traits?.['smithy.api#xmlName'] as string | undefined) ?? 'member';
        return (value as unknown[])
          .map((item) => `<${element}>${this.xml(shape.member!.target, item)}</${element}>`)
          .join('');
      }
      case 'map':
        return Object.entries(value as Record<string, unknown>)
          .map(
            ([k, v]) =>
              `<entry><key>${xmlEscape(k)}</key><value>${this.xml(shape.value!.target, v)}</value></entry>`,
          )
          .join('');
      case 'timestamp':
        return (value as Date).toISOString();
      case 'blob':
        return (value as Buffer).toString('base64');
      default:
        return xmlEscape(String(value));
    }
  }

  /** A string shape's pattern as a JavaScript expression; none when the model's cannot be read as one. */
  private pattern(shape: Shape): RegExp | undefined {
    const source = shape.traits?.['smithy.api#pattern'];
    if (typeof source !== 'string') return undefined;
    try {
      return new RegExp(source, 'u');
    } catch {
      return undefined;
    }
  }

  private length(shape: Shape, length: number, where: string): string[] {
    const bounds = shape.traits?.['smithy.api#length'] as { min?: number; max?: number } | undefined;
    if (bounds?.min !== undefined && length < bounds.min)
      return [`${where}: length must be at least ${bounds.min}`];
    if (bounds?.max !== undefined && length > bounds.max)
      return [`${where}: length must be at most ${bounds.max}`];
    return [];
  }

  private shape(id: string): Shape {
    if (id.startsWith(PRELUDE)) {
      const type = id
        .slice(PRELUDE.length)
        .replace(/^Primitive/, '')
        .toLowerCase();
      return { type: type === 'unit' ? 'structure' : type, members: {} };
    }
    const shape = this.shapes[id];
    if (!shape) throw new Error(`the model has no shape ${id}`);
    return shape;
  }
}

/** The container at `holder[key]`, made when absent: a list for a list shape, an object otherwise. */
function descend(holder: Record<string | number, unknown>, key: string | number, list: boolean) {
  if (holder[key] === undefined) holder[key] = list ? [] : {};
  return holder[key] as Record<string | number, unknown>;
}

const loaded = new Map<ModelName, SmithyModel>();

/** Each model parsed once per process. */
export function smithyModel(name: ModelName): SmithyModel {
  let model = loaded.get(name);
  if (!model) {
    model = SmithyModel.load(name);
    loaded.set(name, model);
  }
  return model;
}
