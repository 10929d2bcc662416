/**
 * Offline verification of an export bundle (`verifyBundle`): one walk of the zip (zip/reader.ts) checks every file
 * against SHA256SUMS and the manifest, the signature and each record; the steps over runs (chains.ts) and
 * populations (populations.ts, current.ts) follow. Every failure is reported, none stops the walk (failures.ts).
 */
import { parseRunBytes } from '@crosswalk/assurance';
import { verifyRecordBytes } from '@crosswalk/core';
import { keys, type RunManifest } from '@crosswalk/locker';
import { evidencePath, runPath } from '../build.js';
import { type ExportManifest, FILE_NAMES, MANIFEST_FORMATS, manifestSchema } from '../manifest.js';
import { normalizeFingerprint, publicKeyFingerprint, verifyBytes } from '../signing.js';
import { eachEntry } from '../zip/reader.js';
import { checkCompleteness, checkRunChains } from './chains.js';
import { Failures, hashEntry, readAll, type VerifyFailure } from './failures.js';
import { checkPopulations } from './populations.js';

export type { VerifyCheck, VerifyFailure } from './failures.js';

export interface VerifyResult {
  ok: boolean;
  failures: VerifyFailure[];
  /** Things worth knowing that do not make the bundle fail (a chain break outside the period, say). */
  warnings: string[];
  /** The fingerprint of the bundle's public key (compare it with the one you were given). */
  fingerprint: string | null;
  manifest: Pick<
    ExportManifest,
    | 'format'
    | 'exportId'
    | 'generatedAt'
    | 'generator'
    | 'period'
    | 'scope'
    | 'counts'
    | 'coverage'
    | 'completeness'
  > | null;
  checked: { files: number; records: number; runs: number };
}

export interface VerifyOptions {
  /** The expected signing key fingerprint (64 hex; `sha256:` prefix, colons and case are ignored). */
  fingerprint?: string;
  /** Failures reported per check before the rest are summarized in one line. Default 100. */
  maxPerCheck?: number;
}

/** Evidence and run files are parsed in memory; anything larger than this is reported, not read. */
const MAX_PARSED_FILE = 32 * 2 ** 20;
/** manifest.json, manifest.sig, public-key.pem. SHA256SUMS gets more room: it lists every file. */
const MAX_SMALL_FILE = 16 * 2 ** 20;
const MAX_SUMS_FILE = 1024 * 2 ** 20;
const SPECIAL = new Set<string>([
  FILE_NAMES.manifest,
  FILE_NAMES.signature,
  FILE_NAMES.publicKey,
  FILE_NAMES.sums,
]);

/**
 * Verifies an export bundle offline: every file's SHA-256 against SHA256SUMS and the manifest, no file missing
 * or extra, the Ed25519 signature over manifest.json, the public key's fingerprint (when given, and against the
 * one the manifest names), each record's own hash, id, kind and period, the populations against the evidence,
 * the continuity of each connector's run chain over the period, and that every record a run in the bundle
 * says it stored (of a kind in scope, in the period) is in the bundle.
 *
 * Returns every failure found (it does not stop at the first). Throws CW_BUNDLE_INVALID when the file is not a
 * readable zip, CW_BUNDLE_UNSAFE_PATH when an entry's path could escape the folder it is unpacked into.
 */
export async function verifyBundle(zipPath: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const expectedFingerprint =
    options.fingerprint === undefined ? undefined : normalizeFingerprint(options.fingerprint);
  const failures = new Failures(options.maxPerCheck ?? 100);
  const warnings: string[] = [];

  // Pass 1: the directory of entries (names checked for safety first of all) and the four small root files.
  const names = new Map<string, number>();
  const special = new Map<string, Buffer>();
  await eachEntry(zipPath, async (entry, name, open) => {
    names.set(name, (names.get(name) ?? 0) + 1);
    if (SPECIAL.has(name) && names.get(name) === 1) {
      const limit = name === FILE_NAMES.sums ? MAX_SUMS_FILE : MAX_SMALL_FILE;
      if (entry.uncompressedSize > limit) {
        failures.add({
          file: name,
          check: 'manifest',
          message: `${name} is ${entry.uncompressedSize} bytes: too large`,
        });
        return;
      }
      const bytes = await readAll(await open(), name, failures);
      if (bytes) special.set(name, bytes);
    }
  });
  for (const [name, count] of names) {
    if (count > 1) {
      failures.add({ file: name, check: 'duplicate', message: `${name} appears ${count} times in the zip` });
    }
  }

  // The manifest, its signature and key.
  let manifest: ExportManifest | null = null;
  const manifestBytes = special.get(FILE_NAMES.manifest);
  if (!manifestBytes) {
    failures.add({ file: FILE_NAMES.manifest, check: 'missing', message: 'manifest.json is missing' });
  } else {
    try {
      const json: unknown = JSON.parse(manifestBytes.toString('utf8'));
      const format = (json as { format?: unknown } | null)?.format;
      const parsed = manifestSchema.safeParse(json);
      if (parsed.success) manifest = parsed.data;
      else if (!(MANIFEST_FORMATS as readonly unknown[]).includes(format)) {
        // Said plainly, before any field-by-field complaint: a newer or foreign bundle is not "corrupt".
        failures.add({
          file: FILE_NAMES.manifest,
          check: 'manifest',
          message: `manifest.json is of format ${JSON.stringify(format ?? null)}; this verifier reads ${MANIFEST_FORMATS.join(', ')}`,
        });
      } else {
        failures.add({
          file: FILE_NAMES.manifest,
          check: 'manifest',
          message: `manifest.json is not a Crosswalk export manifest: ${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        });
      }
    } catch (error) {
      failures.add({
        file: FILE_NAMES.manifest,
        check: 'manifest',
        message: `manifest.json is not JSON: ${(error as Error).message}`,
      });
    }
  }
  const pem = special.get(FILE_NAMES.publicKey);
  const signature = special.get(FILE_NAMES.signature);
  let fingerprint: string | null = null;
  if (!pem) {
    failures.add({ file: FILE_NAMES.publicKey, check: 'missing', message: 'public-key.pem is missing' });
  } else {
    try {
      fingerprint = publicKeyFingerprint(pem.toString('utf8'));
    } catch (error) {
      failures.add({
        file: FILE_NAMES.publicKey,
        check: 'signature',
        message: `public-key.pem is not a public key: ${(error as Error).message}`,
      });
    }
  }
  if (!signature) {
    failures.add({ file: FILE_NAMES.signature, check: 'missing', message: 'manifest.sig is missing' });
  } else if (pem && fingerprint && manifestBytes) {
    let valid = false;
    try {
      valid = verifyBytes(pem.toString('utf8'), manifestBytes, signature);
    } catch {
      valid = false;
    }
    if (!valid) {
      failures.add({
        file: FILE_NAMES.signature,
        check: 'signature',
        message:
          'manifest.sig is not a valid Ed25519 signature of manifest.json by the key in public-key.pem',
      });
    }
  }
  if (fingerprint && expectedFingerprint && fingerprint !== expectedFingerprint) {
    failures.add({
      file: FILE_NAMES.publicKey,
      check: 'fingerprint',
      message: `the bundle is signed with key ${fingerprint}, not with the expected ${expectedFingerprint}`,
    });
  }
  if (fingerprint && manifest && manifest.publicKey.fingerprint !== fingerprint) {
    failures.add({
      file: FILE_NAMES.publicKey,
      check: 'fingerprint',
      message: `manifest.json names key ${manifest.publicKey.fingerprint} but public-key.pem is ${fingerprint}`,
    });
  }

  // What every file should hash to: SHA256SUMS for everything, the manifest for the files it lists.
  const expected = new Map<string, { sha256: string; bytes?: number; from: string }>();
  const sumsBytes = special.get(FILE_NAMES.sums);
  if (!sumsBytes) {
    failures.add({ file: FILE_NAMES.sums, check: 'missing', message: 'SHA256SUMS is missing' });
  } else {
    let line = 0;
    for (const text of sumsBytes.toString('utf8').split('\n')) {
      line++;
      if (text === '') continue;
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(text);
      if (!match) {
        failures.add({
          file: FILE_NAMES.sums,
          check: 'manifest',
          message: `SHA256SUMS line ${line} is malformed`,
        });
        continue;
      }
      expected.set(match[2]!, { sha256: match[1]!, from: FILE_NAMES.sums });
    }
  }
  for (const file of manifest?.files ?? []) {
    const fromSums = expected.get(file.path);
    if (fromSums && fromSums.sha256 !== file.sha256) {
      failures.add({
        file: file.path,
        check: 'sha256',
        message: `SHA256SUMS and manifest.json disagree about ${file.path}`,
      });
    }
    expected.set(file.path, { sha256: file.sha256, bytes: file.bytes, from: FILE_NAMES.manifest });
  }
  if (manifest && !manifest.files.some((f) => f.path === FILE_NAMES.sums)) {
    failures.add({
      file: FILE_NAMES.sums,
      check: 'manifest',
      message: 'manifest.json does not list SHA256SUMS',
    });
  }
  const unhashed = new Set<string>([FILE_NAMES.manifest, FILE_NAMES.signature]);
  for (const name of expected.keys()) {
    if (!names.has(name))
      failures.add({ file: name, check: 'missing', message: `${name} is listed but not in the zip` });
  }
  for (const name of names.keys()) {
    if (!expected.has(name) && !unhashed.has(name)) {
      failures.add({ file: name, check: 'extra', message: `${name} is in the zip but listed nowhere` });
    }
  }

  // Pass 2: hash every file; prove each record; read each run manifest.
  const period = manifest?.period;
  const scopeKinds = new Set(manifest?.scope.kinds ?? []);
  const records = new Map<string, { sha256: string; file: string }>(); // id -> the record's sha256, its file
  const runsByConnector = new Map<string, Map<number, { file: string; run: RunManifest }>>();
  let filesChecked = 0;
  const hashedOnce = new Set<string>();
  await eachEntry(
    zipPath,
    async (entry, name, open) => {
      if (hashedOnce.has(name)) return; // a duplicate: already reported
      hashedOnce.add(name);
      const isEvidence = name.startsWith('evidence/') && name.endsWith('.json');
      const isRun = name.startsWith('runs/') && name.endsWith('.json');
      const keep = (isEvidence || isRun) && entry.uncompressedSize <= MAX_PARSED_FILE;
      if ((isEvidence || isRun) && !keep) {
        failures.add({
          file: name,
          check: isEvidence ? 'record' : 'run-chain',
          message: `${name} is too large to be one`,
        });
      }
      const hashed = await hashEntry(await open(), name, keep, failures);
      if (!hashed) return;
      filesChecked++;
      const want = expected.get(name);
      if (want && want.sha256 !== hashed.sha256) {
        failures.add({
          file: name,
          check: 'sha256',
          message: `${name} does not match its SHA-256 in ${want.from} (expected ${want.sha256}, found ${hashed.sha256})`,
        });
      }
      if (want?.bytes !== undefined && want.bytes !== hashed.size) {
        failures.add({
          file: name,
          check: 'size',
          message: `${name} is ${hashed.size} bytes, ${want.from} says ${want.bytes}`,
        });
      }
      if (isEvidence && hashed.bytes) {
        try {
          const record = verifyRecordBytes(hashed.bytes, name);
          records.set(record.id, { sha256: record.sha256, file: name });
          if (evidencePath(record) !== name) {
            failures.add({
              file: name,
              check: 'record',
              message: `${name} holds record ${record.id}, which belongs at ${evidencePath(record)}`,
            });
          }
          if (manifest && !scopeKinds.has(record.kind)) {
            failures.add({
              file: name,
              check: 'record',
              message: `${name} is of kind ${record.kind}, not in the export's scope`,
            });
          }
          if (period && !(record.occurredAt >= period.from && record.occurredAt < period.to)) {
            failures.add({
              file: name,
              check: 'record',
              message: `${name} occurred at ${record.occurredAt}, outside the period [${period.from}, ${period.to})`,
            });
          }
        } catch (error) {
          failures.add({ file: name, check: 'record', message: (error as Error).message });
        }
      }
      if (isRun && hashed.bytes) {
        try {
          const run = parseRunBytes(hashed.bytes);
          const lockerKey = keys.runKey(run.connectorId, run.startedAt, run.runId);
          if (runPath(lockerKey) !== name) {
            failures.add({
              file: name,
              check: 'run-chain',
              message: `${name} holds run ${run.runId}, which belongs at ${runPath(lockerKey)}`,
            });
          }
          let byConnector = runsByConnector.get(run.connectorId);
          if (!byConnector) {
            byConnector = new Map();
            runsByConnector.set(run.connectorId, byConnector);
          }
          if (byConnector.has(run.sequence)) {
            failures.add({
              file: name,
              check: 'run-chain',
              message: `two runs of ${run.connectorId} claim sequence ${run.sequence}`,
            });
          }
          byConnector.set(run.sequence, { file: name, run });
        } catch (error) {
          failures.add({
            file: name,
            check: 'run-chain',
            message: `${name} is not a valid run manifest: ${(error as Error).message}`,
          });
        }
      }
    },
    8,
  );

  if (manifest) {
    if (records.size !== manifest.counts.records) {
      failures.add({
        file: FILE_NAMES.manifest,
        check: 'missing',
        message: `manifest.json counts ${manifest.counts.records} records, the bundle holds ${records.size} valid ones`,
      });
    }
    if (names.size !== manifest.counts.files) {
      failures.add({
        file: FILE_NAMES.manifest,
        check: names.size > manifest.counts.files ? 'extra' : 'missing',
        message: `manifest.json counts ${manifest.counts.files} files, the zip has ${names.size}`,
      });
    }
    checkRunChains(manifest, runsByConnector, failures, warnings);
    checkCompleteness(manifest, runsByConnector, records, failures);
    // Pass 3: the populations list exactly the records, and each control's population is consistent with it.
    await checkPopulations(zipPath, manifest, records, names, failures);
  }

  const runs = [...runsByConnector.values()].reduce((sum, m) => sum + m.size, 0);
  return {
    ok: failures.count === 0,
    failures: failures.list(),
    warnings,
    fingerprint,
    manifest: manifest
      ? {
          format: manifest.format,
          exportId: manifest.exportId,
          generatedAt: manifest.generatedAt,
          generator: manifest.generator,
          period: manifest.period,
          scope: manifest.scope,
          counts: manifest.counts,
          coverage: manifest.coverage,
          ...(manifest.completeness ? { completeness: manifest.completeness } : {}),
        }
      : null,
    checked: { files: filesChecked, records: records.size, runs },
  };
}
