import { CrosswalkError } from '@crosswalk/core';
import { keyScopeSchema } from '@crosswalk/runtime';
import cookie from '@fastify/cookie';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { responses } from '../schemas.js';
import {
  assertCsrf,
  bodyOf,
  clearSessionCookie,
  SESSION_COOKIE,
  Sessions,
  setSessionCookie,
} from '../sessions/sessions.js';
import { memorySessions, redisSessions } from '../sessions/store.js';

export type SessionStoreKind = 'redis' | 'memory';

const sessionBody = z
  .object({
    key: z.object({
      id: z.string(),
      name: z.string(),
      role: z.enum(['admin', 'operator', 'auditor']),
      scope: keyScopeSchema.nullable(),
    }),
    csrfToken: z.string().describe('Send it as x-csrf-token on every write made with the session cookie'),
    expiresAt: z.string().describe('When the login ends (the cookie expires with it)'),
  })
  .describe('Session');

const noSession = () =>
  new CrosswalkError(
    'CW_UNAUTHORIZED',
    `no live session: the ${SESSION_COOKIE} cookie is missing, has ended, or its API key was revoked; log in with POST /v1/session`,
    { where: 'headers.cookie' },
  );

/** The login routes under /v1/session: the only /v1 routes outside the API-key check (login takes no credential). */
const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { runtime, sessions } = app;

  app.post(
    '',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in: exchange an API key for an HttpOnly session cookie (cw_session) and a CSRF token',
        body: z
          .object({ apiKey: z.string().min(1).max(200).describe('The API key, cwk_<id>_<secret>') })
          .strict(),
        response: responses({ 200: sessionBody }, [400, 401, 429, 503]),
      },
    },
    async (request, reply) => {
      const login = await sessions.login(request.body.apiKey, request.ip);
      if (!login.ok && login.reason === 'throttled') {
        reply.header('retry-after', String(login.retryAfter));
        throw new CrosswalkError(
          'CW_TOO_MANY_ATTEMPTS',
          `too many failed logins from this address: try again in ${login.retryAfter} s`,
          { where: 'body.apiKey' },
        );
      }
      if (!login.ok) {
        throw new CrosswalkError(
          'CW_UNAUTHORIZED',
          'a valid API key is required: cwk_<id>_<secret> (unknown, expired or revoked)',
          { where: 'body.apiKey' },
        );
      }
      setSessionCookie(reply, request, runtime, login.id, login.body.expiresAt);
      return login.body;
    },
  );

  app.get(
    '',
    {
      schema: {
        tags: ['session'],
        summary: "The current login (after a page reload): the key's role and scope, and the CSRF token",
        response: responses({ 200: sessionBody }, [401, 503]),
      },
    },
    async (request, reply) => {
      const found = await sessions.resolve(request);
      if (!found) {
        clearSessionCookie(reply, request, runtime);
        throw noSession();
      }
      return bodyOf(found.session, found.key);
    },
  );

  app.delete(
    '',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out: the session ends on the server and the cookie is cleared (needs x-csrf-token)',
        response: responses({ 204: z.null() }, [403, 503]),
      },
    },
    async (request, reply) => {
      const found = await sessions.resolve(request);
      if (found) {
        assertCsrf(request, found.session);
        await sessions.logout(found.id);
      }
      // Without a live session there is nothing to end: the cookie is cleared all the same.
      clearSessionCookie(reply, request, runtime);
      return reply.status(204).send(null);
    },
  );
};

/**
 * Console logins: @fastify/cookie, the session store (Redis, or memory in the embedded API without Redis)
 * decorated as `app.sessions` for the API-key check, and the /v1/session routes. Not encapsulated: the auth
 * plugin, registered later in a child scope, reads `app.sessions` and `request.cookies`.
 */
export const sessionPlugin = fp<{ store: SessionStoreKind }>(
  async (app, { store }) => {
    await app.register(cookie);
    app.decorate(
      'sessions',
      new Sessions(app.runtime, store === 'memory' ? memorySessions() : redisSessions(app.runtime)),
    );
    await app.register(sessionRoutes, { prefix: '/v1/session' });
  },
  { name: 'crosswalk-sessions', fastify: '5.x', dependencies: ['crosswalk-runtime'] },
);
