import { CrosswalkError } from '@crosswalk/core';
import type { ApiKeyView, Role } from '@crosswalk/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assertCsrf, SESSION_COOKIE } from '../sessions/sessions.js';

const RANK: Record<Role, number> = { auditor: 1, operator: 2, admin: 3 };

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * API key authentication for every route registered next to it (it is not encapsulated, so it guards the
 * scope it is registered in): `Authorization: Bearer cwk_...` must name a valid key, or the console's session
 * cookie a live login (else 401, before any body is parsed or validated); the key's role must reach the route's
 * `config.role` (else 403). A cookie-authenticated write without the session's CSRF token is a 403.
 */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('apiKey', null);
    app.addHook('onRequest', async (request) => {
      const key = await keyOf(app, request);
      const { roles } = request.routeOptions.config;
      if (roles && !roles.includes(key.role)) {
        throw new CrosswalkError(
          'CW_FORBIDDEN',
          `this route is for the ${roles.join(' and ')} roles; the key is ${key.role}`,
          { where: 'headers.authorization' },
        );
      }
      const needed = request.routeOptions.config.role ?? 'auditor';
      if (!roles && RANK[key.role] < RANK[needed]) {
        throw new CrosswalkError(
          'CW_FORBIDDEN',
          `this route needs the ${needed} role or higher; the key is ${key.role}`,
          { where: 'headers.authorization' },
        );
      }
      request.apiKey = key;
    });
  },
  { name: 'crosswalk-auth', fastify: '5.x', dependencies: ['crosswalk-runtime', 'crosswalk-sessions'] },
);

/**
 * The key a request acts as: its Bearer token's when it sends an Authorization header (cookies are then not
 * looked at), else its console session's, whose writes must carry the CSRF token.
 */
async function keyOf(app: FastifyInstance, request: FastifyRequest): Promise<ApiKeyView> {
  const header = request.headers.authorization;
  if (header === undefined && request.cookies[SESSION_COOKIE] !== undefined) {
    const found = await app.sessions.resolve(request);
    if (!found) {
      throw new CrosswalkError(
        'CW_UNAUTHORIZED',
        `the ${SESSION_COOKIE} session has ended or is unknown (logged out, expired, or its API key revoked): log in again with POST /v1/session`,
        { where: 'headers.cookie' },
      );
    }
    assertCsrf(request, found.session);
    return found.key;
  }
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  const key = token === undefined ? undefined : await app.runtime.keys.authenticate(token);
  if (!key) {
    throw new CrosswalkError(
      'CW_UNAUTHORIZED',
      'a valid API key is required: Authorization: Bearer cwk_<id>_<secret> (missing, unknown, expired or revoked)',
      { where: 'headers.authorization' },
    );
  }
  return key;
}

/** Who did it, for the audit trail: `key:<keyId>`. */
export function actorOf(request: FastifyRequest): string {
  if (!request.apiKey) throw new CrosswalkError('CW_UNAUTHORIZED', 'no API key on this request');
  return `key:${request.apiKey.id}`;
}
