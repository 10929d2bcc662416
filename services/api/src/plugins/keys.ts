import { resolveFramework } from '@crosswalk/controls';
import { CrosswalkError, isCrosswalkError, parseInstant } from '@crosswalk/core';
import { keyScopeSchema, roles } from '@crosswalk/runtime';
import { z } from 'zod';
import { bearer, responses } from '../schemas.js';
import { actorOf } from './auth.js';
import { feature, PROTECTED } from './feature.js';

const keyViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    scope: keyScopeSchema.nullable(),
  })
  .describe('API key (never its secret)');

const day = z.string().min(1).max(64);

const createBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: z.enum(roles),
    expiresAt: day.nullish().describe('YYYY-MM-DD (UTC midnight) or an ISO 8601 timestamp; none: never'),
    scope: z
      .object({
        from: day.nullish().describe('Evidence period start, inclusive'),
        to: day.nullish().describe('Evidence period end, exclusive'),
        frameworks: z.array(z.string().min(1).max(50)).min(1).max(5).nullish(),
      })
      .strict()
      .nullish()
      .describe('Auditor keys only: the period and frameworks the key may read'),
  })
  .strict();

const idParams = z.object({
  id: z.string().regex(/^[a-z0-9]{12}$/, 'must be a key id (12 letters or digits)'),
});

function invalid(path: string, message: string): CrosswalkError {
  return new CrosswalkError('CW_INPUT_INVALID', `${path}: ${message}`, {
    where: path,
    issues: [{ path, message }],
  });
}

/**
 * `/v1/keys` (admin): the same keys `crosswalk keys` manages, for the console. A new key's token is in the
 * answer to its creation and nowhere else (stored hashed); revocation reaches every API process (revokeEverywhere).
 */
export const keysPlugin = feature('crosswalk-keys', PROTECTED, async (app) => {
  const { runtime } = app;
  const admin = { role: 'admin' as const };

  app.get(
    '',
    {
      config: admin,
      schema: {
        tags: ['keys'],
        summary: 'List API keys (admin); never their tokens',
        security: bearer,
        response: responses({ 200: z.object({ keys: z.array(keyViewSchema) }) }, [401, 403, 503]),
      },
    },
    async () => ({ keys: await runtime.keys.list() }),
  );

  app.post(
    '',
    {
      config: admin,
      schema: {
        tags: ['keys'],
        summary: 'Create an API key (admin); the token is in this answer only',
        security: bearer,
        body: createBodySchema,
        response: responses(
          {
            201: z.object({
              token: z.string().describe('cwk_<id>_<secret>: shown once'),
              key: keyViewSchema,
            }),
          },
          [400, 401, 403, 503],
        ),
      },
    },
    async (request, reply) => {
      const { body } = request;
      const scope = body.scope ?? null;
      if (scope && body.role !== 'auditor') {
        throw invalid('body.scope', 'a period and frameworks limit auditor keys only');
      }
      const from = scope?.from ? parseInstant(scope.from, 'body.scope.from') : null;
      const to = scope?.to ? parseInstant(scope.to, 'body.scope.to') : null;
      if (from && to && from >= to) throw invalid('body.scope.to', 'must be after from');
      const frameworks =
        scope?.frameworks?.map((name, index) => {
          try {
            return resolveFramework(name);
          } catch {
            throw invalid(`body.scope.frameworks.${index}`, `unknown framework "${name}" (soc2, iso27001)`);
          }
        }) ?? null;
      const expiresAt = body.expiresAt ? parseInstant(body.expiresAt, 'body.expiresAt') : null;
      if (expiresAt && expiresAt <= new Date().toISOString())
        throw invalid('body.expiresAt', 'is in the past');
      const created = await runtime.keys.create({
        name: body.name,
        role: body.role,
        createdBy: actorOf(request),
        expiresAt,
        scope: scope ? { from, to, frameworks } : null,
      });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/:id',
    {
      config: admin,
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key (admin): refused by every API process from its next request',
        security: bearer,
        params: idParams,
        response: responses({ 200: keyViewSchema }, [400, 401, 403, 404, 503]),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { key } = await runtime.keys.revokeEverywhere(id, actorOf(request)).catch((error: unknown) => {
        if (!isCrosswalkError(error, 'CW_NOT_FOUND')) throw error;
        throw new CrosswalkError('CW_NOT_FOUND', `no API key ${id}`, { where: 'params.id' });
      });
      return key;
    },
  );
});
