import { parseConnectorConfig } from '@crosswalk/collect';
import { CrosswalkError, canonicalJson, mapSecrets, secret } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';
import { registry as builtIn, type ConnectorRegistry } from './registry.js';
import { isSealed, type SecretBox } from './secrets.js';

/** A stored config whose type this build does not know: every value in it is treated as a credential. */
const UNKNOWN_TYPE = secret(z.unknown());

/** A stored connector: its config with every credential sealed (AES-256-GCM) and who changed it when. */
export interface StoredConnector {
  id: string;
  type: string;
  config: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** What any API client sees: credentials are write-only, shown as `[write-only]`, never their value. */
export type ConnectorView = StoredConnector;

export const WRITE_ONLY = '[write-only]';

/**
 * Connector configuration over the locker's config objects. Every change is validated by the connector's own
 * schema (errors name each field), sealed, and written to the audit trail with who and when. The audit entry
 * lists which fields changed, never their values.
 */
export class ConnectorConfigs {
  private readonly resolved = new Map<
    string,
    { until: number; type: string; config: Record<string, unknown> }
  >();
  /** Bumped by every write, so a read that raced a write is not cached. */
  private generation = 0;
  /**
   * One locker read per connector at a time: when an entry runs out, the requests that find it gone wait for
   * the same read instead of each starting their own (at 200 deliveries/s, a burst of GETs just when the
   * locker is busiest).
   */
  private readonly inflight = new Map<string, Promise<{ type: string; config: Record<string, unknown> }>>();

  /**
   * @param resolveCacheMs - how long `resolve` may answer from memory. Every webhook delivery resolves its
   * connector to check the signature before the 202; without a cache each one waits for a locker GET. Changes
   * made through this instance are seen at once, changes made by another process after at most this long.
   * @defaultValue 0 (no cache)
   * @param registry - the connectors whose config schemas say which fields are credentials (marked `secret`).
   */
  constructor(
    private readonly locker: Locker,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
    private readonly resolveCacheMs = 0,
    private readonly registry: ConnectorRegistry = builtIn,
  ) {}

  async create(id: string, input: Record<string, unknown>, actor: string): Promise<ConnectorView> {
    if (await this.locker.configs.get(id)) {
      throw new CrosswalkError('CW_LOCKER_DUPLICATE', `connector "${id}" already exists`, { where: id });
    }
    const stored = this.build(id, input, actor, undefined);
    this.forget(id);
    await this.locker.configs.put(id, stored as unknown as Record<string, unknown>);
    await this.locker.audit.append({
      actor,
      action: 'connector.create',
      target: id,
      details: { type: stored.type, fields: fieldPaths(input) },
    });
    return this.view(stored);
  }

  /** Creates or replaces from a declarative file; records an audit entry only when something changed. */
  async upsert(
    id: string,
    input: Record<string, unknown>,
    actor: string,
  ): Promise<{ view: ConnectorView; changed: boolean }> {
    const existing = await this.read(id);
    if (existing && canonicalJson(this.plain(existing)) === canonicalJson({ ...input })) {
      return { view: this.view(existing), changed: false };
    }
    const stored = this.build(id, input, actor, existing);
    this.forget(id);
    await this.locker.configs.put(id, stored as unknown as Record<string, unknown>);
    await this.locker.audit.append({
      actor,
      action: existing ? 'connector.update' : 'connector.create',
      target: id,
      details: { type: stored.type, fields: fieldPaths(input), source: 'config-file' },
    });
    return { view: this.view(stored), changed: true };
  }

  /** JSON merge patch (RFC 7386) onto the current config; `null` removes a field. */
  async update(id: string, patch: Record<string, unknown>, actor: string): Promise<ConnectorView> {
    const existing = await this.require(id);
    if ('type' in patch && patch.type !== existing.type) {
      throw new CrosswalkError(
        'CW_CONFIG_INVALID',
        `connector "${id}" is of type ${existing.type}; its type cannot change`,
        {
          where: id,
          issues: [{ path: 'type', message: 'cannot change' }],
        },
      );
    }
    const merged = mergePatch(this.plain(existing), patch) as Record<string, unknown>;
    const stored = this.build(id, merged, actor, existing);
    this.forget(id);
    await this.locker.configs.put(id, stored as unknown as Record<string, unknown>);
    await this.locker.audit.append({
      actor,
      action: 'connector.update',
      target: id,
      details: { fields: fieldPaths(patch) },
    });
    return this.view(stored);
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.require(id);
    this.forget(id);
    await this.locker.configs.delete(id);
    await this.locker.audit.append({ actor, action: 'connector.delete', target: id, details: {} });
  }

  async get(id: string): Promise<ConnectorView> {
    return this.view(await this.require(id));
  }

  async list(): Promise<ConnectorView[]> {
    const views: ConnectorView[] = [];
    for await (const id of this.locker.configs.ids()) {
      const stored = await this.read(id);
      if (stored) views.push(this.view(stored));
    }
    return views;
  }

  /** The config with credentials decrypted: for the worker only, never for a response or a log. */
  async resolve(id: string): Promise<{ type: string; config: Record<string, unknown> }> {
    const cached = this.resolved.get(id);
    const now = Date.now();
    if (cached && cached.until > now) {
      // In the last fifth of its life, an entry is refreshed in the background (one read), so a connector in
      // steady use never runs out and no delivery waits for the locker; the bound on staleness stays the same.
      if (cached.until - now < this.resolveCacheMs / 5 && !this.inflight.has(id)) {
        this.load(id).catch(() => undefined);
      }
      return { type: cached.type, config: structuredClone(cached.config) };
    }
    const { type, config } = await (this.inflight.get(id) ?? this.load(id));
    return { type, config: structuredClone(config) };
  }

  /** Reads and decrypts a config (and caches it, unless a write raced the read); one read per id at a time. */
  private load(id: string): Promise<{ type: string; config: Record<string, unknown> }> {
    const loading = this.readResolved(id).finally(() => {
      if (this.inflight.get(id) === loading) this.inflight.delete(id);
    });
    this.inflight.set(id, loading);
    return loading;
  }

  private async readResolved(id: string): Promise<{ type: string; config: Record<string, unknown> }> {
    const generation = this.generation;
    const stored = await this.require(id);
    const config = this.plain(stored);
    if (this.resolveCacheMs > 0 && generation === this.generation) {
      const until = Date.now() + this.resolveCacheMs;
      this.resolved.set(id, { until, type: stored.type, config: structuredClone(config) });
    }
    return { type: stored.type, config };
  }

  private forget(id: string): void {
    this.generation++;
    this.resolved.delete(id);
    // A read under way began before this write: let no caller wait for it.
    this.inflight.delete(id);
  }

  private build(
    id: string,
    input: Record<string, unknown>,
    actor: string,
    existing: StoredConnector | undefined,
  ): StoredConnector {
    const type = typeof input.type === 'string' ? input.type : '';
    const connector = this.registry.get(type, 'type');
    parseConnectorConfig(connector, id, input);
    const at = this.now().toISOString();
    return {
      id,
      type,
      config: mapSecrets(connector.configSchema, input, (plain, path) =>
        this.box.seal(plain, `${id}:${path}`),
      ) as Record<string, unknown>,
      createdAt: existing?.createdAt ?? at,
      createdBy: existing?.createdBy ?? actor,
      updatedAt: at,
      updatedBy: actor,
    };
  }

  private plain(stored: StoredConnector): Record<string, unknown> {
    return mapSecrets(this.schemaOf(stored.type), stored.config, (sealed, path) =>
      isSealed(sealed) ? this.box.open(sealed, `${stored.id}:${path}`) : sealed,
    ) as Record<string, unknown>;
  }

  /** What any client sees: every field the connector's schema marks secret shows as `[write-only]`. */
  private view(stored: StoredConnector): ConnectorView {
    const config = mapSecrets(this.schemaOf(stored.type), stored.config, () => WRITE_ONLY);
    return { ...stored, config: config as Record<string, unknown> };
  }

  private schemaOf(type: string): z.ZodType {
    return this.registry.find(type)?.configSchema ?? UNKNOWN_TYPE;
  }

  private async read(id: string): Promise<StoredConnector | undefined> {
    return (await this.locker.configs.get(id)) as StoredConnector | undefined;
  }

  private async require(id: string): Promise<StoredConnector> {
    const stored = await this.read(id);
    if (!stored) throw new CrosswalkError('CW_NOT_FOUND', `no connector "${id}"`, { where: id });
    return stored;
  }
}

function fieldPaths(value: unknown, prefix = ''): string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([k, v]) => fieldPaths(v, prefix ? `${prefix}.${k}` : k));
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
