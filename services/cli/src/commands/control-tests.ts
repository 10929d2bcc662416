import { type FileHandle, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  addRemediation,
  applyRegister,
  type ControlTestResult,
  controlTestFiles,
  csvLine,
  findRegisterControl,
  listRegisterVersions,
  loadRegisterFile,
  POPULATION_COLUMNS,
  type PopulationRow,
  parseRegisterText,
  parseSampleTable,
  populationCsvLine,
  registerFor,
  soaCsv,
  statementOfApplicability,
  testControls,
} from '@crosswalk/assurance';
import { CrosswalkError } from '@crosswalk/core';
import type { Command } from 'commander';
import { type LockerFlags, openLockerFrom, withLockerFlags } from '../locker-flags.js';
import { type Format, json, type Output, table } from '../output.js';
import { parseWindow } from '../window.js';

/**
 * `crosswalk controls test|remediate|register|soa`: the organisation's control register and its tests over a
 * window, computed in this process from the locker alone by @crosswalk/assurance (the API and export bundles call
 * the same code, so the answers agree).
 */

/**
 * `--format` belongs to the parent `controls` command, which commander lets parse it wherever it stands on the
 * line (`controls test ... --format json`), so subcommands read it from there.
 */
function formatOf(command: Command): Format {
  return (command.optsWithGlobals() as { format?: Format }).format ?? 'table';
}

async function sampleTableFrom(file: string | undefined) {
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CrosswalkError('CW_INPUT_INVALID', `cannot read the sample table ${file}`, {
      where: '--sample-table',
    });
  }
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${file}: not YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
      {
        where: '--sample-table',
      },
    );
  }
  return parseSampleTable(value, '--sample-table');
}

/** population.csv written as the rows stream past, in 64 KiB blocks: a year's population is never held. */
class PopulationFile {
  private pending: string[] = [];
  private bytes = 0;
  private closed = false;

  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<PopulationFile> {
    const created = new PopulationFile(await open(file, 'w'));
    created.pending.push(csvLine(POPULATION_COLUMNS));
    return created;
  }

  async add(row: PopulationRow): Promise<void> {
    const line = populationCsvLine(row);
    this.pending.push(line);
    this.bytes += line.length;
    if (this.bytes >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.pending.join('');
    this.pending = [];
    this.bytes = 0;
    if (text.length > 0) await this.handle.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.handle.close();
  }

  /** After a failure: closes without writing more; safe after close. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => {});
  }
}

function printResult(result: ControlTestResult, output: Output): void {
  const { control, summary, sample, ipe } = result;
  output.out(`${control.id}  ${control.title}`);
  output.out(
    `owner ${control.owner}, frequency ${control.frequency}; window ${result.window.from} .. ${result.window.to}`,
  );
  output.out(
    `register: ${result.register.source}${result.register.version ? ` version ${result.register.version.id} (${result.register.version.appliedAt}, ${result.register.version.appliedBy})` : ''}${result.register.file ? ` ${result.register.file}` : ''}, sha256 ${result.register.sha256}`,
  );
  if (result.register.note) output.out(`note: ${result.register.note}`);
  output.out(
    `population ${summary.items} (sha256 ${result.population.sha256}): ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending`,
  );
  if (summary.periodsExpected !== null) {
    output.out(
      `periods: ${summary.periodsOperated} of ${summary.periodsExpected} operated, ${summary.gaps} without evidence`,
    );
  }
  output.out(
    `exceptions: ${summary.exceptions} (${summary.exceptionsOpen} open, ${summary.exceptionsRemediated} remediated or justified)`,
  );
  // Kept in the result: this command gives no exceptions sink.
  const exceptions = result.exceptions ?? [];
  if (exceptions.length > 0) {
    output.out('');
    output.out(
      table(
        ['item', 'status', 'failed'],
        exceptions.map((e) => [e.ref ?? e.item, e.status, e.failed.join('; ')]),
      ),
    );
  }
  output.out('');
  output.out(`sample: ${sample.size} of ${summary.items}, seed ${sample.seed}, table "${sample.table.name}"`);
  output.out(`method: ${sample.method}`);
  if (sample.items.length > 0) {
    output.out(
      table(
        ['rank', 'occurredAt', 'ref', 'outcome', 'id'],
        sample.items.map((s) => [String(s.rank), s.occurredAt, s.ref, s.outcome, s.id]),
      ),
    );
  }
  output.out('');
  output.out(
    `IPE: ${ipe.reconciliation.namedByRuns} of ${ipe.population.records} records named by run manifests; chains ${ipe.chains.map((c) => `${c.connector} ${c.ok ? 'ok' : 'BROKEN'}`).join(', ') || 'none'}`,
  );
  for (const run of ipe.runs) {
    output.out(
      `  ${run.connector}: ${run.runs} runs, ${run.collectorRuns.failed} failed collector runs, ${run.daysWithoutRun.length} days without a run`,
    );
  }
}

export function registerControlTests(program: Command, output: Output): void {
  const controls = program.commands.find((c) => c.name() === 'controls');
  if (!controls) throw new Error('the controls command must be registered first');

  withLockerFlags(controls.command('test'))
    .description(
      "Test the register's controls over a window: population, operation per period, exceptions with " +
        'remediations, a reproducible sample and the IPE pack',
    )
    .option('--control <id...>', 'register control ids (default: every control)')
    .requiredOption(
      '--from <date>',
      'window start, inclusive: YYYY-MM-DD = UTC midnight, or an ISO timestamp with zone',
    )
    .requiredOption('--to <date>', 'window end, exclusive (same forms as --from)')
    .option('--seed <seed>', 'sampling seed (default: a fresh one, printed)')
    .option(
      '--sample-table <file>',
      "the audit firm's sample size table (YAML/JSON; default: common practice)",
    )
    .option(
      '--register <file>',
      'test with this register file (default: the version in force at --to, or the starter)',
    )
    .option(
      '--output-dir <dir>',
      "also write each control's population.csv, exceptions.csv, sample.csv, ... there",
    )
    .action(
      async (
        options: LockerFlags & {
          control?: string[];
          from: string;
          to: string;
          seed?: string;
          sampleTable?: string;
          register?: string;
          outputDir?: string;
        },
        command: Command,
      ) => {
        const format = formatOf(command);
        const window = parseWindow(options.from, options.to);
        const table = await sampleTableFrom(options.sampleTable);
        const given = options.register
          ? { register: await loadRegisterFile(options.register), file: options.register }
          : undefined;
        const locker = await openLockerFrom(options, output);
        const { register, source } = await registerFor(locker, window.to, given);
        const ids = options.control ?? register.controls.map((c) => c.id);
        // One seed for the whole run, so every control's sample can be redrawn from the one printed value.
        const seed = options.seed ?? (await import('node:crypto')).randomBytes(8).toString('hex');
        // Population rows go straight to population.csv under --output-dir; JSON output carries them; the table
        // shows none, so they are not kept.
        const files = new Map<string, PopulationFile>();
        for (const id of ids) findRegisterControl(register, id, '--control');
        if (options.outputDir) {
          for (const id of ids) {
            const dir = path.join(options.outputDir, id);
            await mkdir(dir, { recursive: true });
            files.set(id, await PopulationFile.open(path.join(dir, 'population.csv')));
          }
        }
        let results: ControlTestResult[];
        try {
          results = await testControls({
            locker,
            register,
            registerSource: source,
            controls: ids,
            ...window,
            seed,
            ...(table ? { table } : {}),
            sinks: (control) => files.get(control.id) ?? (format === 'json' ? undefined : { add() {} }),
          });
          for (const file of files.values()) await file.close();
        } finally {
          for (const file of files.values()) await file.discard();
        }
        if (options.outputDir) {
          for (const result of results) {
            const dir = path.join(options.outputDir, result.control.id);
            for (const [name, text] of Object.entries(controlTestFiles(result))) {
              if (name !== 'population.csv') await writeFile(path.join(dir, name), text);
            }
          }
        }
        if (format === 'json') {
          output.out(json(ids.length === 1 && options.control ? results[0] : { controls: results }));
          return;
        }
        results.forEach((result, i) => {
          if (i > 0) output.out(`\n${'='.repeat(72)}\n`);
          printResult(result, output);
        });
      },
    );

  withLockerFlags(controls.command('remediate'))
    .description('Record a remediation or justification of an exception (write-once; the exception stays)')
    .requiredOption('--control <id>', 'the register control')
    .requiredOption('--item <id>', 'the exception: an evidence id, or period:<label> (e.g. period:2026-Q2)')
    .requiredOption('--text <text>', 'what was done, or why the exception is acceptable')
    .option('--link <url>', 'a ticket or document')
    .option('--justification', 'a justification rather than a remediation')
    .requiredOption('--by <name>', 'who is entering it')
    .action(
      async (
        options: LockerFlags & {
          control: string;
          item: string;
          text: string;
          link?: string;
          justification?: boolean;
          by: string;
        },
        command: Command,
      ) => {
        const locker = await openLockerFrom(options, output);
        const entered = await addRemediation(
          locker,
          options.control,
          {
            item: options.item,
            text: options.text,
            link: options.link ?? null,
            type: options.justification ? 'justification' : 'remediation',
          },
          { by: options.by },
          '--item',
        );
        if (formatOf(command) === 'json') output.out(json(entered));
        else
          output.out(
            `${entered.type} ${entered.id} of ${entered.control} ${entered.item} by ${entered.by} at ${entered.at}`,
          );
      },
    );

  const registerCommand = controls
    .command('register')
    .description('The control register: check a file, apply it as a new version, show versions');

  withLockerFlags(registerCommand.command('apply'))
    .description('Validate a register file whole and store it as a new write-once version')
    .argument('<file>', 'the register (YAML or JSON)')
    .requiredOption('--by <name>', 'who applies it')
    .option('--note <text>', 'what changed and why', '')
    .action(async (file: string, options: LockerFlags & { by: string; note: string }, command: Command) => {
      const register = await loadRegisterFile(file);
      const locker = await openLockerFrom(options, output);
      const version = await applyRegister(locker, register, { appliedBy: options.by, note: options.note });
      const { register: _r, ...view } = version;
      if (formatOf(command) === 'json') output.out(json(view));
      else
        output.out(
          `register version ${version.id} applied at ${version.appliedAt} by ${version.appliedBy}, sha256 ${version.sha256}`,
        );
    });

  registerCommand
    .command('check')
    .description('Validate a register file without storing it')
    .argument('<file>', 'the register (YAML or JSON)')
    .action(async (file: string) => {
      const register = parseRegisterText(await readFile(file, 'utf8').catch(() => ''), file);
      output.out(`${file}: ${register.controls.length} controls, valid`);
    });

  withLockerFlags(registerCommand.command('history'))
    .description('Every applied register version: who, when, what')
    .action(async (options: LockerFlags, command: Command) => {
      const versions = (await listRegisterVersions(await openLockerFrom(options, output))).map(
        ({ register, ...v }) => ({
          ...v,
          controls: register.controls.map((c) => c.id),
        }),
      );
      if (formatOf(command) === 'json') {
        output.out(json(versions));
        return;
      }
      if (versions.length === 0) output.out('no register applied: tests use the starter register');
      else
        output.out(
          table(
            ['appliedAt', 'appliedBy', 'id', 'sha256', 'controls', 'note'],
            versions.map((v) => [
              v.appliedAt,
              v.appliedBy,
              v.id,
              v.sha256.slice(0, 16),
              v.controls.join(','),
              v.note,
            ]),
          ),
        );
    });

  withLockerFlags(controls.command('soa'))
    .description('The ISO 27001:2022 Statement of Applicability draft from the register, as CSV')
    .option(
      '--register <file>',
      'from this register file (default: the version in force now, or the starter)',
    )
    .option('-o, --output <file>', 'write the CSV here (default: stdout)')
    .action(async (options: LockerFlags & { register?: string; output?: string }, command: Command) => {
      const register = options.register
        ? await loadRegisterFile(options.register)
        : (await registerFor(await openLockerFrom(options, output), new Date().toISOString())).register;
      const rows = statementOfApplicability(register);
      if (formatOf(command) === 'json') {
        output.out(json(rows));
        return;
      }
      const csv = soaCsv(rows);
      if (options.output) {
        await writeFile(options.output, csv);
        const count = (status: string) => rows.filter((r) => r.status === status).length;
        output.out(
          `${options.output}: ${rows.length} Annex A controls, ${count('included')} included, ${count('excluded')} excluded, ${count('open decision')} open decisions`,
        );
      } else output.out(csv.trimEnd());
    });
}
