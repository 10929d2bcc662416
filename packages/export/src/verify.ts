import { createHash } from 'node:crypto';
import { read } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable as NodeReadable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CrosswalkError, canonicalJson, parseEvidenceId, verifyRecordBytes } from '@crosswalk/core';
import { keys, type RunManifest } from '@crosswalk/locker';
import yauzl from 'yauzl';
import { criterionIndex, evidencePath, POPULATION_COLUMNS, runPath } from './build.js';
import { CsvParser, csvLine } from './csv.js';
import {
  COPIED_POPULATION_FORMATS,
  type ExportManifest,
  FILE_NAMES,
  MANIFEST_FORMATS,
  manifestSchema,
} from './manifest.js';
import { parseRunBytes } from './runs.js';
import { normalizeFingerprint, publicKeyFingerprint, verifyBytes } from './signing.js';
import { CurrentAnswers } from './verify-current.js';

export type VerifyCheck =
  | 'zip'
  | 'manifest'
  | 'signature'
  | 'fingerprint'
  | 'sha256'
  | 'size'
  | 'missing'
  | 'extra'
  | 'duplicate'
  | 'record'
  | 'population'
  | 'run-chain'
  | 'completeness';

export interface VerifyFailure {
  /** The file the failure is about, when it is about one. */
  file?: string;
  check: VerifyCheck;
  message: string;
}

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
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

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

function checkRunChains(
  manifest: ExportManifest,
  bundled: Map<string, Map<number, { file: string; run: RunManifest }>>,
  failures: Failures,
  warnings: string[],
): void {
  const declared = new Set(manifest.runChains.map((c) => c.connectorId));
  for (const connectorId of bundled.keys()) {
    if (!declared.has(connectorId)) {
      failures.add({
        file: `runs/${connectorId}/`,
        check: 'run-chain',
        message: `runs of ${connectorId} are in the bundle but not in manifest.json`,
      });
    }
  }
  for (const chain of manifest.runChains) {
    const runs = bundled.get(chain.connectorId) ?? new Map<number, { file: string; run: RunManifest }>();
    const where = `runs/${chain.connectorId}/`;
    const { first, last } = chain.window;
    const vouchers = new Set(chain.vouchers ?? []);
    for (const sequence of vouchers) {
      if (!runs.has(sequence)) {
        failures.add({
          file: where,
          check: 'run-chain',
          message: `run sequence ${sequence} of ${chain.connectorId}, which vouches for records of the period, is missing`,
        });
      }
    }
    if (first === null || last === null) {
      const others = [...runs.keys()].filter((sequence) => !vouchers.has(sequence));
      if (others.length > 0) {
        failures.add({
          file: where,
          check: 'run-chain',
          message: `manifest.json says ${chain.connectorId} has no runs in the period, but the bundle holds ${others.length}`,
        });
      }
    } else {
      for (let sequence = first; sequence <= last; sequence++) {
        const here = runs.get(sequence);
        if (!here) {
          failures.add({
            file: where,
            check: 'run-chain',
            message:
              `run sequence ${sequence} of ${chain.connectorId} is missing: the chain is broken inside the period` +
              (chain.window.missing.includes(sequence)
                ? ' (the locker could not produce it when the bundle was made)'
                : ''),
          });
          continue;
        }
        const expectedPrevious =
          sequence === first
            ? chain.window.before
            : (() => {
                const before = runs.get(sequence - 1);
                return before
                  ? {
                      sequence: sequence - 1,
                      key: keys.runKey(before.run.connectorId, before.run.startedAt, before.run.runId),
                      sha256: before.run.sha256,
                    }
                  : undefined;
              })();
        if (expectedPrevious === undefined) continue; // the missing predecessor is already reported
        if (canonicalJson(here.run.previous) !== canonicalJson(expectedPrevious)) {
          failures.add({
            file: here.file,
            check: 'run-chain',
            message:
              sequence === first
                ? `the first run of the period (sequence ${sequence}) does not point where manifest.json says the chain came from`
                : `run sequence ${sequence} does not point at run ${sequence - 1} (hash or key differ): a run was altered or replaced`,
          });
        }
      }
      for (const sequence of runs.keys()) {
        if ((sequence < first || sequence > last) && !vouchers.has(sequence)) {
          failures.add({
            file: runs.get(sequence)!.file,
            check: 'run-chain',
            message: `run sequence ${sequence} is outside ${first}..${last} named in manifest.json`,
          });
        }
      }
      if (chain.window.runs + vouchers.size !== runs.size) {
        failures.add({
          file: where,
          check: 'run-chain',
          message: `manifest.json counts ${chain.window.runs + vouchers.size} runs of ${chain.connectorId}, the bundle holds ${runs.size} valid ones`,
        });
      }
    }
    for (const problem of chain.lockerCheck.problems) {
      const startedAt = problem.key ? keys.parseRunKey(problem.key)?.startedAt : undefined;
      const inPeriod =
        (startedAt !== undefined && startedAt >= manifest.period.from && startedAt < manifest.period.to) ||
        (problem.sequence !== undefined &&
          first !== null &&
          last !== null &&
          problem.sequence >= first &&
          problem.sequence <= last);
      const text = `the locker reported for ${chain.connectorId}: ${problem.message}`;
      if (inPeriod) failures.add({ file: where, check: 'run-chain', message: text });
      else warnings.push(`${text} (outside the period)`);
    }
  }
}

/**
 * Every record a bundled run says it stored, of a kind in scope and in the period, must be in the bundle with that
 * hash. From crosswalk-export/2 on, the converse too: every record in the bundle is vouched for by a bundled run
 * with its hash (the bundle holds every run whose manifest lists a record of the period), and a record the export
 * found in the locker without any run vouching for it (named under `completeness.unvouched`) fails the bundle.
 */
function checkCompleteness(
  manifest: ExportManifest,
  bundled: Map<string, Map<number, { file: string; run: RunManifest }>>,
  records: Map<string, { sha256: string; file: string }>,
  failures: Failures,
): void {
  const kinds = new Set(manifest.scope.kinds);
  const vouchedFor = new Map<string, string>(); // id -> the hash a run vouches for
  for (const runs of bundled.values()) {
    for (const { file, run } of runs.values()) {
      for (const stored of run.records) {
        if (!kinds.has(stored.kind)) continue;
        const parts = parseEvidenceId(stored.id);
        if (!parts || parts.occurredAt < manifest.period.from || parts.occurredAt >= manifest.period.to)
          continue;
        vouchedFor.set(stored.id, stored.sha256);
        const have = records.get(stored.id);
        if (have === undefined) {
          failures.add({
            file,
            check: 'completeness',
            message: `run ${run.runId} stored ${stored.id} (in scope and in the period), which the bundle does not hold`,
          });
        } else if (have.sha256 !== stored.sha256) {
          failures.add({
            file: have.file,
            check: 'completeness',
            message: `run ${run.runId} stored ${stored.id} with hash ${stored.sha256}; the bundle's copy has ${have.sha256}`,
          });
        }
      }
    }
  }
  if (manifest.format === 'crosswalk-export/1') return;
  if (!manifest.completeness) {
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'manifest',
      message: `manifest.json (${manifest.format}) has no completeness section`,
    });
    return;
  }
  for (const [id, have] of records) {
    if (!vouchedFor.has(id)) {
      failures.add({
        file: have.file,
        check: 'completeness',
        message: `${id} is in the bundle but no run in it vouches for it: it was added`,
      });
    }
  }
  const { unvouched } = manifest.completeness;
  for (const record of unvouched.records) {
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'completeness',
      message: `${record.id} was in the locker for the period but no chained run vouches for it (left out of the bundle): a run still in progress, a dead run not yet recovered, or a record that did not come from a collection`,
    });
  }
  if (unvouched.count > unvouched.records.length) {
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'completeness',
      message: `${unvouched.count - unvouched.records.length} more unvouched records were left out of the bundle`,
    });
  }
}

async function checkPopulations(
  zipPath: string,
  manifest: ExportManifest,
  records: Map<string, { sha256: string; file: string }>,
  names: Map<string, number>,
  failures: Failures,
): Promise<void> {
  const header = csvLine(POPULATION_COLUMNS).trimEnd();
  const controlFiles = populationFiles(manifest, failures);
  for (const file of controlFiles.keys()) {
    if (!names.has(file))
      failures.add({
        file,
        check: 'missing',
        message: `${file} is named in manifest.json but not in the zip`,
      });
  }
  if (!COPIED_POPULATION_FORMATS.includes(manifest.format))
    await checkCriterionIndexes(zipPath, manifest, names, failures);
  if (!names.has(FILE_NAMES.populations)) {
    failures.add({ file: FILE_NAMES.populations, check: 'missing', message: 'populations.csv is missing' });
  }
  const rows = new Map<string, string>(); // id -> the whole row as written
  const controlRows: { file: string; ids: string[]; lines: string[] }[] = [];
  const current = new CurrentAnswers((failure) => failures.add(failure));
  const seenControl = new Set<string>();
  await eachEntry(zipPath, async (_entry, name, open) => {
    const isPopulation = name === FILE_NAMES.populations;
    const control = controlFiles.get(name);
    if ((!isPopulation && !control) || (control && seenControl.has(name))) return;
    if (control) seenControl.add(name);
    const collected: { ids: string[]; lines: string[] } = { ids: [], lines: [] };
    let first = true;
    let count = 0;
    const stream = await open();
    const parser = new CsvParser();
    const decoder = new StringDecoder('utf8');
    const onRow = (row: string[]) => {
      const line = csvLine(row).trimEnd();
      if (first) {
        first = false;
        if (line !== header)
          failures.add({
            file: name,
            check: 'population',
            message: `${name} does not start with the expected header`,
          });
        return;
      }
      count++;
      const id = row[0] ?? '';
      if (isPopulation) {
        current.add(row);
        if (rows.has(id))
          failures.add({ file: name, check: 'population', message: `${id} appears twice in ${name}` });
        rows.set(id, line);
        const sha = records.get(id)?.sha256;
        if (sha === undefined) {
          failures.add({
            file: name,
            check: 'population',
            message: `${name} lists ${id}, which the bundle does not hold`,
          });
        } else if (row[11] !== sha || row[12] === undefined || !names.has(row[12])) {
          failures.add({
            file: name,
            check: 'population',
            message: `${name}: the row of ${id} does not match its evidence file`,
          });
        }
      } else {
        collected.ids.push(id);
        collected.lines.push(line);
      }
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>)
        for (const row of parser.push(decoder.write(chunk))) onRow(row);
      for (const row of parser.push(decoder.end())) onRow(row);
      for (const row of parser.end()) onRow(row);
    } catch (error) {
      failures.add({
        file: name,
        check: 'zip',
        message: `${name} cannot be read: ${(error as Error).message}`,
      });
      return;
    }
    if (isPopulation && count !== records.size) {
      failures.add({
        file: name,
        check: 'population',
        message: `${name} has ${count} rows for ${records.size} evidence files`,
      });
    }
    if (control) {
      if (count !== control.records) {
        failures.add({
          file: name,
          check: 'population',
          message: `${name} has ${count} rows, manifest.json says ${control.records}`,
        });
      }
      controlRows.push({ file: name, ...collected });
    }
  });
  for (const { file, ids, lines } of controlRows) {
    for (const [i, id] of ids.entries()) {
      if (rows.get(id) !== lines[i]) {
        failures.add({
          file,
          check: 'population',
          message: `${file}: the row of ${id} is not the one in populations.csv`,
        });
      }
    }
  }
  current.check(controlRows.map((c) => ({ ...c, kinds: controlFiles.get(c.file)?.kinds ?? [] })));
}

/**
 * The files that hold population rows besides populations.csv, with the kinds whose current rows each must be
 * exactly and the count manifest.json gives: one copy per criterion in /1 and /2, one shared file per kind in /3
 * (whose criteria must then name exactly the shared files of their kinds, and count their rows).
 */
function populationFiles(
  manifest: ExportManifest,
  failures: Failures,
): Map<string, { kinds: readonly string[]; records: number }> {
  if (COPIED_POPULATION_FORMATS.includes(manifest.format)) {
    return new Map(
      manifest.scope.controls
        .filter((c) => c.population)
        .map((c) => [c.population!, { kinds: c.kinds, records: c.records }]),
    );
  }
  const shared = manifest.scope.populations;
  if (!shared || manifest.scope.controls.some((c) => !c.populations || c.index === undefined)) {
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'manifest',
      message: `manifest.json (${manifest.format}) does not name the shared populations its criteria rest on`,
    });
    return new Map();
  }
  const byKind = new Map(shared.map((p) => [p.kind, p]));
  const files = new Map(shared.map((p) => [p.file, { kinds: [p.kind], records: p.records }]));
  if (byKind.size !== shared.length || files.size !== shared.length)
    failures.add({
      file: FILE_NAMES.manifest,
      check: 'manifest',
      message: 'manifest.json names a kind or a shared population file twice',
    });
  for (const control of manifest.scope.controls) {
    const name = `${control.framework}:${control.id}`;
    const expected = control.kinds.map(
      (kind) => byKind.get(kind)?.file ?? `(no shared population of ${kind})`,
    );
    const records = control.kinds.reduce((sum, kind) => sum + (byKind.get(kind)?.records ?? 0), 0);
    if (expected.join('\n') !== control.populations!.join('\n') || records !== control.records)
      failures.add({
        file: FILE_NAMES.manifest,
        check: 'population',
        message: `${name} rests on ${control.kinds.join(', ') || 'no kind'}, but manifest.json names ${control.populations!.join(', ') || 'no population'} with ${control.records} rows`,
      });
  }
  return files;
}

/** /3: each criterion's index is exactly what its manifest entry says (the shared files, their row counts). */
async function checkCriterionIndexes(
  zipPath: string,
  manifest: ExportManifest,
  names: Map<string, number>,
  failures: Failures,
): Promise<void> {
  const records = new Map((manifest.scope.populations ?? []).map((p) => [p.file, p.records]));
  const expected = new Map<string, Buffer>();
  for (const control of manifest.scope.controls) {
    if (!control.index) continue;
    const kinds = control.kinds.map((kind, i) => {
      const file = control.populations?.[i] ?? '';
      return { kind, file, records: records.get(file) ?? 0 };
    });
    expected.set(control.index, criterionIndex(kinds));
    if (!names.has(control.index))
      failures.add({
        file: control.index,
        check: 'missing',
        message: `${control.index} is named in manifest.json but not in the zip`,
      });
  }
  await eachEntry(zipPath, async (_entry, name, open) => {
    const want = expected.get(name);
    if (!want) return;
    expected.delete(name);
    const have = await readAll(await open(), name, failures);
    if (have && !have.equals(want))
      failures.add({
        file: name,
        check: 'population',
        message: `${name} does not name the shared populations manifest.json gives the criterion`,
      });
  });
}

class Failures {
  private readonly items: VerifyFailure[] = [];
  private readonly perCheck = new Map<VerifyCheck, number>();
  count = 0;

  constructor(private readonly max: number) {}

  add(failure: VerifyFailure): void {
    this.count++;
    const n = (this.perCheck.get(failure.check) ?? 0) + 1;
    this.perCheck.set(failure.check, n);
    if (n <= this.max) this.items.push(failure);
  }

  list(): VerifyFailure[] {
    const more = [...this.perCheck].filter(([, n]) => n > this.max);
    return [
      ...this.items,
      ...more.map(([check, n]) => ({ check, message: `... and ${n - this.max} more ${check} failures` })),
    ];
  }
}

type Opener = () => Promise<Readable>;

/**
 * Reads the zip's central directory entry by entry, refusing names that could escape the extraction folder,
 * and calls `visit` with a function that opens the entry's data. Not a zip: CW_BUNDLE_INVALID.
 */
async function eachEntry(
  zipPath: string,
  visit: (entry: yauzl.Entry, name: string, open: Opener) => Promise<void>,
  /** Entries visited at once, so reading, inflating and hashing overlap. */
  concurrency = 1,
): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(zipPath);
  } catch (cause) {
    throw new CrosswalkError(
      'CW_BUNDLE_INVALID',
      `cannot read ${zipPath}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        where: zipPath,
        cause,
      },
    );
  }
  if (!info.isFile())
    throw new CrosswalkError('CW_BUNDLE_INVALID', `${zipPath} is not a file`, { where: zipPath });
  const handle = await open(zipPath, 'r');
  const reader = new BlockReader(handle.fd);
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromRandomAccessReader(
        reader,
        info.size,
        {
          lazyEntries: true,
          autoClose: false,
          decodeStrings: false,
          validateEntrySizes: true,
          strictFileNames: false,
        },
        (error, zipfile) => {
          if (error || !zipfile) {
            reject(
              new CrosswalkError(
                'CW_BUNDLE_INVALID',
                `${zipPath} is not a zip file (${error?.message ?? 'unreadable'})`,
                {
                  where: zipPath,
                  cause: error,
                },
              ),
            );
          } else resolve(zipfile);
        },
      );
    });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(null);
        };
        const onError = (error: Error) => {
          cleanup();
          reject(
            new CrosswalkError('CW_BUNDLE_INVALID', `${zipPath} is not a valid zip file: ${error.message}`, {
              where: zipPath,
              cause: error,
            }),
          );
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) break;
      const name = checkEntryName(entry, zipPath);
      const visiting = visit(
        entry,
        name,
        () =>
          new Promise<Readable>((resolve, reject) =>
            zip.openReadStream(entry, (error, stream) =>
              error || !stream ? reject(error ?? new Error('no stream')) : resolve(stream),
            ),
          ),
      );
      inFlight.add(visiting);
      const settle = () => inFlight.delete(visiting);
      visiting.then(settle, settle);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    zip.close();
    await handle.close();
  }
}

/** The entry's name, or CW_BUNDLE_UNSAFE_PATH when unpacking it could write outside the target folder. */
function checkEntryName(entry: yauzl.Entry, zipPath: string): string {
  const raw = entry.fileName as unknown as Buffer | string;
  const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  const unix = entry.versionMadeBy >> 8 === 3;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  let reason: string | undefined;
  if (name.length === 0) reason = 'an empty name';
  else if (name.includes('\0')) reason = 'a NUL byte in the name';
  else if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) reason = 'an absolute path';
  else if (name.includes('\\')) reason = 'a backslash (a path separator on Windows)';
  else if (name.split('/').includes('..')) reason = 'a ".." segment';
  else if (unix && mode === S_IFLNK) reason = 'a symbolic link';
  if (reason) {
    throw new CrosswalkError(
      'CW_BUNDLE_UNSAFE_PATH',
      `${zipPath} holds the entry "${name}", ${reason}: unpacking it could write outside its folder; the bundle is refused`,
      { where: name },
    );
  }
  return name;
}

async function readAll(stream: Readable, name: string, failures: Failures): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    failures.add({
      file: name,
      check: 'zip',
      message: `${name} cannot be read: ${(error as Error).message}`,
    });
    return undefined;
  }
  return Buffer.concat(chunks);
}

async function hashEntry(
  stream: Readable,
  name: string,
  keep: boolean,
  failures: Failures,
): Promise<{ sha256: string; size: number; bytes?: Buffer } | undefined> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) chunks.push(chunk);
    }
  } catch (error) {
    failures.add({
      file: name,
      check: 'zip',
      message: `${name} cannot be read: ${(error as Error).message}`,
    });
    return undefined;
  }
  return { sha256: hash.digest('hex'), size, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) };
}

/**
 * yauzl reads the central directory a few dozen bytes at a time; served from 1 MiB blocks instead of one file
 * read each, walking 100,000 entries takes a fraction of the time. Entry data is streamed from the same
 * descriptor (positional reads, so concurrent streams do not interfere).
 */
class BlockReader extends yauzl.RandomAccessReader {
  private block: { start: number; bytes: Buffer } | undefined;

  constructor(private readonly fd: number) {
    super();
  }

  /** Positional reads on the shared descriptor; destroying the stream never closes it (fs streams would). */
  override _readStreamForRange(start: number, end: number): Readable {
    const fd = this.fd;
    let position = start;
    return new NodeReadable({
      highWaterMark: 256 * 1024,
      read(size) {
        const want = Math.min(size, end - position);
        if (want <= 0) {
          this.push(null);
          return;
        }
        const chunk = Buffer.allocUnsafe(want);
        read(fd, chunk, 0, want, position, (error, count) => {
          if (error) {
            this.destroy(error);
            return;
          }
          if (count === 0) {
            this.push(null);
            return;
          }
          position += count;
          this.push(chunk.subarray(0, count));
        });
      },
    });
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (error: Error | null) => void,
  ): void {
    const serve = (): boolean => {
      const block = this.block;
      if (!block || position < block.start || position + length > block.start + block.bytes.length) {
        return false;
      }
      block.bytes.copy(buffer, offset, position - block.start, position - block.start + length);
      return true;
    };
    if (serve()) {
      setImmediate(callback, null);
      return;
    }
    const size = Math.max(length, 2 ** 20);
    const bytes = Buffer.allocUnsafe(size);
    read(this.fd, bytes, 0, size, position, (error, count) => {
      if (error) {
        callback(error);
        return;
      }
      this.block = { start: position, bytes: bytes.subarray(0, count) };
      callback(serve() ? null : new Error(`unexpected end of file at ${position + count}`));
    });
  }

  override close(callback: (error: Error | null) => void): void {
    setImmediate(callback, null);
  }
}
