import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CrosswalkError, canonicalJson } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { z } from 'zod';
import type { RevocationSignal } from './revocations.js';

export const roles = ['admin', 'operator', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Auditor scope: the evidence period and frameworks a key may read (null bounds: unlimited that way). */
export const keyScopeSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  frameworks: z.array(z.string()).nullable(),
});

export const apiKeySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]{12}$/),
    name: z.string().min(1).max(200),
    role: z.enum(roles),
    /** SHA-256 of the secret part: the secret is 256 random bits, so a fast hash is safe and lookups are cheap. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    /** Null = unlimited. */
    scope: keyScopeSchema.strict().nullable(),
  })
  .strict();

export type ApiKey = z.infer<typeof apiKeySchema>;
export type ApiKeyView = Omit<ApiKey, 'hash'>;

const PREFIX = 'keys/';
const MAX_CACHED_KEYS = 10_000;

/**
 * API keys as Bearer tokens `cwk_<id>_<secret>`. Stored hashed in the locker (not Redis: losing Redis must
 * not lock everyone out); the token is shown once, at creation.
 */
export class ApiKeys {
  /** Keys read recently, by id: every API request authenticates, and a locker GET each time is the cost. */
  private readonly cache = new Map<string, { key: ApiKey; until: number }>();

  /**
   * @param cacheMs How long a key read from the locker is trusted without reading it again (0 = never). A
   *   revocation made through this instance applies at once; one made by another process within `cacheMs`, or
   *   at the next request when both share a revocation signal (revocations.ts).
   * @param signal Revocation markers in Redis: set by `revoke`, checked before a cached key is trusted.
   */
  constructor(
    private readonly locker: Locker,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 0,
    private readonly signal?: RevocationSignal,
  ) {}

  async create(input: {
    name: string;
    role: Role;
    createdBy: string;
    expiresAt?: string | null;
    scope?: ApiKey['scope'];
  }): Promise<{ token: string; key: ApiKeyView }> {
    const id = randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const key = apiKeySchema.parse({
      id,
      name: input.name,
      role: input.role,
      hash: hashSecret(secret),
      createdAt: this.now().toISOString(),
      createdBy: input.createdBy,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      scope: input.scope ?? null,
    });
    await this.locker.store.put(`${PREFIX}${id}.json`, Buffer.from(canonicalJson(key)));
    await this.locker.audit.append({
      actor: input.createdBy,
      action: 'key.create',
      target: id,
      details: { role: key.role, name: key.name },
    });
    return { token: `cwk_${id}_${secret}`, key: publicView(key) };
  }

  async list(): Promise<ApiKeyView[]> {
    const keys: ApiKeyView[] = [];
    for await (const object of this.locker.store.list(PREFIX)) {
      const key = await this.read(object.key.slice(PREFIX.length, -'.json'.length));
      if (key) keys.push(publicView(key));
    }
    return keys;
  }

  async revoke(id: string, actor: string): Promise<ApiKeyView> {
    return (await this.revokeEverywhere(id, actor)).key;
  }

  /**
   * Revokes in the locker (the truth), then marks the key revoked in Redis for the other API processes.
   * `announced`: true when the marker is set (they refuse it from their next request), false when Redis could
   * not be told, null without a signal (both: they refuse it within their CROSSWALK_KEY_CACHE_MS).
   */
  async revokeEverywhere(id: string, actor: string): Promise<{ key: ApiKeyView; announced: boolean | null }> {
    const key = await this.read(id);
    if (!key) throw new CrosswalkError('CW_NOT_FOUND', `no API key "${id}"`, { where: id });
    const revoked = { ...key, revokedAt: key.revokedAt ?? this.now().toISOString() };
    await this.locker.store.put(`${PREFIX}${id}.json`, Buffer.from(canonicalJson(revoked)));
    this.cache.delete(id);
    const announced = this.signal ? await this.signal.mark(id) : null;
    await this.locker.audit.append({ actor, action: 'key.revoke', target: id, details: {} });
    return { key: publicView(revoked), announced };
  }

  /** The key a Bearer token belongs to, if it is valid now; undefined for anything else (no reason leaks). */
  async authenticate(token: string): Promise<ApiKeyView | undefined> {
    const match = /^cwk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return undefined;
    const key = await this.cached(match[1]!);
    if (!key) return undefined;
    // The secret, expiry and revocation are checked on every request, cached or not.
    const expected = Buffer.from(key.hash, 'hex');
    const actual = Buffer.from(hashSecret(match[2]!), 'hex');
    if (!timingSafeEqual(expected, actual)) return undefined;
    const now = this.now().toISOString();
    if (key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return undefined;
    return publicView(key);
  }

  /**
   * The key with this id if it is valid now (not revoked, not expired), without its secret: for a login session,
   * which holds the key's id after the token was checked once. The same cache and revocation signal as
   * `authenticate`, so revoking a key ends its sessions as it ends its Bearer use.
   */
  async current(id: string): Promise<ApiKeyView | undefined> {
    const key = await this.cached(id);
    if (!key) return undefined;
    const now = this.now().toISOString();
    if (key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return undefined;
    return publicView(key);
  }

  /** Only keys that exist are cached (unknown ids are attacker-chosen: caching them would grow without bound). */
  private async cached(id: string): Promise<ApiKey | undefined> {
    const clock = Date.now();
    const hit = this.cache.get(id);
    // A cached key already revoked stays refused; a live one is trusted unless another process marked it revoked
    // since (one Redis EXISTS; when Redis cannot say, the cache bound applies), and then the locker is read.
    if (hit && hit.until > clock && (hit.key.revokedAt || (await this.signal?.marked(id)) !== true))
      return hit.key;
    const key = await this.read(id);
    if (key && this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, { key, until: clock + this.cacheMs });
    } else {
      this.cache.delete(id);
    }
    return key;
  }

  private async read(id: string): Promise<ApiKey | undefined> {
    if (!/^[a-z0-9]{12}$/.test(id)) return undefined;
    const bytes = await this.locker.store.get(`${PREFIX}${id}.json`);
    if (!bytes) return undefined;
    const parsed = apiKeySchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    if (!parsed.success)
      throw new CrosswalkError('CW_LOCKER_CORRUPT', `API key ${id} is not valid`, {
        where: `${PREFIX}${id}.json`,
      });
    return parsed.data;
  }
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function publicView({ hash: _hash, ...rest }: ApiKey): ApiKeyView {
  return rest;
}
