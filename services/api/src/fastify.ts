import type { ApiKeyView, Role, Runtime } from '@crosswalk/runtime';
import type { Sessions } from './sessions/sessions.js';

/** What the app adds to Fastify's types: the shared runtime, the request's API key, and per-route settings. */
declare module 'fastify' {
  interface FastifyInstance {
    /** Queues, locker, keys, configs, logger and metrics, decorated once at the root by the runtime plugin. */
    runtime: Runtime;
    /** Console logins (session cookies), decorated at the root by the session plugin. */
    sessions: Sessions;
  }
  interface FastifyRequest {
    /** The authenticated key; set by the auth plugin on every route under it, null elsewhere. */
    apiKey: ApiKeyView | null;
  }
  interface FastifyContextConfig {
    /** The least role a route needs (admin > operator > auditor). @defaultValue 'auditor' (any valid key) */
    role?: Role;
    /**
     * Exactly the roles a route admits, when the ladder does not fit (exports: auditors and admins, not operators).
     * Wins over `role`.
     */
    roles?: readonly Role[];
  }
}
