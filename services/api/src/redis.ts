import type { Runtime } from '@crosswalk/runtime';

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
