import { CrosswalkError, VERSION } from '@crosswalk/core';
import {
  type ExportFailureRecord,
  ExportLedger,
  type ExportProgress,
  type ExportResultRecord,
  loadSigningKey,
  type SigningKey,
  storeExport,
} from '@crosswalk/export';
import { exportJobSchema, type Runtime } from '@crosswalk/runtime';
import { UnrecoverableError } from 'bullmq';
import { parseJob, unrecoverableIf } from './process-collect.js';

/** The generator named in every bundle's manifest. */
export const GENERATOR = { name: 'crosswalk', version: VERSION } as const;

/**
 * The service's signing key, loaded at the first export (a worker that only collects needs none) and kept.
 * Unlike the CLI, a worker never creates one: each worker would sign with its own, and auditors are given one
 * fingerprint. A load that fails is tried again at the next export, so fixing the file needs no restart.
 */
export function signingKeyLoader(runtime: Runtime, given?: SigningKey): () => Promise<SigningKey> {
  let key: Promise<SigningKey> | undefined = given && Promise.resolve(given);
  return () => {
    key ??= loadSigningKey({ createIfMissing: false }).then(
      (loaded) => {
        runtime.logger.info(
          { fingerprint: loaded.fingerprint, source: loaded.source },
          'export signing key loaded',
        );
        return loaded;
      },
      (error: unknown) => {
        key = undefined;
        throw new CrosswalkError(
          'CW_SIGNING_KEY_INVALID',
          'no usable export signing key: give every worker the same Ed25519 private key in ' +
            'CROSSWALK_SIGNING_KEY_FILE (openssl genpkey -algorithm ed25519 -out signing-key.pem) and publish its ' +
            `fingerprint to auditors (${error instanceof Error ? error.message : String(error)})`,
          { where: 'CROSSWALK_SIGNING_KEY_FILE', cause: error },
        );
      },
    );
    return key;
  };
}

export interface ExportAttempt {
  /** Attempts made before this one. */
  attemptsMade: number;
  attempts: number;
}

/**
 * Builds one export into the locker (storeExport: safe to repeat). When this attempt is the last one (the
 * error cannot heal, or no attempts are left), the reason is written to `exports/<id>/failure.json` before the
 * error is rethrown, so the API reports it long after the queue has forgotten the job.
 */
export async function processExport(
  runtime: Runtime,
  data: unknown,
  signingKey: () => Promise<SigningKey>,
  attempt: ExportAttempt,
  progress?: (value: ExportProgress) => Promise<void>,
): Promise<ExportResultRecord> {
  const job = parseJob(exportJobSchema, data, 'export');
  try {
    return await storeExport({
      locker: runtime.locker,
      exportId: job.exportId,
      signingKey: await signingKey(),
      generator: GENERATOR,
      onProgress: (value) => {
        progress?.(value).catch((error: unknown) =>
          runtime.logger.debug({ error: (error as Error).message }, 'progress not recorded'),
        );
      },
    });
  } catch (caught) {
    const error = unrecoverableIf(caught, true);
    const final = error instanceof UnrecoverableError || attempt.attemptsMade + 1 >= attempt.attempts;
    if (final) {
      await new ExportLedger(runtime.locker)
        .recordFailure({
          format: 'crosswalk-export-failure/1',
          exportId: job.exportId,
          failedAt: new Date().toISOString(),
          code: caught instanceof CrosswalkError ? caught.code : 'CW_INTERNAL',
          message:
            caught instanceof CrosswalkError ? caught.message : 'the export failed; see the worker log',
          attempts: attempt.attemptsMade + 1,
        })
        .catch((recordError: unknown) =>
          runtime.logger.error(
            { exportId: job.exportId, error: (recordError as Error).message },
            'export failure not recorded',
          ),
        );
    }
    runtime.logger.warn(
      {
        exportId: job.exportId,
        final,
        error: caught instanceof Error ? caught.message : String(caught),
      },
      'export failed',
    );
    // The job's failed reason starts with the code, so the API (and a later failure record) can name the cause
    // when failure.json could not be written.
    if (error === caught && caught instanceof CrosswalkError) {
      throw new Error(`${caught.code}: ${caught.message}`, { cause: caught });
    }
    throw error;
  }
}

/**
 * The failure record of an export job that failed for good, from the job itself (its failed reason starts with
 * the code): what a worker writes when the last attempt could not (the locker was the thing that failed).
 */
export function failureOfJob(job: {
  data: unknown;
  failedReason?: string;
  attemptsMade: number;
  finishedOn?: number;
}): ExportFailureRecord | undefined {
  const parsed = exportJobSchema.safeParse(job.data);
  if (!parsed.success || !job.failedReason) return undefined;
  const coded = /^(CW_[A-Z_]+): ([\s\S]*)$/.exec(job.failedReason);
  return {
    format: 'crosswalk-export-failure/1',
    exportId: parsed.data.exportId,
    failedAt: new Date(job.finishedOn ?? Date.now()).toISOString(),
    code: coded?.[1] ?? 'CW_INTERNAL',
    message: coded?.[2] ?? 'the export failed; see the worker log',
    attempts: job.attemptsMade,
  };
}
