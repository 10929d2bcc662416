import { Redis } from 'ioredis';
import { queueConnection } from './jobs.js';

/**
 * Revocation of API keys across processes. The locker's key record is the truth (`revokedAt`); each API process
 * trusts a key it read for up to CROSSWALK_KEY_CACHE_MS. A revocation also sets a marker in Redis, which an API
 * process checks on every request it would answer from its cached copy: a marked key is read from the locker
 * again at once. So with Redis, a revoked key is refused by every API process from the first request after the
 * revocation returned; without Redis (not configured, down, or the marker lost in a restart), within
 * CROSSWALK_KEY_CACHE_MS as before. A marker only ever causes a re-read: it cannot revoke a key by itself.
 */
export interface RevocationSignal {
  /** True when `id` carries a revocation marker, false when not, undefined when Redis could not say in time. */
  marked(id: string): Promise<boolean | undefined>;
  /** Sets the marker for `id`; false when Redis could not be told. */
  mark(id: string): Promise<boolean>;
}

/**
 * How long a marker is kept: longer than any process may trust a cached key (CROSSWALK_KEY_CACHE_MS is at most
 * 60 s), after which every process has read the revoked record from the locker anyway.
 */
export const MARKER_SECONDS = 600;
/** A request waits this long for the marker at most, then falls back to the cache bound. */
export const MARKER_TIMEOUT_MS = 250;

const markerKey = (id: string) => `crosswalk:keys:revoked:${id}`;

/** The Redis commands a signal needs (the queues' connection and a plain ioredis client both have them). */
export interface MarkerRedis {
  exists(key: string): Promise<number>;
  set(key: string, value: string, ...modifiers: (string | number)[]): Promise<string | null>;
}

/** A signal over a Redis connection, obtained lazily (the queues connect on first use). */
export function redisRevocations(connection: () => Promise<MarkerRedis>): RevocationSignal {
  const timed = <T>(op: () => Promise<T>): Promise<T | undefined> =>
    Promise.race([
      op(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), MARKER_TIMEOUT_MS).unref()),
    ]).catch(() => undefined);
  return {
    marked: (id) => timed(async () => (await (await connection()).exists(markerKey(id))) > 0),
    mark: async (id) =>
      (await timed(async () =>
        (await connection()).set(markerKey(id), new Date().toISOString(), 'EX', MARKER_SECONDS),
      )) === 'OK',
  };
}

/**
 * A one-off signal for a command-line process: its own connection to REDIS_URL that keeps no command while Redis
 * is away (a revocation must not hang on an outage: it is already in the locker). Close it when done.
 */
export function standaloneRevocations(url: string): RevocationSignal & { close(): Promise<void> } {
  const client = new Redis({
    ...queueConnection(url),
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  let connecting: Promise<MarkerRedis> | undefined;
  const connection = (): Promise<MarkerRedis> => {
    connecting ??= client.connect().then(() => client as unknown as MarkerRedis);
    return connecting;
  };
  const signal = redisRevocations(connection);
  return {
    ...signal,
    // The connection may take up to its connectTimeout: the marker is worth that wait in a one-off command.
    mark: async (id) => {
      try {
        await connection();
      } catch {
        return false;
      }
      return signal.mark(id);
    },
    close: async () => {
      client.disconnect();
    },
  };
}
