import { createHash } from 'node:crypto';
import type { Runtime } from '@crosswalk/runtime';
import { z } from 'zod';
import { viaRedis } from '../redis.js';

/**
 * A console login: which API key it stands for (its id only: the token is checked once, at login, and never
 * kept), the CSRF token handed to the page, and when it ends.
 */
export interface Session {
  keyId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** Where sessions live, by the id in the cookie. Every method answers for one session and never lists them. */
export interface SessionStore {
  put(id: string, session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
  /** Failed logins counted for a client in its current window, and the seconds until that window ends. */
  failures(client: string): Promise<{ count: number; retryAfter: number }>;
  /** Counts a failed login for a client; its window (of `seconds`) starts at its first failure. */
  addFailure(client: string, seconds: number): Promise<void>;
}

const sessionSchema = z
  .object({ keyId: z.string(), csrfToken: z.string(), createdAt: z.string(), expiresAt: z.string() })
  .strict();

/**
 * Stored under a hash of the cookie's id, not the id itself: whoever can read Redis (a backup, MONITOR) learns
 * nothing they could put in a cookie.
 */
const storageKey = (id: string) => `crosswalk:sessions:${createHash('sha256').update(id).digest('hex')}`;

const failureKey = (client: string) =>
  `crosswalk:login-failures:${createHash('sha256').update(client).digest('hex')}`;

/** The commands failure counting adds to the queue connection's (ioredis has them; QueueRedis does not list them). */
interface CounterRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...modifiers: (string | number)[]): Promise<string | null>;
  incr(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
}

const secondsUntil = (at: string) => Math.max(1, Math.ceil((Date.parse(at) - Date.now()) / 1000));

/**
 * Sessions in the runtime's Redis with a TTL, so every API process behind a load balancer knows them and an
 * ended one disappears by itself. A Redis outage answers 503 (viaRedis), as the queues do: Bearer keys still work.
 */
export function redisSessions(runtime: Runtime): SessionStore {
  const queue = runtime.collectQueue;
  return {
    async put(id, session) {
      await viaRedis(queue, 'the session store', (redis) =>
        redis.set(storageKey(id), JSON.stringify(session), 'EX', secondsUntil(session.expiresAt)),
      );
    },
    async get(id) {
      const text = await viaRedis(queue, 'the session store', (redis) => redis.get(storageKey(id)));
      if (text === null) return undefined;
      const parsed = sessionSchema.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.expiresAt > new Date().toISOString() ? parsed.data : undefined;
    },
    async delete(id) {
      await viaRedis(queue, 'the session store', (redis) => redis.del(storageKey(id)));
    },
    async failures(client) {
      return viaRedis(queue, 'the session store', async (redis) => {
        const counter = redis as unknown as CounterRedis;
        const [count, ttl] = await Promise.all([
          counter.get(failureKey(client)),
          counter.ttl(failureKey(client)),
        ]);
        return { count: Number(count ?? 0), retryAfter: Math.max(1, ttl) };
      });
    },
    async addFailure(client, seconds) {
      await viaRedis(queue, 'the session store', async (redis) => {
        const counter = redis as unknown as CounterRedis;
        // The window starts with the first failure (NX) and is not pushed back by later ones.
        await counter.set(failureKey(client), '0', 'EX', seconds, 'NX');
        await counter.incr(failureKey(client));
      });
    },
  };
}

/** Logins one process keeps at most without Redis; the oldest goes first (its owner logs in again). */
const MAX_MEMORY_SESSIONS = 10_000;

/**
 * Sessions in this process's memory, for the embedded API without Redis (`crosswalk demo --serve`): one
 * process, so nobody else needs to know them, and they end with it.
 */
export function memorySessions(): SessionStore {
  const sessions = new Map<string, Session>();
  const failures = new Map<string, { count: number; until: number }>();
  const failuresOf = (client: string) => {
    const held = failures.get(client);
    if (held && held.until <= Date.now()) failures.delete(client);
    return held && held.until > Date.now() ? held : undefined;
  };
  return {
    async failures(client) {
      const held = failuresOf(client);
      return { count: held?.count ?? 0, retryAfter: held ? Math.ceil((held.until - Date.now()) / 1000) : 0 };
    },
    async addFailure(client, seconds) {
      const held = failuresOf(client);
      if (held) held.count += 1;
      else {
        if (failures.size >= MAX_MEMORY_SESSIONS) failures.delete(failures.keys().next().value!);
        failures.set(client, { count: 1, until: Date.now() + seconds * 1000 });
      }
    },
    async put(id, session) {
      const now = new Date().toISOString();
      for (const [key, held] of sessions) if (held.expiresAt <= now) sessions.delete(key);
      if (sessions.size >= MAX_MEMORY_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(storageKey(id), session);
    },
    async get(id) {
      const session = sessions.get(storageKey(id));
      if (session && session.expiresAt <= new Date().toISOString()) {
        sessions.delete(storageKey(id));
        return undefined;
      }
      return session;
    },
    async delete(id) {
      sessions.delete(storageKey(id));
    },
  };
}
