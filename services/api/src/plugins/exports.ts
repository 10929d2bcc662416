import { exportRequestSchema, resolveRequest } from '@crosswalk/assurance';
import { CrosswalkError, type ErrorCode, errorCatalog } from '@crosswalk/core';
import { ExportLedger, type ExportRequestRecord, newExportId, requestFingerprint } from '@crosswalk/export';
import type { Runtime } from '@crosswalk/runtime';
import { z } from 'zod';
import { allAt, assertExportWithin, BODY_FIELDS, resolveSelection } from '../export-scope.js';
import { redisUp, viaRedis } from '../redis.js';
import { bearer, limitParam, responses } from '../schemas.js';
import { instantParam } from '../time.js';
import { actorOf } from './auth.js';
import { feature, PROTECTED } from './feature.js';

/** Exports are audit artefacts: auditors ask for them, admins too; operators run collections, not audits. */
const EXPORT_ROLES = ['auditor', 'admin'] as const;

const EXPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const idParams = z.object({
  id: z.string().regex(EXPORT_ID, 'must be an export id (a UUID)').describe('Export id'),
});

const requestBodySchema = exportRequestSchema
  .extend({
    frameworks: z
      .array(z.string().min(1).max(50))
      .min(1)
      .max(5)
      .describe('soc2 (soc2-2017) and/or iso27001 (iso27001-2022)'),
    controls: z
      .array(z.string().min(1).max(100))
      .max(500)
      .optional()
      .describe('Only these controls (CC6.1, A.5.15, soc2:CC8.1, iso27001:2013:A.9.2.6); all when omitted'),
    from: z
      .string()
      .min(1)
      .max(64)
      .describe('Period start, inclusive: YYYY-MM-DD (UTC midnight) or an ISO 8601 timestamp'),
    to: z.string().min(1).max(64).describe('Period end, exclusive; a timestamp without a zone is UTC'),
  })
  .describe('What to export: membership is by occurredAt in [from, to)');

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-255 visible ASCII characters, e.g. a UUID')
    .optional()
    .describe(
      'A key of your choice (a UUID) that makes the request safe to retry: the same key and request answer with ' +
        'the first export; kept per API key, without expiry',
    ),
});

/** A concurrent replay recorded the request first: that one stands. */
function alreadyRecorded(error: unknown): void {
  if (!(error instanceof CrosswalkError && error.code === 'CW_LOCKER_DUPLICATE')) throw error;
}

const statusSchema = z
  .object({
    id: z.string(),
    status: z
      .enum(['queued', 'running', 'done', 'failed', 'lost'])
      .describe(
        'queued or running: the worker has it; done: the bundle is in the locker; failed: see error; ' +
          'lost: the request was recorded but its job is gone (Redis lost it): ask again',
      ),
    request: z.object({
      frameworks: z.array(z.string()),
      controls: z.array(z.string()).nullable(),
      from: z.string(),
      to: z.string(),
      requestedAt: z.string(),
      requestedBy: z.string(),
    }),
    progress: z
      .object({
        phase: z.string(),
        records: z.number(),
        runs: z.number(),
        bytes: z.number(),
        elapsedMs: z.number(),
        current: z.string().optional(),
      })
      .nullable()
      .describe('While running: what the worker reported last'),
    attempts: z
      .number()
      .nullable()
      .describe('Attempts the worker has made, while the queue remembers the job'),
    result: z
      .object({
        completedAt: z.string(),
        generatedAt: z.string(),
        bytes: z.number(),
        sha256: z.string().describe('SHA-256 of the whole zip: compare it with the downloaded file'),
        fingerprint: z
          .string()
          .describe("The signing key's fingerprint: what `crosswalk verify --fingerprint` takes"),
        records: z.number(),
        runs: z.number(),
        files: z.number(),
        coverage: z.object({
          controls: z.number(),
          complete: z.number(),
          gaps: z.number(),
          noEvidence: z.number(),
          manual: z.number(),
        }),
        leftOut: z
          .object({
            count: z.number(),
            records: z.array(z.object({ id: z.string(), key: z.string() })).describe('The first 100'),
          })
          .nullable()
          .describe(
            'Records of the period that no chained run vouches for, left out of the bundle (see `crosswalk locker verify-runs`); null for exports recorded before this was',
          ),
      })
      .nullable(),
    download: z
      .object({
        url: z.string().describe('Streams the zip through the API (needs this API key)'),
        presignedUrl: z
          .string()
          .nullable()
          .describe('Straight from the bucket, no key needed, until presignedUrlExpiresAt (S3 lockers only)'),
        presignedUrlExpiresAt: z.string().nullable(),
      })
      .nullable(),
    error: z.object({ code: z.string(), message: z.string(), attempts: z.number() }).nullable(),
  })
  .describe('An export: its request, where the job is, and when done, the bundle');

type ExportStatus = z.infer<typeof statusSchema>;

const listQuerySchema = z
  .object({
    from: instantParam.optional().describe('Only exports asked for at or after this UTC date or timestamp'),
    cursor: z
      .string()
      .regex(EXPORT_ID, 'must be the nextCursor of the previous page')
      .optional()
      .describe('nextCursor of the previous page'),
    limit: limitParam,
  })
  .strict();

const listItemSchema = z.object({
  id: z.string(),
  status: statusSchema.shape.status,
  request: statusSchema.shape.request,
});

/** Entries looked at per page at most: a scoped key that may see few exports still gets a bounded answer. */
const MAX_EXAMINED = 1000;

const QUEUE = 'the export queue';

/**
 * The status of an export whose ledger holds neither result nor failure, from its job. A job that failed for
 * good is `failed` (its failure record may not be written yet: the worker could not reach the locker, and
 * writes it once it can), never `queued`; no job at all is `lost`.
 */
function jobStatus(job: QueueState | undefined): ExportStatus['status'] {
  if (!job) return 'lost';
  if (job.state === 'active') return 'running';
  if (job.state === 'failed') return 'failed';
  // A job completes only after its result.json is written (storeExport), so completed means done.
  if (job.state === 'completed') return 'done';
  return 'queued';
}

type QueueState = Awaited<ReturnType<Runtime['exportQueue']['state']>>;

/** The cause of a job that failed for good: its code (the worker puts it first), not its detail. */
function jobError(job: NonNullable<QueueState>): NonNullable<ExportStatus['error']> {
  const code = /^(CW_[A-Z_]+): /.exec(job.reason ?? '')?.[1];
  const known = code && code in errorCatalog ? (code as ErrorCode) : 'CW_INTERNAL';
  return {
    code: known,
    message: `the export failed after ${job.attempts} attempts: ${errorCatalog[known].summary} The worker log has the detail.`,
    attempts: job.attempts,
  };
}

async function pendingStatus(runtime: Runtime, id: string): Promise<ExportStatus['status']> {
  return jobStatus(await viaRedis(runtime.exportQueue, QUEUE, () => runtime.exportQueue.state(id)));
}

async function statusOf(
  runtime: Runtime,
  ledger: ExportLedger,
  request: ExportRequestRecord,
  settledOnce = false,
): Promise<ExportStatus> {
  const id = request.exportId;
  const base = {
    id,
    request: {
      frameworks: request.frameworks,
      controls: request.controls,
      from: request.from,
      to: request.to,
      requestedAt: request.requestedAt,
      requestedBy: request.requestedBy,
    },
    progress: null,
    attempts: null,
    result: null,
    download: null,
    error: null,
  } satisfies Omit<ExportStatus, 'status'>;
  const result = await ledger.result(id);
  if (result) {
    const seconds = runtime.env.CROSSWALK_EXPORT_URL_SECONDS;
    const presigned = await ledger.bundleUrl(id, seconds);
    return {
      ...base,
      status: 'done',
      result: {
        completedAt: result.completedAt,
        generatedAt: result.generatedAt,
        bytes: result.bundle.bytes,
        sha256: result.bundle.sha256,
        fingerprint: result.fingerprint,
        ...result.counts,
        coverage: result.coverage,
        leftOut: result.leftOut ?? null,
      },
      download: {
        url: `/v1/exports/${id}/bundle.zip`,
        presignedUrl: presigned ?? null,
        presignedUrlExpiresAt: presigned ? new Date(Date.now() + seconds * 1000).toISOString() : null,
      },
    };
  }
  const failure = await ledger.failure(id);
  if (failure) {
    return {
      ...base,
      status: 'failed',
      error: { code: failure.code, message: failure.message, attempts: failure.attempts },
    };
  }
  const job = await viaRedis(runtime.exportQueue, QUEUE, () => runtime.exportQueue.state(id));
  const status = jobStatus(job);
  if (!job || status === 'lost') return { ...base, status: 'lost' };
  // The job finished between the ledger reads above and now: read the result it wrote.
  if (status === 'done')
    return settledOnce ? { ...base, status: 'lost' } : statusOf(runtime, ledger, request, true);
  if (status === 'failed') return { ...base, status, attempts: job.attempts, error: jobError(job) };
  // (pendingStatus says the same for a list item, without the progress.)
  const progress = job.progress as ExportStatus['progress'] | number;
  return {
    ...base,
    status,
    attempts: job.attempts,
    progress: typeof progress === 'object' && progress !== null ? progress : null,
  };
}

/**
 * `/v1/exports`: auditors (and admins) ask for a period-scoped bundle; the worker builds it into the locker;
 * its status and the bundle itself are read back here. A scoped auditor key can neither ask for nor read an
 * export outside its period and frameworks.
 */
export const exportsPlugin = feature('crosswalk-exports', PROTECTED, async (app) => {
  const { runtime } = app;
  const ledger = new ExportLedger(runtime.locker);

  /** The request behind an id, if this key may see it (else 403; unknown ids 404). */
  async function readable(id: string, key: Parameters<typeof assertExportWithin>[0]) {
    const request = await ledger.request(id);
    if (!request) throw new CrosswalkError('CW_NOT_FOUND', `no export ${id}`, { where: 'params.id' });
    assertExportWithin(
      key,
      resolveRequest({
        frameworks: request.frameworks,
        controls: request.controls,
        from: request.from,
        to: request.to,
      }),
      allAt('params.id'),
    );
    return request;
  }

  app.get(
    '',
    {
      config: { roles: EXPORT_ROLES },
      schema: {
        tags: ['exports'],
        summary: 'List exports, oldest first',
        description:
          'The exports this key may read (a scoped key sees those inside its scope), in the order they were asked ' +
          'for. Page with `nextCursor`; it is null on the last page.',
        security: bearer,
        querystring: listQuerySchema,
        response: responses(
          { 200: z.object({ exports: z.array(listItemSchema), nextCursor: z.string().nullable() }) },
          [400, 401, 403, 503],
        ),
      },
    },
    async (request) => {
      const { from, cursor, limit } = request.query;
      const items: z.infer<typeof listItemSchema>[] = [];
      let examined = 0;
      let last: string | undefined;
      let more = false;
      for await (const entry of ledger.entries({
        ...(from ? { since: new Date(from) } : {}),
        ...(cursor ? { after: cursor } : {}),
      })) {
        if (items.length >= limit || examined >= MAX_EXAMINED) {
          more = true;
          break;
        }
        examined++;
        last = entry.exportId;
        const asked = await ledger.request(entry.exportId);
        if (!asked) continue; // a bundle without its request: not an export of this service
        try {
          assertExportWithin(
            request.apiKey,
            resolveRequest({
              frameworks: asked.frameworks,
              controls: asked.controls,
              from: asked.from,
              to: asked.to,
            }),
            allAt('query'),
          );
        } catch {
          continue; // outside the key's scope: not listed
        }
        items.push({
          id: asked.exportId,
          status: entry.hasResult
            ? 'done'
            : entry.hasFailure
              ? 'failed'
              : await pendingStatus(runtime, entry.exportId),
          request: {
            frameworks: asked.frameworks,
            controls: asked.controls,
            from: asked.from,
            to: asked.to,
            requestedAt: asked.requestedAt,
            requestedBy: asked.requestedBy,
          },
        });
      }
      return { exports: items, nextCursor: more && last ? last : null };
    },
  );

  app.post(
    '',
    {
      config: { roles: EXPORT_ROLES },
      schema: {
        tags: ['exports'],
        summary: 'Ask for an export',
        description:
          'Validates the request completely (frameworks, controls, window of at most 2 years) and against the ' +
          "key's scope, records it, and queues the build. Answers 202 with the export's status; poll " +
          '`GET /v1/exports/{id}` until it is done, then download. With an `Idempotency-Key` header, a retry of the ' +
          'same request answers with the export the first attempt made (never a second export); the same key with a ' +
          'different request is refused with 422.',
        security: bearer,
        headers: idempotencyHeaders,
        body: requestBodySchema,
        response: responses({ 202: statusSchema }, [400, 401, 403, 422, 503]),
      },
    },
    async (request, reply) => {
      // Everything is checked before anything is written: bad input or a scope breach leaves no trace but a 4xx.
      const resolved = resolveSelection(request.body, BODY_FIELDS);
      assertExportWithin(request.apiKey, resolved, BODY_FIELDS);
      // Redis must be up before the request is recorded: a request recorded but never queued would be `lost`.
      await redisUp(runtime.exportQueue, QUEUE);
      const requestedBy = actorOf(request);
      const asked = {
        frameworks: resolved.scope.frameworks,
        controls: resolved.scope.requestedControls,
        from: resolved.window.from,
        to: resolved.window.to,
      };
      const requestedAt = new Date().toISOString();
      let exportId = newExportId();
      let first = true;
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey !== undefined) {
        const fingerprint = requestFingerprint(asked);
        const { claim, created } = await ledger.claimIdempotencyKey(idempotencyKey, {
          format: 'crosswalk-export-idempotency/1',
          requestedBy,
          fingerprint,
          exportId,
          createdAt: requestedAt,
        });
        if (claim.fingerprint !== fingerprint) {
          const message = `this Idempotency-Key was used for export ${claim.exportId} with a different request; use a new key for a new export`;
          throw new CrosswalkError('CW_IDEMPOTENCY_KEY_REUSED', message, {
            where: 'headers.idempotency-key',
            issues: [{ path: 'headers.idempotency-key', message }],
          });
        }
        exportId = claim.exportId;
        first = created;
      }
      const record: ExportRequestRecord = (!first && (await ledger.request(exportId))) || {
        format: 'crosswalk-export-request/1',
        exportId,
        requestedAt,
        requestedBy,
        ...asked,
      };
      if (first) await ledger.recordRequest(record);
      else await ledger.recordRequest(record).catch(alreadyRecorded);
      // A replay queues only what nothing has settled yet (the first attempt may have stopped before its job was
      // added); the job id is the export id, so a job that exists is not added twice.
      if (first || !((await ledger.result(exportId)) || (await ledger.failure(exportId)))) {
        await viaRedis(runtime.exportQueue, QUEUE, () => runtime.exportQueue.enqueue({ exportId }));
      }
      if (first) {
        await runtime.locker.audit.append({
          actor: record.requestedBy,
          action: 'export.request',
          target: exportId,
          details: {
            frameworks: record.frameworks,
            controls: record.controls,
            from: record.from,
            to: record.to,
          },
        });
      }
      reply.header('location', `/v1/exports/${exportId}`);
      return reply.status(202).send(await statusOf(runtime, ledger, record));
    },
  );

  app.get(
    '/:id',
    {
      config: { roles: EXPORT_ROLES },
      schema: {
        tags: ['exports'],
        summary: 'An export: status, result and download links',
        security: bearer,
        params: idParams,
        response: responses({ 200: statusSchema }, [400, 401, 403, 404, 503]),
      },
    },
    async (request) => statusOf(runtime, ledger, await readable(request.params.id, request.apiKey)),
  );

  app.get(
    '/:id/bundle.zip',
    {
      config: { roles: EXPORT_ROLES },
      schema: {
        tags: ['exports'],
        summary: "Download an export's bundle (streamed)",
        description:
          'The zip as stored. `X-Crosswalk-Sha256` carries its SHA-256 (also in the status), so the download ' +
          'can be checked before `crosswalk verify` opens it. 404 until the export is done.',
        security: bearer,
        params: idParams,
        response: responses({ 200: z.any().describe('application/zip') }, [400, 401, 403, 404, 503]),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await readable(id, request.apiKey);
      const result = await ledger.result(id);
      const bundle = result ? await ledger.openBundle(id) : undefined;
      if (!result || !bundle) {
        throw new CrosswalkError(
          'CW_NOT_FOUND',
          `export ${id} is not built (yet): see GET /v1/exports/${id}`,
          {
            where: 'params.id',
          },
        );
      }
      await runtime.locker.audit
        .append({ actor: actorOf(request), action: 'export.download', target: id, details: {} })
        .catch((error: unknown) =>
          request.log.warn({ exportId: id, error: (error as Error).message }, 'download not audited'),
        );
      return reply
        .header('content-type', 'application/zip')
        .header('content-length', String(bundle.size))
        .header('content-disposition', `attachment; filename="crosswalk-export-${id}.zip"`)
        .header('x-crosswalk-sha256', result.bundle.sha256)
        .send(bundle.body);
    },
  );
});
