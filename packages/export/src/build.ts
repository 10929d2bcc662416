import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  buildCoverage,
  bundleControlTests,
  COVERAGE_COLUMNS,
  type CompletenessProblem,
  type CoverageReport,
  chainLinkTarget,
  coverageRows,
  discoverConnectors,
  FoundTally,
  laterEntries,
  planControlTests,
  type RunRead,
  type RunSummaries,
  RunTally,
  readRun,
  resolveRequest,
  runSummary,
  runsListedFrom,
  type Scope,
  VouchedSet,
  type Window,
} from '@crosswalk/assurance';
import { controlsFor, MAPPING_VERSION, recordClaims } from '@crosswalk/controls';
import {
  CrosswalkError,
  type EvidenceKind,
  type EvidenceRecord,
  type Person,
  type SupersessionEntry,
  sha256Hex,
  verifyRecordBytes,
} from '@crosswalk/core';
import { keys, type Locker, mapOrdered, type RunManifest } from '@crosswalk/locker';
import { csvLine } from './csv.js';
import { CURRENCY_COLUMNS, KindPopulation, type KindPopulationFiles } from './current.js';
import { type ExportManifest, FILE_NAMES, MANIFEST_FORMAT, serializeManifest } from './manifest.js';
import { renderReadme } from './readme.js';
import { type SigningKey, signBytes } from './signing.js';
import { Sink, Spool } from './sink.js';
import { RecordTee } from './tee.js';
import { type EntryDigest, ZipWriter } from './zip/writer.js';

export const MEMBERSHIP_RULE =
  'An item is in the period when its occurredAt (when it happened at the source) is at or after `from` and ' +
  'before `to`, whenever it was collected.';

export const COMPLETENESS_RULE =
  'The bundle holds exactly the records of the period (kinds in scope) that chained run manifests list, ' +
  'whichever run stored them and whenever, each with the hash its run recorded. A record in the locker that no ' +
  'chained run lists is left out and named under unvouched.';

/** Unvouched records named in the manifest; beyond this only their count. */
const MAX_UNVOUCHED_LISTED = 1000;
/** Problems named in a CW_CHAIN_BROKEN error; beyond this only their count. */
const MAX_PROBLEMS_NAMED = 100;

export const POPULATION_COLUMNS = [
  'id',
  'kind',
  'occurredAt',
  'collectedAt',
  'owner',
  'controlOwner',
  'source',
  'sourceRef',
  'url',
  'soc2',
  'iso',
  'sha256',
  'path',
  'fileSha256',
  'fileBytes',
  'recordMappingVersion',
  // Whether the row is its subject's current answer, and what replaced it (current.ts).
  ...CURRENCY_COLUMNS,
] as const;

export interface ExportProgress {
  phase: 'evidence' | 'runs' | 'populations' | 'finishing' | 'done';
  /** The kind being read (evidence phase) or connector (runs phase). */
  current?: string;
  records: number;
  runs: number;
  /** Bytes of zip written so far. */
  bytes: number;
  elapsedMs: number;
}

export interface BuildExportOptions {
  locker: Locker;
  /** Framework ids or aliases: `soc2`, `iso27001`, `soc2-2017`, `iso27001-2022`. */
  frameworks: readonly string[];
  /** Limit to these controls (`CC6.1`, `A.5.15`, `soc2:CC6.1`); all controls of the frameworks when absent. */
  controls?: readonly string[] | null;
  /** Inclusive start: YYYY-MM-DD (UTC midnight) or an ISO timestamp (UTC unless it has a zone). */
  from: string | Date;
  /** Exclusive end, same forms. */
  to: string | Date;
  signingKey: SigningKey;
  /** Where the zip goes: a file, an HTTP response, an S3 multipart upload stream. Ended when done. */
  out: Writable;
  generator: { name: string; version: string };
  /** Default: a random UUID (the API passes its job id). */
  exportId?: string;
  /** The time written into the manifest and the zip; also "now" for coverage. Default: the current time. */
  now?: Date;
  /** Records read ahead (GET + verify + compress in flight). Default 16, as records.list. */
  concurrency?: number;
  /** Deflate level 1-9 (default 6). */
  compressionLevel?: number;
  /** Where spool files go (CSV rows, SHA256SUMS, the central directory). Default: the OS temp directory. */
  tmpDir?: string;
  /** Connectors whose runs go into the bundle; default: configured ones and every one with runs. */
  connectors?: readonly string[];
  /** The seed of the control tests' samples; default: the export id. */
  controlSeed?: string;
  /** Told about progress at most every 500 ms, and at each phase. */
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult {
  exportId: string;
  window: Window;
  scope: Scope;
  /** Size and SHA-256 of the whole zip. */
  bytes: number;
  sha256: string;
  records: number;
  runs: number;
  files: number;
  fingerprint: string;
  manifest: ExportManifest;
  coverage: CoverageReport;
}

/**
 * Builds one export bundle (a zip) and streams it to `out` with bounded memory: records are read per kind in
 * occurredAt order (`concurrency` ahead), verified, and written into the zip as they come; CSV rows, the
 * SHA256SUMS lines and the zip's central directory are spooled to temporary files, not kept in memory.
 * Memory therefore does not grow with the number of records.
 *
 * Validates everything (frameworks, controls, window) before the first byte is written; bad input throws
 * CW_INPUT_INVALID / CW_FRAMEWORK_UNKNOWN / CW_CONTROL_UNKNOWN. A record that fails verification in the locker
 * (CW_LOCKER_CORRUPT) stops the export: a bundle is never signed over evidence that did not prove itself.
 * On failure `out` is destroyed; use exportToFile to get "a complete file or no file".
 */
export async function buildExport(options: BuildExportOptions): Promise<ExportResult> {
  const { scope, window } = resolveRequest(options);
  const { locker, signingKey } = options;
  const generatedAtDate = options.now ?? new Date();
  const generatedAt = generatedAtDate.toISOString();
  const exportId = options.exportId ?? randomUUID();
  const concurrency = options.concurrency ?? 16;
  const started = performance.now();
  const tmp = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'crosswalk-export-'));
  const sink = new Sink(options.out);
  const spools: Spool[] = [];
  const spool = async (name: string) => {
    const created = await Spool.create(path.join(tmp, name));
    spools.push(created);
    return created;
  };

  const progress = { records: 0, runs: 0 };
  let lastReport = 0;
  const report = (phase: ExportProgress['phase'], current?: string, force = false) => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (!force && now - lastReport < 500) return;
    lastReport = now;
    options.onProgress({
      phase,
      ...(current === undefined ? {} : { current }),
      records: progress.records,
      runs: progress.runs,
      bytes: sink.bytes,
      elapsedMs: Math.round(now - started),
    });
  };

  try {
    const sums = await spool('SHA256SUMS');
    const listed: { path: string; sha256: string; bytes: number }[] = [];
    const unlisted = new Set<string>([FILE_NAMES.manifest, FILE_NAMES.signature, FILE_NAMES.sums]);
    const zip = new ZipWriter(
      sink,
      await spool('central-directory'),
      generatedAtDate,
      async (entry) => {
        if (!unlisted.has(entry.name)) await sums.append(`${entry.sha256}  ${entry.name}\n`);
        if (
          !entry.name.startsWith('evidence/') &&
          !entry.name.startsWith('runs/') &&
          entry.name !== FILE_NAMES.manifest &&
          entry.name !== FILE_NAMES.signature
        ) {
          listed.push({ path: entry.name, sha256: entry.sha256, bytes: entry.size });
        }
      },
      options.compressionLevel ?? 6,
    );

    // 1. The run chains, connector by connector: every link is checked, and the manifests of the runs that
    // started in the period (coverage, continuity) and of the runs whose links say they stored records of the
    // period's days (whenever they ran) are read into the bundle. Together they name the exact set of records the
    // chain vouches for in the period.
    const discovered = options.connectors ? [...options.connectors] : await discoverConnectors(locker);
    // Its day files live in `tmp`, removed below whatever happens.
    const vouched = await VouchedSet.create(scope.kinds, window, tmp);
    const runs = new RunTally();
    const runChains: ExportManifest['runChains'] = [];
    const breaks: CompletenessProblem[] = [];
    // What the control tests' IPE packs report of each connector's runs, from this walk: not read a second time.
    const ipeRuns = new Map<string, RunSummaries>();
    for (const connectorId of discovered) {
      report('runs', connectorId, true);
      const chain = await exportRuns(
        locker,
        connectorId,
        window,
        vouched,
        zip,
        runs,
        ipeRuns,
        () => progress.runs++,
      );
      runChains.push(chain);
      for (const problem of chain.lockerCheck.problems) {
        breaks.push({
          path: problem.key ?? `chain/${connectorId}/${problem.sequence ?? ''}`,
          message: `${connectorId}${problem.sequence === undefined ? '' : ` #${problem.sequence}`}: ${problem.message}`,
        });
      }
    }
    // A bundle is never signed over a chain that is broken where the period depends on it.
    if (breaks.length > 0 || vouched.problems.length > 0)
      throw chainBroken(window, [...breaks, ...vouched.problems]);

    // 2. Evidence, kind by kind, in occurredAt order. Rows go to one spool per kind. Each record listed must be
    // the one the chain vouches for; one no chained run lists is left out of the bundle and named in its manifest.
    // The control tests (step 3) rest on what this read verified: every listed record of the kinds they need,
    // vouched or not, goes through the tee to a local spool, so no record is fetched from the locker twice.
    const controlPlan = await planControlTests({ locker, window, frameworks: scope.frameworks });
    const tee = new RecordTee(new Set(controlPlan.kinds), spool);
    const found = new FoundTally();
    const byKind: Record<string, number> = {};
    const kindRows = new Map<EvidenceKind, KindPopulationFiles>();
    const unvouched = { count: 0, records: [] as { id: string; key: string }[] };
    let evidenceBytes = 0;
    let otherMapping = 0;
    for (const [index, kind] of scope.kinds.entries()) {
      report('evidence', kind, true);
      let later: Promise<readonly SupersessionEntry[]> | undefined;
      const laterOnce = () => {
        later ??= laterEntries(locker, kind, window);
        return later;
      };
      const rows = new KindPopulation(
        kind,
        await spool(`rows-${index}.csv`),
        () => spool(`current-${index}.csv`),
        { locker, window, found, later: laterOnce },
      );
      const teed = tee.wants(kind);
      await tee.open(kind, index);
      const mapped = controlsFor(kind);
      const soc2 = mapped['soc2-2017'].join(';');
      const iso = mapped['iso27001-2022'].join(';');
      // A kind whose records may claim more (recordClaims) is mapped record by record; the rest once per kind.
      const perRecord = Object.hasOwn(recordClaims, kind);
      let count = 0;
      const listing = vouched.match(kind, locker.records.refs(kind, window));
      const items = mapOrdered(listing, concurrency, async ({ ref, expected }) => {
        // Not vouched: left out of the bundle, but read for the control tests when they rest on its kind.
        if (expected === undefined && !teed) return { ref, item: undefined };
        // On versioned buckets the listing already named the first write's version: one GET, no version list.
        const stored = await locker.store.get(
          ref.key,
          ref.versionId === undefined ? {} : { versionId: ref.versionId },
        );
        if (stored === undefined) {
          throw new CrosswalkError('CW_LOCKER_CORRUPT', `evidence ${ref.key} was listed but cannot be read`, {
            where: ref.key,
          });
        }
        const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
        const record = verifyRecordBytes(bytes, ref.key);
        if (record.id !== ref.id || record.kind !== ref.kind || record.occurredAt !== ref.occurredAt) {
          throw new CrosswalkError(
            'CW_LOCKER_CORRUPT',
            `record at ${ref.key} is record ${record.id} of ${record.kind}: moved`,
            { where: ref.key },
          );
        }
        if (expected === undefined) return { ref, item: undefined, record, bytes };
        const [compressed, sha256] = [zip.compress(bytes), sha256Hex(bytes)];
        return { ref, item: { record, bytes, compressed: await compressed, sha256, expected } };
      });
      for await (const { ref, item, record: unvouchedRecord, bytes: unvouchedBytes } of items) {
        const read = item ?? (unvouchedRecord && { record: unvouchedRecord, bytes: unvouchedBytes! });
        if (read) await tee.add(read.record, read.bytes, item !== undefined);
        if (!item) {
          unvouched.count++;
          if (unvouched.records.length < MAX_UNVOUCHED_LISTED)
            unvouched.records.push({ id: ref.id, key: ref.key });
          continue;
        }
        const { record, bytes } = item;
        // Altered: named, and the export fails below.
        if (!vouched.meet(record.id, record.sha256, item.expected)) continue;
        const file = evidencePath(record);
        await zip.addBuffer(file, bytes, { compressed: item.compressed, sha256: item.sha256 });
        if (record.controls.mappingVersion !== MAPPING_VERSION) otherMapping++;
        const own = perRecord ? controlsFor(kind, record.payload) : undefined;
        await rows.append(
          record,
          csvLine([
            record.id,
            record.kind,
            record.occurredAt,
            record.collectedAt,
            record.owner.people.map(personLabel).join('; '),
            record.owner.controlOwner,
            `${record.source.system}:${record.source.instance}`,
            record.source.ref,
            record.source.url,
            own ? own['soc2-2017'].join(';') : soc2,
            own ? own['iso27001-2022'].join(';') : iso,
            record.sha256,
            file,
            item.sha256,
            bytes.length,
            record.controls.mappingVersion,
          ]),
        );
        evidenceBytes += bytes.length;
        count++;
        progress.records++;
        report('evidence', kind);
      }
      kindRows.set(kind, await rows.close());
      await tee.close(kind, laterOnce);
      byKind[kind] = count;
    }
    await vouched.finish();
    if (vouched.problems.length > 0) throw chainBroken(window, vouched.problems);

    // 3. Coverage from the tallies, then the populations and the small files.
    report('populations', undefined, true);
    const coverage = buildCoverage({ scope, window, found, runs, now: generatedAtDate });
    const header = Buffer.from(csvLine(POPULATION_COLUMNS));
    await zip.addFiles(FILE_NAMES.populations, [
      header,
      ...scope.kinds.map((kind) => kindRows.get(kind)!.all),
    ]);
    // A kind's current rows are written once, to populations/<kind>.csv, whichever criteria rest on it: today's
    // pull request approvals back several ISO controls, and an auditor should not reconcile copies. Each
    // criterion's folder holds an index naming the shared files its population is made of.
    const scopePopulations: ExportManifest['scope']['populations'] = [];
    const sharedOf = new Map<EvidenceKind, { file: string; records: number }>();
    for (const kind of scope.kinds) {
      if (!scope.controls.some((control) => control.kinds.includes(kind))) continue;
      const file = kindPopulationPath(kind);
      const part = kindRows.get(kind)!.current;
      await zip.addFiles(file, [header, part]);
      sharedOf.set(kind, { file, records: part.records });
      scopePopulations.push({ kind, file, records: part.records });
    }
    const scopeControls: ExportManifest['scope']['controls'] = [];
    for (const control of scope.controls) {
      if (control.kinds.length === 0) {
        scopeControls.push({
          framework: control.framework,
          id: control.id,
          kinds: [],
          populations: [],
          index: null,
          records: 0,
        });
        continue;
      }
      const parts = control.kinds.map((kind) => ({ kind, ...sharedOf.get(kind)! }));
      const index = criterionIndexPath(control.framework, control.id);
      await zip.addBuffer(index, criterionIndex(parts));
      scopeControls.push({
        framework: control.framework,
        id: control.id,
        kinds: [...control.kinds],
        populations: parts.map((part) => part.file),
        index,
        records: parts.reduce((sum, part) => sum + part.records, 0),
      });
    }
    await zip.addStream(FILE_NAMES.coverage, coverageCsv(coverage));
    // The organisation's controls tested over the period (@crosswalk/assurance), under control-tests/. The seed
    // is the auditor's, else the export id: written in every sample.csv, so the sample can be drawn again.
    const controlTests = await bundleControlTests({
      locker,
      window,
      frameworks: scope.frameworks,
      seed: options.controlSeed ?? exportId,
      now: generatedAtDate,
      spool,
      plan: controlPlan,
      feed: tee.feed(),
      runs: (connector) => ipeRuns.get(connector),
    });
    // A control's population.csv grows with the period: assurance spooled it (spooled). The other files are
    // small texts, streamed in slices and each let go once written, so no whole-file Buffer copy is made.
    const testFiles = controlTests.files;
    for (let file = testFiles.shift(); file; file = testFiles.shift()) {
      if ('spooled' in file) await zip.addFiles(file.path, [file.spooled]);
      else await zip.addStream(file.path, textSlices(file.text), Buffer.byteLength(file.text, 'utf8'));
    }

    report('finishing', undefined, true);
    const base: Omit<ExportManifest, 'files' | 'counts'> & {
      counts: Omit<ExportManifest['counts'], 'files'>;
    } = {
      format: MANIFEST_FORMAT,
      exportId,
      generatedAt,
      generator: { name: options.generator.name, version: options.generator.version },
      mappingVersion: MAPPING_VERSION,
      period: { from: window.from, to: window.to, membership: MEMBERSHIP_RULE },
      scope: {
        frameworks: scope.frameworks,
        requestedControls: scope.requestedControls,
        kinds: scope.kinds,
        populations: scopePopulations,
        controls: scopeControls,
      },
      counts: {
        records: progress.records,
        byKind,
        evidenceBytes,
        runs: progress.runs,
        recordsUnderOtherMappings: otherMapping,
      },
      publicKey: {
        file: FILE_NAMES.publicKey,
        algorithm: 'Ed25519',
        fingerprint: signingKey.fingerprint,
        fingerprintOf: 'SHA-256 of the DER SubjectPublicKeyInfo of public-key.pem',
      },
      signature: {
        file: FILE_NAMES.signature,
        algorithm: 'Ed25519',
        over: 'the exact bytes of manifest.json',
      },
      sums: {
        file: FILE_NAMES.sums,
        covers: 'every file of the bundle except manifest.json, manifest.sig and SHA256SUMS itself',
      },
      runChains,
      completeness: {
        rule: COMPLETENESS_RULE,
        vouched: vouched.vouched,
        unvouched,
      },
      coverage: {
        file: FILE_NAMES.coverage,
        evaluatedUntil: coverage.evaluatedUntil,
        controls: coverage.summary.controls,
        complete: coverage.summary.complete,
        gaps: coverage.summary.gaps,
        noEvidence: coverage.summary.noEvidence,
        manual: coverage.summary.manual,
      },
    };
    // Every entry so far, plus README, public key, SHA256SUMS, manifest and signature.
    const files = progress.records + progress.runs + listed.length + 5;
    const counts = { ...base.counts, files };
    await zip.addBuffer(
      FILE_NAMES.readme,
      renderReadme({ ...base, counts }, coverage, controlTests.readmeHtml),
    );
    await zip.addBuffer(FILE_NAMES.publicKey, Buffer.from(signingKey.publicKeyPem, 'utf8'));
    const closedSums = await sums.close();
    await zip.addFiles(FILE_NAMES.sums, [{ path: closedSums.path, size: closedSums.size }]);

    const manifest: ExportManifest = { ...base, counts, files: listed };
    const manifestBytes = serializeManifest(manifest);
    await zip.addBuffer(FILE_NAMES.manifest, manifestBytes);
    await zip.addBuffer(FILE_NAMES.signature, signBytes(signingKey, manifestBytes));
    const { entries } = await zip.finish();
    if (entries !== files)
      throw new CrosswalkError('CW_INTERNAL', `zip has ${entries} entries, expected ${files}`);
    const written = await sink.end();
    report('done', undefined, true);
    return {
      exportId,
      window,
      scope,
      bytes: written.bytes,
      sha256: written.sha256,
      records: progress.records,
      runs: progress.runs,
      files,
      fingerprint: signingKey.fingerprint,
      manifest,
      coverage,
    };
  } catch (error) {
    options.out.destroy(error as Error);
    throw error;
  } finally {
    await Promise.all(spools.map((s) => s.discard()));
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Builds the bundle into `file` atomically: written to a temporary file beside it, renamed into place only when
 * complete. A failed export leaves no file (and an existing file at `file` untouched).
 */
export async function exportToFile(
  file: string,
  options: Omit<BuildExportOptions, 'out'>,
): Promise<ExportResult & { file: string }> {
  // Validate before creating anything, so bad input writes nothing at all.
  resolveRequest(options);
  const target = path.resolve(file);
  const partial = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomUUID().slice(0, 8)}.partial`,
  );
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o644 });
  try {
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
  } catch (cause) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `cannot write ${target}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      { where: target, cause },
    );
  }
  try {
    const result = await buildExport({ ...options, out });
    if (!out.closed) await once(out, 'close');
    await rename(partial, target);
    return { ...result, file: target };
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Where a built bundle lives in the locker (DESIGN.md: `exports/<exportId>/...`), for the service that stores
 * bundles there and serves them (streamed, or a presigned URL on S3).
 */
export function exportKey(exportId: string): string {
  return `exports/${keys.assertSegment(exportId, 'export id')}/bundle.zip`;
}

/** `populations/<kind>.csv`: the current rows of one kind, shared by every criterion that rests on it. */
function kindPopulationPath(kind: string): string {
  return `populations/${kind}.csv`;
}

/** `controls/<framework>/<id>/index.csv`: which shared populations one criterion rests on. */
function criterionIndexPath(framework: string, id: string): string {
  return `controls/${framework}/${id}/index.csv`;
}

const CRITERION_INDEX_COLUMNS = ['kind', 'population', 'records'] as const;

/**
 * A criterion's index: one line per kind it rests on, naming the shared file whose rows (all of them: the kind's
 * current answers) are that kind's part of the criterion's population. verify rebuilds it from the manifest.
 */
export function criterionIndex(parts: readonly { kind: string; file: string; records: number }[]): Buffer {
  return Buffer.from(
    csvLine(CRITERION_INDEX_COLUMNS) + parts.map((p) => csvLine([p.kind, p.file, p.records])).join(''),
    'utf8',
  );
}

/** `evidence/<kind>/<yyyy-mm-dd>/<id>.json`. */
export function evidencePath(record: Pick<EvidenceRecord, 'kind' | 'occurredAt' | 'id'>): string {
  return `evidence/${record.kind}/${record.occurredAt.slice(0, 10)}/${record.id}.json`;
}

/** `runs/<connector>/<yyyy-mm-dd>/<startedAt>-<runId>.json`, from the locker key of the run. */
export function runPath(lockerKey: string): string {
  const parts = keys.parseRunKey(lockerKey);
  if (!parts) throw new CrosswalkError('CW_INTERNAL', `not a run key: ${lockerKey}`);
  return `runs/${parts.connectorId}/${parts.startedAt.slice(0, 10)}/${parts.startedAt}-${parts.runId}.json`;
}

function personLabel(person: Person): string {
  return person.login ?? person.email ?? person.name ?? person.id ?? '';
}

/** A string as UTF-8 Buffers of about 64 KiB, never splitting a surrogate pair. */
async function* textSlices(text: string): AsyncIterable<Buffer> {
  const step = 65_536;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + step, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield Buffer.from(text.slice(start, end), 'utf8');
    start = end;
  }
}

async function* coverageCsv(report: CoverageReport): AsyncIterable<Buffer> {
  let block = csvLine(COVERAGE_COLUMNS);
  for (const row of coverageRows(report)) {
    block += csvLine(row);
    if (block.length >= 65_536) {
      yield Buffer.from(block, 'utf8');
      block = '';
    }
  }
  if (block.length > 0) yield Buffer.from(block, 'utf8');
}

/**
 * Walks one connector's chain (every link checked) and writes into the zip the runs the period needs: every
 * sequence from the first run that started in the period to the last one (continuity, coverage), and every other
 * run whose manifest vouches for a record of the period (a backfill, the next morning's run, a late webhook, a
 * retry after a crash). Returns the connector's manifest entry; its `lockerCheck` names every break found.
 *
 * `ipeRuns` gets what the control tests' IPE pack reports of the connector (the runs read here that started from a
 * day before the period on, and the chain check of the runs that started in it), so the pack does not list the
 * connector's manifests and walk its chain again. Read here are the runs that started in the period and every run
 * that stored records of its days: a run outside the period that stored none of them is not, so a source count
 * such a run recorded is not in the pack's reconciliation (a run that stored none of the period's records has none
 * of its population to reconcile).
 */
async function exportRuns(
  locker: Locker,
  connectorId: string,
  window: Window,
  vouched: VouchedSet,
  zip: ZipWriter,
  tally: RunTally,
  ipeRuns: Map<string, RunSummaries>,
  counted: () => void,
): Promise<ExportManifest['runChains'][number]> {
  const seen = new Set<number>();
  const vouchers: number[] = [];
  let first:
    | { sequence: number; previous: ExportManifest['runChains'][number]['window']['before'] }
    | undefined;
  let last = 0;
  const listFrom = runsListedFrom(window);
  const summaries: { key: string; run: RunSummaries['runs'][number] }[] = [];
  const summarise = (key: string, manifest: RunManifest) => {
    if (manifest.startedAt >= listFrom) summaries.push({ key, run: runSummary(manifest) });
  };
  // Links of runs that started in the period: what a check of the period alone (the IPE's) counts as checked.
  let checkedInPeriod = 0;
  const include = async (read: RunRead): Promise<void> => {
    if (read.bytes) {
      await zip.addBuffer(runPath(read.key), read.bytes);
      counted();
    }
    if (!read.manifest) return;
    const sequence = read.manifest.sequence;
    seen.add(sequence);
    if (!first || sequence < first.sequence) first = { sequence, previous: read.manifest.previous };
    if (sequence > last) last = sequence;
  };
  const check = await locker.runs.verifyChain(connectorId, window, {
    wants: (link) => vouched.wants(link),
    onVisit: async ({ link, manifest, bytes }) => {
      const startedAt = keys.parseRunKey(link.key)?.startedAt;
      if (startedAt !== undefined && startedAt >= window.from && startedAt < window.to) checkedInPeriod++;
      if (!manifest || !bytes) return;
      summarise(link.key, manifest);
      const inPeriod = manifest.startedAt >= window.from && manifest.startedAt < window.to;
      const vouches = (await vouched.addRun(connectorId, manifest)) > 0;
      tally.noteRetention(manifest);
      if (inPeriod) {
        tally.add(manifest);
        await include({ connectorId, key: link.key, bytes, manifest });
      } else if (vouches) {
        vouchers.push(manifest.sequence);
        await zip.addBuffer(runPath(link.key), bytes);
        counted();
      }
    },
  });
  // Fill in sequences inside first..last whose run started outside the period (two runs that overlapped
  // the edge), so the segment in the bundle is contiguous.
  const missing: number[] = [];
  if (first) {
    for (let sequence = first.sequence + 1; sequence < last; sequence++) {
      if (seen.has(sequence)) continue;
      const at = vouchers.indexOf(sequence);
      if (at >= 0) {
        // Already in the bundle as a voucher: it belongs to the segment instead.
        vouchers.splice(at, 1);
        seen.add(sequence);
        continue;
      }
      const key = await chainLinkTarget(locker, connectorId, sequence);
      const read = key && keys.parseRunKey(key) ? await readRun(locker, connectorId, key) : undefined;
      if (read?.manifest?.sequence === sequence) {
        await include(read);
        summarise(read.key, read.manifest);
      } else missing.push(sequence);
    }
  }
  summaries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  ipeRuns.set(connectorId, {
    runs: summaries.map((s) => s.run),
    chain: { ...check, checked: checkedInPeriod },
  });
  return {
    connectorId,
    lockerCheck: {
      ok: check.ok,
      checked: check.checked,
      problems: check.problems.map((p) => ({
        ...(p.sequence === undefined ? {} : { sequence: p.sequence }),
        ...(p.key === undefined ? {} : { key: p.key }),
        message: p.message,
      })),
    },
    head: check.head,
    window: {
      runs: seen.size,
      first: first?.sequence ?? null,
      last: first ? last : null,
      before: first?.previous ?? null,
      missing,
    },
    vouchers,
  };
}

/** The export refused: the chain is broken where the period depends on it, or the locker disagrees with it. */
function chainBroken(window: Window, problems: readonly CompletenessProblem[]): CrosswalkError {
  const named = problems.slice(0, MAX_PROBLEMS_NAMED);
  const more = problems.length - named.length;
  return new CrosswalkError(
    'CW_CHAIN_BROKEN',
    `the run chain does not vouch for the evidence of [${window.from}, ${window.to}) (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` +
      `${named[0]!.message}${problems.length > 1 ? '; ...' : ''}. No bundle was signed.` +
      (more > 0 ? ` ${more} more not listed.` : ''),
    { where: 'chain', issues: named.map((p) => ({ path: p.path, message: p.message })) },
  );
}

export type { EntryDigest };
