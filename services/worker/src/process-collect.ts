import { parseConnectorConfig, runConnector } from '@crosswalk/collect';
import {
  type CollectorLogger,
  CrosswalkError,
  type ErrorCode,
  errorCatalog,
  RATE_LIMIT_WAIT_EVENT,
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
  const job = collectJobSchema.parse(data) as CollectJob;
  const { type, config } = await runtime.configs.resolve(job.connectorId).catch((error: unknown) => {
    throw unrecoverableIf(error, true);
  });
  const connector = connectorFor(type);
  parseConnectorConfig(connector, job.connectorId, config);
  const manifest = await runConnector({
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
      if (event.type === 'record' && progress)
        void progress({ stored: event.stored, duplicates: event.duplicates });
    },
  });
  record(runtime, manifest);
  const failure = manifest.collectors.find((c) => c.error)?.error;
  if (failure) {
    const known = (errorCatalog as Record<string, { retryable: boolean }>)[failure.code];
    const message = `${job.connectorId}/${job.collector}: ${failure.code}: ${failure.message}`;
    throw known?.retryable ? new Error(message) : new UnrecoverableError(message);
  }
  return manifest;
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

function unrecoverableIf(error: unknown, notFoundToo: boolean): unknown {
  if (error instanceof CrosswalkError) {
    const code: ErrorCode = error.code;
    if (!errorCatalog[code].retryable || (notFoundToo && code === 'CW_NOT_FOUND')) {
      return new UnrecoverableError(`${code}: ${error.message}`);
    }
  }
  return error;
}
