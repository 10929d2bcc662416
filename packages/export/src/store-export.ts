import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CrosswalkError } from '@crosswalk/core';
import type { Locker } from '@crosswalk/locker';
import { type ExportProgress, exportToFile } from './build.js';
import { ExportLedger, type ExportResultRecord, resultOf } from './ledger.js';
import { FILE_NAMES } from './manifest.js';
import type { SigningKey } from './signing.js';
import { verifyBundle } from './verify/index.js';

/** The name an export job's build directory starts with, followed by `<pid>-`. */
export const EXPORT_JOB_DIR_PREFIX = 'crosswalk-export-job-';

export interface StoreExportOptions {
  locker: Locker;
  /** An export whose request.json the ledger already holds. */
  exportId: string;
  signingKey: SigningKey;
  generator: { name: string; version: string };
  tmpDir?: string;
  onProgress?: (progress: ExportProgress) => void;
  now?: () => Date;
}

/**
 * Builds the bundle an export request asks for and keeps it in the locker (`exports/<id>/bundle.zip`, then
 * `result.json`). Safe to run again for the same id, whatever stopped the last attempt: a recorded result is
 * returned as it is; a bundle stored without its result (the process died in between) is downloaded, verified
 * and described, never rebuilt, because the bundle an id names must not change once it exists.
 */
export async function storeExport(options: StoreExportOptions): Promise<ExportResultRecord> {
  const { locker, exportId } = options;
  const now = options.now ?? (() => new Date());
  const ledger = new ExportLedger(locker);
  const done = await ledger.result(exportId);
  if (done) return done;
  const request = await ledger.request(exportId);
  if (!request) {
    throw new CrosswalkError('CW_NOT_FOUND', `no export request ${exportId} in the locker`, {
      where: exportId,
    });
  }
  // The process id in the name tells a stale directory (its worker was killed) from one being built by another
  // worker on the same host; the build's own spool files go inside it (tmpDir), so one directory is all there is.
  const dir = await mkdtemp(
    path.join(options.tmpDir ?? os.tmpdir(), `${EXPORT_JOB_DIR_PREFIX}${process.pid}-`),
  );
  try {
    const file = path.join(dir, 'bundle.zip');
    let result: ExportResultRecord | undefined;
    if (!(await ledger.hasBundle(exportId))) {
      const built = await exportToFile(file, {
        locker,
        frameworks: request.frameworks,
        controls: request.controls,
        from: request.from,
        to: request.to,
        signingKey: options.signingKey,
        generator: options.generator,
        exportId,
        tmpDir: dir,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      if ((await ledger.storeBundle(exportId, file)) === 'created') {
        result = resultOf(built.manifest, built, built.fingerprint, now());
      }
      await rm(file, { force: true });
    }
    // Another attempt stored a bundle first (this one's is dropped): describe the one the locker holds.
    result ??= await describeStored(ledger, exportId, file, now());
    await ledger.recordResult(result);
    return (await ledger.result(exportId)) ?? result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function describeStored(
  ledger: ExportLedger,
  exportId: string,
  file: string,
  completedAt: Date,
): Promise<ExportResultRecord> {
  const stored = await ledger.openBundle(exportId);
  if (!stored) throw new CrosswalkError('CW_LOCKER_CORRUPT', `export ${exportId}'s bundle disappeared`);
  await pipeline(stored.body, createWriteStream(file));
  const verified = await verifyBundle(file);
  // Records the export left out as vouched for by no chained run fail verify by design (the bundle names them),
  // but they do not make a stored bundle corrupt: anything else does.
  const failures = verified.failures.filter(
    (f) => !(f.check === 'completeness' && f.file === FILE_NAMES.manifest),
  );
  if (
    failures.length > 0 ||
    !verified.manifest ||
    !verified.fingerprint ||
    verified.manifest.exportId !== exportId
  ) {
    const first = failures[0];
    throw new CrosswalkError(
      'CW_LOCKER_CORRUPT',
      `the stored bundle of export ${exportId} does not verify` +
        (first ? `: ${first.file}: ${first.check}: ${first.message}` : ''),
      { where: exportId },
    );
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  const bytes = (await stat(file)).size;
  return resultOf(
    verified.manifest,
    { bytes, sha256: hash.digest('hex') },
    verified.fingerprint,
    completedAt,
  );
}
