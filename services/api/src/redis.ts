import { CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type { Runtime } from '@crosswalk/runtime';
import { within } from './within.js';

/**
 * The commands the API needs on the queues' Redis connection. BullMQ 6 wraps ioredis in an adapter whose
 * interface lacks PING and SET NX; the adapter forwards them to ioredis (its `set` keeps ioredis varargs).
 */
export interface QueueRedis {
  status: string;
  ping(): Promise<string>;
  set(key: string, value: string, ...modifiers: (string | number)[]): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<number>;
}

/** The collect queue's Redis connection (the one readiness and delivery de-duplication use). */
export async function queueRedis(runtime: Runtime): Promise<QueueRedis> {
  return (await runtime.collectQueue.queue.getBackend().client) as unknown as QueueRedis;
}

/**
 * How long a request waits for Redis, at most. A request answers 503 `CW_REDIS_UNAVAILABLE` at once when the
 * queue's connection is down (the queues do not buffer commands: `enableOfflineQueue: false`), and after this
 * long when Redis takes the connection but does not answer (paused, a black-holed network).
 */
export const REDIS_TIMEOUT_MS = 3_000;

interface HasQueue {
  queue: { getBackend(): { client: Promise<unknown> } };
}

const unavailable = (what: string, cause?: unknown) =>
  new CrosswalkError(
    'CW_REDIS_UNAVAILABLE',
    `Redis is unavailable: ${what} cannot be reached now; try again`,
    {
      where: 'redis',
      ...(cause ? { cause } : {}),
    },
  );

const CONNECTION_ERROR =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|MaxRetriesPerRequest/;

function isConnectionError(error: unknown): boolean {
  const { message, code, name } = (error ?? {}) as { message?: unknown; code?: unknown; name?: unknown };
  return [message, code, name].some((part) => typeof part === 'string' && CONNECTION_ERROR.test(part));
}

/**
 * Runs a request's Redis operations on one queue: 503 `CW_REDIS_UNAVAILABLE` without waiting when the connection
 * is not up, and within REDIS_TIMEOUT_MS in any case. A request never hangs on a Redis outage, and, because the
 * queues fail commands instead of keeping them until Redis is back, a refused request leaves no job behind.
 */
export async function viaRedis<T>(
  owner: HasQueue,
  what: string,
  op: (client: QueueRedis) => Promise<T>,
  timeoutMs: number = REDIS_TIMEOUT_MS,
): Promise<T> {
  const started = Date.now();
  // Until the first connection of the process is up, BullMQ's client promise waits for it: bound that wait too.
  const client = (await within(
    owner.queue.getBackend().client,
    timeoutMs,
    'CW_REDIS_UNAVAILABLE',
    what,
  ).catch(() => {
    throw unavailable(what);
  })) as QueueRedis;
  if (client.status !== 'ready') throw unavailable(what);
  try {
    return await within(
      op(client),
      Math.max(timeoutMs - (Date.now() - started), 1),
      'CW_REDIS_UNAVAILABLE',
      what,
    );
  } catch (error) {
    if (isCrosswalkError(error)) {
      if (error.code === 'CW_REDIS_UNAVAILABLE') throw unavailable(what, error);
      throw error;
    }
    // A command refused (not connected) or cut off (ECONNRESET, "Connection is closed") is an outage; the error
    // handler logs the detail (cause) with the request id. Anything else is a fault of ours: 500.
    if (client.status !== 'ready' || isConnectionError(error)) throw unavailable(what, error);
    throw error;
  }
}

/** Answers once Redis does (PING), or 503 as viaRedis does: for a request that must not write anything without it. */
export function redisUp(owner: HasQueue, what: string): Promise<void> {
  return viaRedis(owner, what, async (client) => void (await client.ping()));
}
