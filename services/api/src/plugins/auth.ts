import { CrosswalkError } from '@crosswalk/core';
import type { Role } from '@crosswalk/runtime';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const RANK: Record<Role, number> = { auditor: 1, operator: 2, admin: 3 };

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * API key authentication for every route registered next to it (it is not encapsulated, so it guards the
 * scope it is registered in): `Authorization: Bearer cwk_...` must name a valid key (else 401, before any body
 * is parsed or validated), and the key's role must reach the route's `config.role` (else 403).
 */
export const authPlugin = fp(
  async (app) => {
    app.decorateRequest('apiKey', null);
    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
      const key = token === undefined ? undefined : await app.runtime.keys.authenticate(token);
      if (!key) {
        throw new CrosswalkError(
          'CW_UNAUTHORIZED',
          'a valid API key is required: Authorization: Bearer cwk_<id>_<secret> (missing, unknown, expired or revoked)',
          { where: 'headers.authorization' },
        );
      }
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
  { name: 'crosswalk-auth', fastify: '5.x', dependencies: ['crosswalk-runtime'] },
);

/** Who did it, for the audit trail: `key:<keyId>`. */
export function actorOf(request: FastifyRequest): string {
  if (!request.apiKey) throw new CrosswalkError('CW_UNAUTHORIZED', 'no API key on this request');
  return `key:${request.apiKey.id}`;
}
