import { parseConnectorConfig, runConnector } from '@crosswalk/collect';
import {
  type CollectorLogger,
  CrosswalkError,
  type ErrorCode,
  errorCatalog,
  RATE_LIMIT_WAIT_EVENT,
  zodIssues,
} from '@crosswalk/core';
import type { RunManifest } from '@crosswalk/locker';
import { type CollectJob, collectJobSchema, connectorFor, type Runtime } from '@crosswalk/runtime';
import { UnrecoverableError } from 'bullmq';

/**
 * Runs one collector for one job. The manifest is written whatever happens; then a failure that can heal
 * (S3 or the source unavailable) is thrown so BullMQ retries with backoff, and one that cannot (bad config,
 * credentials) is thrown as UnrecoverableError so it is not retried forever.
 */
export async function processCollect(
  runtime: Runtime,
  data: unknown,
  progress?: (value: object) => Promise<void>,
): Promise<RunManifest> {
  const job = parseJob(collectJobSchema, data, 'collect') as CollectJob;
  const { type, config } = await runtime.configs.resolve(job.connectorId).catch((error: unknown) => {
    throw unrecoverableIf(error, true);
  });
  // Before any collector runs, runConnector throws only for what retrying cannot fix (config, window, unknown
  // collector) or for the locker (retryable when unavailable): the catalog says which.
  const manifest = await Promise.resolve()
    .then(() => {
      const connector = connectorFor(type);
      parseConnectorConfig(connector, job.connectorId, config);
      return runConnector({
        connector,
        connectorId: job.connectorId,
        config,
        locker: runtime.locker,
        trigger: job.trigger,
        collectors: [job.collector],
        ...(job.window ? { window: job.window } : {}),
        filter: job.filter,
        log: collectorLog(runtime, job.connectorId),
        onProgress: (event) => {
          // Progress is for watchers only. It must not fail the run, nor (unawaited) crash the process when
          // Redis has lost the job, e.g. after a restart without persistence.
          if (event.type === 'record' && progress)
            progress({ stored: event.stored, duplicates: event.duplicates }).catch((error: unknown) =>
              runtime.logger.debug({ error: (error as Error).message }, 'progress not recorded'),
            );
        },
      });
    })
    .catch((error: unknown) => {
      throw unrecoverableIf(error, false);
    });
  record(runtime, manifest);
  const failure = manifest.collectors.find((c) => c.error)?.error;
  if (failure) throw failureError(failure, `${job.connectorId}/${job.collector}`);
  return manifest;
}

/**
 * A scheduler's job: hands its collection to the collect queue's deduplicated enqueue and finishes. If the same
 * collection is already waiting (a manual or webhook trigger), nothing is added; if one is running, one more is
 * kept to run after it. So one collector of one connector never runs twice at once, whoever triggered it.
 */
export async function handOffScheduled(runtime: Runtime, data: unknown): Promise<{ enqueued: string }> {
  const job = parseJob(collectJobSchema, data, 'scheduled collect') as CollectJob;
  return { enqueued: await runtime.collectQueue.enqueue(job) };
}

/** A collector failure as a job error: retried with backoff when its code is retryable, once otherwise. */
export function failureError(failure: { code: string; message: string }, what: string): Error {
  // The code comes from a collector's result: an own key of the catalog or nothing (never `constructor`).
  const known = Object.hasOwn(errorCatalog, failure.code)
    ? errorCatalog[failure.code as ErrorCode]
    : undefined;
  const message = `${what}: ${failure.code}: ${failure.message}`;
  return known?.retryable ? new Error(message) : new UnrecoverableError(message);
}

export function record(runtime: Runtime, manifest: RunManifest): void {
  runtime.metrics.runs.inc({ connector: manifest.connectorId, status: manifest.status });
  for (const collector of manifest.collectors) {
    runtime.metrics.records.inc({ kind: collector.kind }, collector.stored);
    runtime.metrics.duplicates.inc({ kind: collector.kind }, collector.duplicates);
    runtime.metrics.sourceRequests.inc({ connector: manifest.connectorId }, collector.requests);
  }
}

export function collectorLog(runtime: Runtime, connectorId: string): CollectorLogger {
  const log = runtime.logger.child({ connectorId });
  return {
    info: (fields, message) => log.info(fields, message),
    debug: (fields, message) => log.debug(fields, message),
    warn: (fields, message) => {
      if (fields.event === RATE_LIMIT_WAIT_EVENT)
        runtime.metrics.rateLimitWaits.inc({ connector: connectorId });
      log.warn(fields, message);
    },
  };
}

/** Job data that does not match its schema will not match it on a retry either. */
export function parseJob<T>(
  schema: {
    safeParse(
      data: unknown,
    ): { success: true; data: T } | { success: false; error: Parameters<typeof zodIssues>[0] };
  },
  data: unknown,
  queue: string,
): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
    throw new UnrecoverableError(`malformed ${queue} job: ${issues.join('; ')}`);
  }
  return parsed.data;
}

export function unrecoverableIf(error: unknown, notFoundToo: boolean): unknown {
  if (error instanceof CrosswalkError) {
    const code: ErrorCode = error.code;
    if (!errorCatalog[code].retryable || (notFoundToo && code === 'CW_NOT_FOUND')) {
      return new UnrecoverableError(`${code}: ${error.message}`);
    }
  }
  return error;
}
