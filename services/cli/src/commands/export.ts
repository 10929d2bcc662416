import { type CoverageReport, compactDays, computeCoverage, resolveRequest } from '@crosswalk/assurance';
import { CrosswalkError, VERSION } from '@crosswalk/core';
import {
  type ExportProgress,
  type ExportResult,
  exportToFile,
  type LoadedSigningKey,
  loadSigningKey,
  type VerifyResult,
  verifyBundle,
} from '@crosswalk/export';
import type { Command } from 'commander';
import { cliActor } from '../env.js';
import { type LockerFlags, openLockerFrom, withLockerFlags } from '../locker-flags.js';
import { type Format, json, type Output, parseFormat, table } from '../output.js';

/**
 * `crosswalk export`, `crosswalk verify` and `crosswalk coverage`: auditor bundles built in-process from the
 * locker, verified offline, and the coverage dry run. The work is in @crosswalk/export; this is the terminal.
 */

interface ScopeFlags extends LockerFlags {
  framework: string[];
  control?: string[];
  from: string;
  to: string;
  format: Format;
}

const withScope = (command: Command) =>
  withLockerFlags(
    command
      .requiredOption(
        '--framework <id...>',
        'soc2 (soc2-2017) and/or iso27001 (iso27001-2022); repeat or list several',
      )
      .option('--control <id...>', 'only these controls: CC6.1, A.5.15, soc2:CC8.1, iso27001:2013:A.9.2.6')
      .requiredOption(
        '--from <date>',
        'period start, inclusive: YYYY-MM-DD = UTC midnight, or an ISO timestamp with zone',
      )
      .requiredOption('--to <date>', 'period end, exclusive (same forms as --from)'),
  ).option('--format <format>', 'table or json', parseFormat, 'table' as Format);

export function registerExport(program: Command, output: Output): void {
  withScope(program.command('export'))
    .description(
      'Build a signed, period-scoped evidence bundle (zip) for auditors: populations per control, every item, ' +
        'coverage, run chains; membership by occurredAt in [--from, --to)',
    )
    .requiredOption('-o, --output <file>', 'the zip to write (written whole or not at all)')
    .option(
      '--signing-key <file>',
      'Ed25519 private key (PEM); default CROSSWALK_SIGNING_KEY, CROSSWALK_SIGNING_KEY_FILE, or the key in ' +
        'the user config directory, created on first use',
    )
    .option('--quiet', 'no progress on stderr')
    .action(async (options: ScopeFlags & { output: string; signingKey?: string; quiet?: boolean }) => {
      // Everything the user typed is checked before a key is created, the locker opened or a byte written.
      const { window } = resolveRequest({
        frameworks: options.framework,
        controls: options.control ?? null,
        from: options.from,
        to: options.to,
      });
      const key = await loadSigningKey(options.signingKey ? { file: options.signingKey } : {});
      reportKey(key, output);
      const locker = await openLockerFrom(options, output);
      await locker.ping();
      output.err(`exporting ${window.from} .. ${window.to} (to exclusive) from ${locker.location}`);
      const started = Date.now();
      const result = await exportToFile(options.output, {
        locker,
        frameworks: options.framework,
        controls: options.control ?? null,
        from: window.from,
        to: window.to,
        signingKey: key,
        generator: { name: 'crosswalk', version: VERSION },
        ...(options.quiet ? {} : { onProgress: progressPrinter(output) }),
      });
      try {
        await locker.audit.append({
          actor: cliActor(),
          action: 'export.create',
          target: result.exportId,
          details: {
            frameworks: result.scope.frameworks,
            controls: result.scope.requestedControls,
            from: window.from,
            to: window.to,
            records: result.records,
            sha256: result.sha256,
            fingerprint: result.fingerprint,
          },
        });
      } catch (error) {
        output.err(
          `warning: the export was written but not recorded in the audit log: ${(error as Error).message}`,
        );
      }
      const summary = {
        file: result.file,
        exportId: result.exportId,
        period: `${window.from} .. ${window.to}`,
        records: result.records,
        runs: result.runs,
        files: result.files,
        bytes: result.bytes,
        sha256: result.sha256,
        fingerprint: result.fingerprint,
        coverage: coverageLine(result.coverage),
        completeness: completenessLine(result.manifest),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      // Records no chained run vouches for were left out: the bundle says so, and verify fails on it.
      const unvouched = result.manifest.completeness?.unvouched;
      for (const record of unvouched?.records ?? [])
        output.err(`warning: left out ${record.id}: no chained run vouches for it`);
      if (unvouched && unvouched.count > 0)
        output.err(
          `warning: ${unvouched.count} record(s) of the period are vouched for by no chained run and were left out; ` +
            'the bundle names them and `crosswalk verify` fails on it. A run still in progress will chain its own; ' +
            "for a dead run's records see `crosswalk locker verify-runs` and `crosswalk locker recover`.",
        );
      if (options.format === 'json') {
        output.out(json(summary));
      } else {
        output.out(
          table(
            ['field', 'value'],
            Object.entries(summary).map(([k, v]) => [k, String(v)]),
          ),
        );
        output.out(`\nverify with: crosswalk verify ${result.file} --fingerprint ${result.fingerprint}`);
      }
    });

  program
    .command('verify')
    .description(
      'Verify an export bundle offline: hashes, no file missing or extra, the signature, the key fingerprint, ' +
        'each record, the run chain over the period. Exit 0 when everything holds',
    )
    .argument('<bundle>', 'the zip')
    .option('--fingerprint <hex>', 'the signing key fingerprint you were given (SHA-256 of the public key)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action(async (bundle: string, options: { fingerprint?: string; format: Format }) => {
      const result = await verifyBundle(
        bundle,
        options.fingerprint ? { fingerprint: options.fingerprint } : {},
      );
      if (options.format === 'json') output.out(json(result));
      else printVerification(bundle, result, options.fingerprint !== undefined, output);
      if (!result.ok) {
        const files = new Set(result.failures.map((f) => f.file).filter(Boolean));
        throw new CrosswalkError(
          'CW_BUNDLE_UNVERIFIED',
          `${bundle} failed verification: ${result.failures.length} failure(s) in ${files.size} file(s)`,
          { where: bundle },
        );
      }
    });

  withScope(program.command('coverage'))
    .description(
      'Coverage over a period, per control and cadence period: evidence expected and found, days the ' +
        'collecting connector did not run successfully, gaps; manual controls listed',
    )
    .action(async (options: ScopeFlags) => {
      const locker = await openLockerFrom(options, output);
      const report = await computeCoverage({
        locker,
        frameworks: options.framework,
        controls: options.control ?? null,
        from: options.from,
        to: options.to,
      });
      if (options.format === 'json') output.out(json(report));
      else output.out(coverageTable(report));
    });
}

function reportKey(key: LoadedSigningKey, output: Output): void {
  if (key.created) {
    output.err(
      `created a signing key at ${key.source} (mode 0600); keep it out of the locker and back it up`,
    );
  }
  output.err(`signing key: ${key.source}, fingerprint ${key.fingerprint}`);
}

function progressPrinter(output: Output): (progress: ExportProgress) => void {
  let lastPhase = '';
  let lastPrinted = 0;
  return (p) => {
    const now = p.elapsedMs;
    const changed = `${p.phase}:${p.current ?? ''}` !== lastPhase;
    if (!changed && now - lastPrinted < 2000) return;
    lastPhase = `${p.phase}:${p.current ?? ''}`;
    lastPrinted = now;
    const rate = p.elapsedMs > 0 ? Math.round((p.records * 1000) / p.elapsedMs) : 0;
    output.err(
      `  ${p.phase}${p.current ? ` ${p.current}` : ''}: ${p.records} records, ${p.runs} runs, ` +
        `${(p.bytes / 2 ** 20).toFixed(1)} MB, ${rate} records/s, ${(p.elapsedMs / 1000).toFixed(1)} s`,
    );
  };
}

function coverageLine(report: CoverageReport): string {
  const s = report.summary;
  return `${s.complete} complete, ${s.gaps} with gaps, ${s.noEvidence} without evidence, ${s.manual} manual (of ${s.controls})`;
}

function printVerification(bundle: string, result: VerifyResult, pinned: boolean, output: Output): void {
  if (result.ok) {
    output.out(
      `OK ${bundle}: ${result.checked.files} files, ${result.checked.records} records, ${result.checked.runs} runs ` +
        `verified; signed by key ${result.fingerprint}${pinned ? ' (the expected one)' : ''}`,
    );
    if (result.manifest) {
      output.out(`period ${result.manifest.period.from} .. ${result.manifest.period.to} (to exclusive)`);
    }
    if (!pinned) {
      output.out(
        'compare the fingerprint with the one you were given, or pass --fingerprint to have it checked',
      );
    }
  } else {
    output.out(`FAILED ${bundle}:`);
    output.out(
      table(
        ['check', 'file', 'problem'],
        result.failures.map((f) => [f.check, f.file ?? '-', f.message]),
      ),
    );
  }
  for (const warning of result.warnings) output.out(`warning: ${warning}`);
}

function coverageTable(report: CoverageReport): string {
  const byKind = new Map(report.kinds.map((k) => [k.kind, k]));
  const rows: string[][] = [];
  for (const control of report.controls) {
    if (control.kinds.length === 0) {
      rows.push([control.framework, control.id, 'manual', '-', '-', '-', '-', '-', '-', control.title]);
      continue;
    }
    for (const kindId of control.kinds) {
      const kind = byKind.get(kindId)!;
      rows.push([
        control.framework,
        control.id,
        control.status,
        kind.kind,
        kind.cadence,
        kind.expected === null ? '-' : String(kind.expected),
        String(kind.found),
        compactDays(kind.gapPeriods, 3) || '-',
        compactDays(kind.failedRunDays, 3) || '-',
        compactDays(kind.noRunDays, 3) || '-',
      ]);
    }
  }
  const s = report.summary;
  return [
    `coverage ${report.window.from} .. ${report.window.to} (to exclusive), evaluated up to ${report.evaluatedUntil}`,
    table(
      [
        'framework',
        'control',
        'status',
        'kind',
        'cadence',
        'expected',
        'found',
        'gaps',
        'runs failed',
        'no run / title',
      ],
      rows,
    ),
    `${s.controls} controls: ${s.complete} complete, ${s.gaps} with gaps, ${s.noEvidence} without evidence, ${s.manual} manual; ${s.records} records`,
    ...report.runProblems.map((p) => `warning: ${p.connectorId ? `${p.connectorId}: ` : ''}${p.message}`),
  ].join('\n');
}

function completenessLine(manifest: ExportResult['manifest']): string {
  const completeness = manifest.completeness;
  if (!completeness) return 'not stated';
  return `${completeness.vouched} records vouched for by the chain, all in the bundle; ${completeness.unvouched.count} unvouched left out`;
}
