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
}

const sessionSchema = z
  .object({ keyId: z.string(), csrfToken: z.string(), createdAt: z.string(), expiresAt: z.string() })
  .strict();

/**
 * Stored under a hash of the cookie's id, not the id itself: whoever can read Redis (a backup, MONITOR) learns
 * nothing they could put in a cookie.
 */
const storageKey = (id: string) => `crosswalk:sessions:${createHash('sha256').update(id).digest('hex')}`;

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
  return {
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
