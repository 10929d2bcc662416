import { CrosswalkError, isCrosswalkError } from '@crosswalk/core';
import type { RunManifest } from '@crosswalk/locker';
import { connectorFor, connectorTypes } from '@crosswalk/runtime';
import { z } from 'zod';
import { collectWindowProblem } from '../collect-window.js';
import { decodeCursor, encodeCursor, isAfter } from '../cursor.js';
import { viaRedis } from '../redis.js';
import { bearer, connectorIdSchema, limitParam, responses } from '../schemas.js';
import { instantParam, MAX_INSTANT } from '../time.js';
import { actorOf } from './auth.js';
import { feature, PROTECTED } from './feature.js';

const connectorViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    config: z
      .record(z.string(), z.unknown())
      .describe('The config as stored; every credential reads "[write-only]"'),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .describe('Connector');

const createBodySchema = z
  .looseObject({
    id: connectorIdSchema,
    type: z.string().describe(`Connector type: ${connectorTypes().join(', ')}`),
  })
  .describe("`{ id, ...config }`: the rest is validated by the connector type's own config schema");

const patchBodySchema = z
  .record(z.string(), z.unknown())
  .describe(
    'JSON merge patch (RFC 7386) onto the config: `null` removes a field; credentials may be replaced',
  );

const collectBodySchema = z
  .object({
    collectors: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(50)
      .optional()
      .describe('Collector ids; all of the connector when omitted'),
    since: instantParam.optional().describe('Start of the source-time window (with until)'),
    until: instantParam.optional().describe('End of the window, exclusive (with since)'),
  })
  .strict();

const collectorRunSchema = z.object({
  id: z.string(),
  kind: z.string(),
  window: z.object({ since: z.string(), until: z.string() }),
  status: z.enum(['succeeded', 'failed']),
  stored: z.number(),
  duplicates: z.number(),
  requests: z.number(),
  sourceTotal: z
    .number()
    .optional()
    .describe("the source's own count of the window (GitHub search's issueCount), where it reports one"),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const runSummarySchema = z.object({
  runId: z.string(),
  sequence: z.number(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['succeeded', 'partial', 'failed']),
  trigger: z.record(z.string(), z.unknown()).describe('schedule, webhook (delivery id) or manual (by whom)'),
  window: z.object({ since: z.string(), until: z.string() }).nullable(),
  filter: z.record(z.string(), z.string()),
  collectors: z.array(collectorRunSchema),
  deliveries: z
    .array(z.object({ deliveryId: z.string(), event: z.string() }))
    .nullable()
    .describe(
      'The webhook deliveries whose items this run stored (a batch), in arrival order; null otherwise',
    ),
  recordsStored: z.number().describe('New records this run stored (ids and hashes are in the manifest)'),
  sha256: z.string().describe("The manifest's hash in the connector's run chain"),
});

const idParams = z.object({ id: connectorIdSchema });

/** Issues of a connector's config schema point into the request body, not at the runner's config paths. */
function inBody(error: unknown, id: string): unknown {
  if (!isCrosswalkError(error, 'CW_CONFIG_INVALID')) return error;
  const runnerPrefix = `connectors.${id}`;
  const issues = error.issues.map((issue) => {
    const path = issue.path.startsWith(`${runnerPrefix}.`)
      ? issue.path.slice(runnerPrefix.length + 1)
      : issue.path === runnerPrefix || issue.path === '(root)'
        ? ''
        : issue.path;
    return { path: path ? `body.${path}` : 'body', message: issue.message };
  });
  return new CrosswalkError(
    'CW_CONFIG_INVALID',
    issues.length > 0
      ? `invalid connector config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
      : error.message,
    { where: issues[0]?.path ?? 'body', issues },
  );
}

function summary(manifest: RunManifest): z.infer<typeof runSummarySchema> {
  return {
    runId: manifest.runId,
    sequence: manifest.sequence,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    status: manifest.status,
    trigger: manifest.trigger,
    window: manifest.window,
    filter: manifest.filter,
    deliveries: manifest.deliveries ?? null,
    collectors: manifest.collectors,
    // Manifests list every record a run met; those it found already stored are marked duplicate.
    recordsStored: manifest.records.filter((record) => !record.duplicate).length,
    sha256: manifest.sha256,
  };
}

/**
 * `/v1/connectors`: configuration (admin), collection now and run history (operator). Configs are validated by
 * the connector type's schema, credentials sealed and write-only, every change audited as `key:<keyId>`, and
 * schedules follow the config (declared on create and update, removed on delete).
 */
export const connectorsPlugin = feature('crosswalk-connectors', PROTECTED, async (app) => {
  const { runtime } = app;
  const admin = { role: 'admin' as const };

  /**
   * Schedules follow the stored configs. The config is the truth and lives in the locker: with Redis down the
   * change is kept and answered, and workers declare (or drop) the schedules when Redis is back, since they
   * reconcile the schedulers against the configs on every reconnect and periodically.
   */
  async function schedules(id: string, change: () => Promise<unknown>): Promise<void> {
    try {
      await viaRedis(runtime.collectQueue, 'the schedules', change);
    } catch (error) {
      if (!(isCrosswalkError(error) && error.code === 'CW_REDIS_UNAVAILABLE')) throw error;
      app.log.warn(
        { connectorId: id },
        'schedules not changed now (Redis unavailable): workers reconcile them',
      );
    }
  }

  app.post(
    '',
    {
      config: admin,
      schema: {
        tags: ['connectors'],
        summary: 'Create a connector (admin)',
        security: bearer,
        body: createBodySchema,
        response: responses({ 201: connectorViewSchema }, [400, 401, 403, 409]),
      },
    },
    async (request, reply) => {
      const { id, ...config } = request.body;
      const view = await runtime.configs.create(id, config, actorOf(request)).catch((error: unknown) => {
        throw inBody(error, id);
      });
      await schedules(id, () =>
        runtime.collectQueue.declareSchedules(id, connectorFor(view.type), view.config),
      );
      return reply.status(201).send(view);
    },
  );

  app.get(
    '',
    {
      config: admin,
      schema: {
        tags: ['connectors'],
        summary: 'List connectors (admin)',
        security: bearer,
        response: responses({ 200: z.object({ connectors: z.array(connectorViewSchema) }) }, [401, 403]),
      },
    },
    async () => ({ connectors: await runtime.configs.list() }),
  );

  app.get(
    '/:id',
    {
      config: admin,
      schema: {
        tags: ['connectors'],
        summary: 'Read a connector (admin); credentials read "[write-only]"',
        security: bearer,
        params: idParams,
        response: responses({ 200: connectorViewSchema }, [400, 401, 403, 404]),
      },
    },
    async (request) => runtime.configs.get(request.params.id),
  );

  app.patch(
    '/:id',
    {
      config: admin,
      schema: {
        tags: ['connectors'],
        summary: 'Change a connector by JSON merge patch (admin)',
        security: bearer,
        params: idParams,
        body: patchBodySchema,
        response: responses({ 200: connectorViewSchema }, [400, 401, 403, 404]),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { id: bodyId, ...patch } = request.body;
      if (bodyId !== undefined && bodyId !== id) {
        throw new CrosswalkError('CW_INPUT_INVALID', `a connector's id cannot change (${id})`, {
          where: 'body.id',
          issues: [{ path: 'body.id', message: 'cannot change' }],
        });
      }
      const view = await runtime.configs.update(id, patch, actorOf(request)).catch((error: unknown) => {
        throw inBody(error, id);
      });
      await schedules(id, () =>
        runtime.collectQueue.declareSchedules(id, connectorFor(view.type), view.config),
      );
      return view;
    },
  );

  app.delete(
    '/:id',
    {
      config: admin,
      schema: {
        tags: ['connectors'],
        summary: 'Delete a connector and its schedules (admin); its evidence and runs stay',
        security: bearer,
        params: idParams,
        response: responses({ 204: z.null().describe('Deleted') }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await runtime.configs.delete(id, actorOf(request));
      await schedules(id, () => runtime.collectQueue.removeSchedules(id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/:id/collect',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['connectors'],
        summary: 'Collect now (operator): one job per collector',
        description:
          'Without since/until each collector continues from where it last finished. A window starts no later ' +
          'than now and spans at most 2 years (as an export). A job for the same ' +
          '(connector, collector, window) that already exists is not added twice: its id comes back with its state.',
        security: bearer,
        params: idParams,
        body: collectBodySchema.nullish(),
        response: responses(
          {
            202: z.object({
              jobs: z.array(z.object({ collector: z.string(), jobId: z.string(), state: z.string() })),
            }),
          },
          [400, 401, 403, 404, 503],
        ),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body ?? {};
      const view = await runtime.configs.get(id);
      const connector = connectorFor(view.type);
      const known = connector.collectors.map((c) => c.id);
      const names = body.collectors ?? known;
      const issues = names.flatMap((name, index) =>
        known.includes(name)
          ? []
          : [{ path: `body.collectors.${index}`, message: `must be one of ${known.join(', ')}` }],
      );
      if ((body.since === undefined) !== (body.until === undefined)) {
        issues.push({ path: 'body.until', message: 'since and until go together' });
      } else if (body.since !== undefined && body.until !== undefined) {
        const problem = collectWindowProblem(body.since, body.until);
        if (problem) issues.push({ path: 'body.until', message: problem });
      }
      if (issues.length > 0) {
        throw new CrosswalkError(
          'CW_INPUT_INVALID',
          `invalid collect request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { where: issues[0]!.path, issues },
        );
      }
      const window =
        body.since !== undefined && body.until !== undefined
          ? { since: body.since, until: body.until }
          : null;
      const by = actorOf(request);
      const jobs = [];
      // Each add is deduplicated by (connector, collector, window): a retry after a 503 adds only what is missing.
      for (const collector of new Set(names)) {
        jobs.push(
          await viaRedis(runtime.collectQueue, 'the collect queue', async () => {
            const jobId = await runtime.collectQueue.enqueue({
              connectorId: id,
              collector,
              window,
              filter: {},
              trigger: { type: 'manual', by },
            });
            return { collector, jobId, state: await runtime.collectQueue.queue.getJobState(jobId) };
          }),
        );
      }
      return reply.status(202).send({ jobs });
    },
  );

  app.get(
    '/:id/schedules',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['connectors'],
        summary: "A connector's schedules (operator): each collector's cron pattern and next scheduled run",
        description:
          'From the queue (Redis): a collector the config leaves unconfigured has none. 404 for an unknown connector.',
        security: bearer,
        params: idParams,
        response: responses(
          {
            200: z.object({
              schedules: z.array(
                z.object({
                  collector: z.string(),
                  pattern: z.string().describe('cron, UTC'),
                  next: z.string().nullable().describe('When the next scheduled collection is queued'),
                }),
              ),
            }),
          },
          [400, 401, 403, 404, 503],
        ),
      },
    },
    async (request) => {
      const { id } = request.params;
      await runtime.configs.get(id);
      return {
        schedules: await viaRedis(runtime.collectQueue, 'the schedules', () =>
          runtime.collectQueue.schedulesOf(id),
        ),
      };
    },
  );

  app.get(
    '/:id/runs',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['connectors'],
        summary: "A connector's runs (operator): when, trigger, counts, failures",
        description: 'Runs that started in [from, to), oldest first. from defaults to 7 days ago.',
        security: bearer,
        params: idParams,
        querystring: z
          .object({
            from: instantParam.optional(),
            to: instantParam.optional(),
            cursor: z.string().max(500).optional(),
            limit: limitParam,
          })
          .strict(),
        response: responses(
          { 200: z.object({ runs: z.array(runSummarySchema), nextCursor: z.string().nullable() }) },
          [400, 401, 403],
        ),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { limit } = request.query;
      const from = request.query.from ?? new Date(Date.now() - 7 * 24 * 3600_000).toISOString();
      const to = request.query.to ?? MAX_INSTANT;
      const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      const start = after && after.at > from ? after.at : from;
      const runs: RunManifest[] = [];
      let more = false;
      if (start < to) {
        for await (const manifest of runtime.locker.runs.list(id, { from: start, to })) {
          if (!isAfter({ at: manifest.startedAt, id: manifest.runId }, after)) continue;
          if (runs.length === limit) {
            more = true;
            break;
          }
          runs.push(manifest);
        }
      }
      const last = runs.at(-1);
      return {
        runs: runs.map(summary),
        nextCursor: more && last ? encodeCursor({ at: last.startedAt, id: last.runId }) : null,
      };
    },
  );
});
