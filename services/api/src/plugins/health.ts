import { type ErrorCode, isCrosswalkError } from '@crosswalk/core';
import { z } from 'zod';
import { queueRedis } from '../redis.js';
import { within } from '../within.js';
import { feature } from './feature.js';

const CHECK_TIMEOUT_MS = 2_000;

const checkSchema = z.object({
  ok: z.boolean(),
  error: z.string().optional().describe('An error code; the detail is in the server log'),
});
const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ redis: checkSchema, locker: checkSchema }),
});

/**
 * Probes, no authentication: `/healthz` (the process answers), `/readyz` (Redis and the locker answer; 503
 * naming which did not), `/metrics` (Prometheus text; counts and labels only, no secrets, no evidence).
 */
export const healthPlugin = feature('crosswalk-health', ['crosswalk-runtime'], async (app) => {
  const { runtime } = app;

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['probes'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const probe = async (name: string, code: ErrorCode, check: () => Promise<unknown>) => {
    try {
      await within(check(), CHECK_TIMEOUT_MS, code, name);
      return { ok: true };
    } catch (error) {
      app.log.warn({ check: name, err: error }, 'readiness check failed');
      return { ok: false, error: isCrosswalkError(error) ? error.code : code };
    }
  };

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['probes'],
        summary: 'Redis and the locker are reachable',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const [redis, locker] = await Promise.all([
        probe('redis', 'CW_REDIS_UNAVAILABLE', async () => {
          const client = await queueRedis(runtime);
          // A disconnected ioredis client queues commands until it reconnects; do not queue probes behind it.
          if (client.status !== 'ready') throw new Error(`redis connection is ${client.status}`);
          await client.ping();
        }),
        probe('locker', 'CW_LOCKER_UNAVAILABLE', () => runtime.locker.ping()),
      ]);
      const ready = redis.ok && locker.ok;
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { redis, locker } });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['probes'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const text = await runtime.metrics.registry.metrics();
      return reply.type(runtime.metrics.registry.contentType).send(text);
    },
  );
});
