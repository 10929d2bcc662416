/**
 * Verification steps over the bundled run manifests: each connector's chain is continuous over the period, and
 * the records the runs vouch for and the records in the bundle are the same set, hash for hash.
 */
import { canonicalJson, parseEvidenceId } from '@crosswalk/core';
import { keys, type RunManifest } from '@crosswalk/locker';
import { type ExportManifest, FILE_NAMES } from '../manifest.js';
import type { Failures } from './failures.js';

export function checkRunChains(
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
export function checkCompleteness(
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
