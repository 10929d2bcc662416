import { type ErrorCode, isCrosswalkError } from '@crosswalk/core';
import { checkSchedules } from '@crosswalk/runtime';
import { z } from 'zod';
import { queueRedis } from '../redis.js';
import { within } from '../within.js';
import { feature } from './feature.js';

const CHECK_TIMEOUT_MS = 2_000;

const checkSchema = z.object({
  ok: z.boolean(),
  error: z.string().optional().describe('An error code; the detail is in the server log'),
});
const schedulesSchema = z
  .object({
    ok: z.boolean(),
    configured: z.number().describe('Collection schedules the stored connectors call for'),
    missing: z.number().describe('Of those, how many Redis does not hold (a worker restores them)'),
    error: z.string().optional(),
  })
  .describe('Collection schedules against the stored connectors');
const readySchema = z.object({
  status: z
    .enum(['ready', 'degraded', 'unavailable'])
    .describe('degraded: requests are served (200) but configured collection schedules are missing'),
  checks: z.object({ redis: checkSchema, locker: checkSchema, schedules: schedulesSchema.optional() }),
});

/** The schedule check reads every connector config: readiness probes reuse its answer this long. */
const SCHEDULES_CACHE_MS = 10_000;

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

  let lastSchedules: { at: number; answer: z.infer<typeof schedulesSchema> } | undefined;
  /**
   * Whether Redis holds every schedule the stored connectors call for: after a Redis restart without persistence
   * it holds none until a worker restores them. Serving requests does not depend on it, so missing schedules make
   * readiness `degraded` (200), not unavailable; crosswalk_schedules_missing carries the same number for alerts.
   */
  async function scheduleCheck(): Promise<z.infer<typeof schedulesSchema>> {
    if (lastSchedules && Date.now() - lastSchedules.at < SCHEDULES_CACHE_MS) return lastSchedules.answer;
    let answer: z.infer<typeof schedulesSchema>;
    try {
      const check = await within(
        checkSchedules(runtime),
        CHECK_TIMEOUT_MS,
        'CW_REDIS_UNAVAILABLE',
        'schedules',
      );
      runtime.metrics.schedulesConfigured.set(check.configured);
      runtime.metrics.schedulesMissing.set(check.missing.length);
      answer = {
        ok: check.missing.length === 0,
        configured: check.configured,
        missing: check.missing.length,
      };
      if (!answer.ok)
        app.log.warn({ missing: check.missing.length }, 'configured collection schedules are missing');
    } catch (error) {
      // Redis or the locker is down: their own checks say so; the schedules are unknown, not missing.
      return {
        ok: false,
        configured: 0,
        missing: 0,
        error: isCrosswalkError(error) ? error.code : 'CW_INTERNAL',
      };
    }
    lastSchedules = { at: Date.now(), answer };
    return answer;
  }

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
      const [redis, locker, schedules] = await Promise.all([
        probe('redis', 'CW_REDIS_UNAVAILABLE', async () => {
          const client = await queueRedis(runtime);
          // A disconnected ioredis client queues commands until it reconnects; do not queue probes behind it.
          if (client.status !== 'ready') throw new Error(`redis connection is ${client.status}`);
          await client.ping();
        }),
        probe('locker', 'CW_LOCKER_UNAVAILABLE', () => runtime.locker.ping()),
        scheduleCheck(),
      ]);
      const ready = redis.ok && locker.ok;
      const status = !ready ? 'unavailable' : schedules.ok ? 'ready' : 'degraded';
      return reply.status(ready ? 200 : 503).send({ status, checks: { redis, locker, schedules } });
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
