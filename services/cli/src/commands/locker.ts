import { findUnvouched, recoverUnvouched } from '@crosswalk/collect';
import { CrosswalkError, type EvidenceKind, isEvidenceKind, parseRecord } from '@crosswalk/core';
import {
  type Locker,
  lockerConfigFromEnv,
  openLocker,
  parseLockerConfig,
  type TimeRange,
} from '@crosswalk/locker';
import type { Command } from 'commander';
import { type Format, json, type Output, parseFormat, table } from '../output.js';
import { parseWindow } from '../window.js';

interface LockerOptions {
  lockerDir?: string;
  format: Format;
}

function open(options: LockerOptions, output: Output): Locker {
  const config = options.lockerDir
    ? parseLockerConfig({ driver: 'fs', root: options.lockerDir }, '--locker-dir')
    : lockerConfigFromEnv();
  return openLocker(config, { onWarning: (message) => output.err(`warning: ${message}`) });
}

export function registerLocker(program: Command, output: Output): void {
  const locker = program
    .command('locker')
    .description('Inspect the evidence locker (filesystem by default; S3 when CROSSWALK_S3_BUCKET is set)');
  const common = (command: Command) =>
    command
      .option('--locker-dir <dir>', 'use a filesystem locker at this directory')
      .option('--format <format>', 'table or json', parseFormat, 'table' as Format);

  common(locker.command('check'))
    .description(
      'Prove the locker is write-once: write a probe object under probe/ (never evidence), write other bytes to the same key, read the first back',
    )
    .action(async (options: LockerOptions) => {
      const store = open(options, output);
      // The figures are printed before a failure is thrown, so a locker that is not write-once shows how.
      await store.check((check) => {
        const summary = {
          ...check,
          note: 'the probe lives under probe/, which no evidence reader lists: nothing is added to the evidence',
        };
        output.out(
          options.format === 'json'
            ? json(summary)
            : table(
                ['field', 'value'],
                Object.entries(summary).map(([k, v]) => [k, String(v)]),
              ),
        );
      });
    });

  common(locker.command('put'))
    .description(
      'Store sealed evidence records from JSON files (one record each); prints stored or duplicate',
    )
    .argument('<files...>', 'record files')
    .action(async (files: string[], options: LockerOptions) => {
      const { readFile } = await import('node:fs/promises');
      const store = open(options, output);
      // Validate every file before writing any, so a bad file in the batch writes nothing.
      const records = [];
      for (const file of files) {
        let value: unknown;
        try {
          value = JSON.parse(await readFile(file, 'utf8'));
        } catch (cause) {
          throw new CrosswalkError(
            'CW_INPUT_INVALID',
            `${file} is not readable JSON: ${(cause as Error).message}`,
            { where: file },
          );
        }
        records.push({ file, record: parseRecord(value, file) });
      }
      const results = [];
      for (const { file, record } of records) results.push({ file, ...(await store.records.put(record)) });
      output.out(
        options.format === 'json'
          ? json(results)
          : table(
              ['file', 'status', 'key'],
              results.map((r) => [r.file, r.status, r.key]),
            ),
      );
    });

  common(locker.command('get'))
    .description('Print one record by key, verified against its sha256')
    .argument('<key>', 'evidence/<kind>/<yyyy>/<mm>/<dd>/<occurredAt>-<id>.json')
    .action(async (key: string, options: LockerOptions) => {
      output.out(json(await open(options, output).records.get(key)));
    });

  common(locker.command('list'))
    .description('List records of one kind whose occurredAt is in [from, to)')
    .requiredOption('--kind <kind>', 'evidence kind, e.g. github.pull_request.approval')
    .requiredOption('--from <date>', 'inclusive start: YYYY-MM-DD (UTC midnight) or a timestamp')
    .requiredOption('--to <date>', 'exclusive end: YYYY-MM-DD (UTC midnight) or a timestamp')
    .action(async (options: LockerOptions & { kind: string; from: string; to: string }) => {
      if (!isEvidenceKind(options.kind))
        throw new CrosswalkError('CW_KIND_UNKNOWN', `unknown evidence kind "${options.kind}"`, {
          where: '--kind',
        });
      const range = parseWindow(options.from, options.to);
      const rows: { occurredAt: string; id: string; owner: string; ref: string; key: string }[] = [];
      for await (const record of open(options, output).records.list(options.kind as EvidenceKind, range)) {
        const owner = record.owner.people.map((p) => p.login ?? p.email ?? p.name ?? p.id).join(',');
        rows.push({ occurredAt: record.occurredAt, id: record.id, owner, ref: record.source.ref, key: '' });
        if (options.format === 'table' && rows.length % 1000 === 0)
          output.err(`  ${rows.length} records read...`);
      }
      output.out(
        options.format === 'json'
          ? json(rows.map(({ key: _k, ...r }) => r))
          : `${table(
              ['occurredAt', 'id', 'owner', 'source ref'],
              rows.map((r) => [r.occurredAt, r.id, r.owner, r.ref]),
            )}\n${rows.length} records`,
      );
    });

  const ranged = (command: Command) =>
    common(command)
      .option(
        '--from <date>',
        'only records whose occurredAt is at or after this (default: the whole history)',
      )
      .option('--to <date>', 'only records whose occurredAt is before this')
      .option('--kind <kind...>', 'only these evidence kinds (default: every kind)');

  ranged(locker.command('verify-runs'))
    .description(
      "Check the hash chain of one connector's run manifests, and report the records it stored that no manifest vouches for",
    )
    .argument('<connectorId>')
    .action(async (connectorId: string, options: RangedOptions) => {
      const { chain, unvouched } = await findUnvouched({
        locker: open(options, output),
        connectorId,
        ...rangeOf(options),
      });
      if (options.format === 'json') output.out(json({ ...chain, unvouched }));
      else {
        output.out(
          `${connectorId}: ${chain.checked} runs checked, head ${chain.head ? `#${chain.head.sequence}` : 'none'}, ` +
            `${unvouched.length} stored record${unvouched.length === 1 ? '' : 's'} vouched for by no manifest`,
        );
        for (const p of chain.problems)
          output.out(`  BROKEN ${p.sequence ?? ''} ${p.key ?? ''}: ${p.message}`);
        for (const u of unvouched)
          output.out(`  UNVOUCHED ${u.id} (stored by run ${u.runId}, which has no manifest listing it)`);
        if (unvouched.length > 0)
          output.err(
            `  run \`crosswalk locker recover ${connectorId}\` to chain them (see docs/architecture.md)`,
          );
      }
      if (!chain.ok || unvouched.length > 0)
        throw new CrosswalkError(
          'CW_CHAIN_BROKEN',
          `${chain.problems.length} break(s) in the run chain of ${connectorId}, ${unvouched.length} stored record(s) vouched for by no manifest`,
        );
    });

  ranged(locker.command('recover'))
    .description(
      'Recover after dead runs of one connector: write the manifests of runs that died between claiming their chain link and writing it (from the manifest they staged), then chain what dead runs stored: one manifest (trigger recovery) vouching for every record the connector stored that no manifest lists, each verified first',
    )
    .argument('<connectorId>')
    .action(async (connectorId: string, options: RangedOptions) => {
      const result = await recoverUnvouched({
        locker: open(options, output),
        connectorId,
        by: 'cli',
        ...rangeOf(options),
      });
      const summary = {
        connectorId,
        completed: result.completed,
        adopted: result.adopted.length,
        recovers: result.manifest?.recovers ?? [],
        manifest: result.manifest
          ? {
              runId: result.manifest.runId,
              sequence: result.manifest.sequence,
              sha256: result.manifest.sha256,
            }
          : null,
        chainProblems: result.chain.problems,
      };
      if (options.format === 'json') output.out(json(summary));
      else {
        for (const c of result.completed)
          output.out(
            `${connectorId}: link #${c.sequence}, claimed by run ${c.runId} at ${c.claimedAt}, which died before its manifest: manifest written from what the run staged (${c.key})`,
          );
        if (!result.manifest)
          output.out(`${connectorId}: nothing to adopt: every stored record is vouched for`);
        else
          output.out(
            `${connectorId}: ${result.adopted.length} record(s) of run(s) ${summary.recovers.join(', ')} chained by recovery run ` +
              `${result.manifest.runId} (#${result.manifest.sequence})`,
          );
      }
      if (!result.chain.ok)
        throw new CrosswalkError(
          'CW_CHAIN_BROKEN',
          `${result.chain.problems.length} break(s) in the run chain of ${connectorId} that recovery cannot mend (it writes only manifests their runs staged)`,
        );
    });
}

interface RangedOptions extends LockerOptions {
  from?: string;
  to?: string;
  kind?: string[];
}

function rangeOf(options: RangedOptions): { range?: TimeRange; kinds?: EvidenceKind[] } {
  for (const kind of options.kind ?? []) {
    if (!isEvidenceKind(kind))
      throw new CrosswalkError('CW_KIND_UNKNOWN', `unknown evidence kind "${kind}"`, { where: '--kind' });
  }
  if ((options.from === undefined) !== (options.to === undefined))
    throw new CrosswalkError('CW_INPUT_INVALID', '--from and --to go together', {
      where: options.from === undefined ? '--from' : '--to',
    });
  return {
    ...(options.from !== undefined && options.to !== undefined
      ? { range: parseWindow(options.from, options.to) }
      : {}),
    ...(options.kind ? { kinds: options.kind as EvidenceKind[] } : {}),
  };
}
