import { controlsFor, getFramework, kindsFor, listControls, MAPPING_VERSION } from '@crosswalk/controls';
import type { Command } from 'commander';
import { type Format, json, type Output, parseFormat, table } from '../output.js';

export function registerControls(program: Command, output: Output): void {
  program
    .command('controls')
    .description('List the controls of a framework, with the evidence kinds that cover each')
    // Not a required option: commander checks those before handing over to a subcommand (`controls test`).
    .option('--framework <id>', 'soc2-2017, iso27001-2022 or iso27001-2013 (aliases: soc2, iso27001)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action((options: { framework?: string; format: Format }, command: Command) => {
      if (options.framework === undefined)
        command.error("error: required option '--framework <id>' not specified");
      const framework = getFramework(options.framework);
      const rows = listControls(framework.id).map((control) => ({
        ...control,
        kinds: framework.id === 'iso27001-2013' ? [] : [...kindsFor(framework.id, control.id)],
      }));
      if (options.format === 'json') {
        output.out(json({ framework: framework.id, mappingVersion: MAPPING_VERSION, controls: rows }));
        return;
      }
      output.out(`${framework.name} (${framework.id}), ${rows.length} controls, mapping ${MAPPING_VERSION}`);
      output.out(
        'kinds: how many evidence kinds Crosswalk collects for the control (`--format json` names them)\n',
      );
      output.out(
        table(
          ['id', 'kinds', 'title'],
          rows.map((c) => [c.id, c.kinds.length === 0 ? 'manual' : String(c.kinds.length), c.title]),
        ),
      );
    });

  program
    .command('kinds')
    .description('List the evidence kinds and the controls each satisfies in both frameworks')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action(async (options: { format: Format }) => {
      const { kindDeclaration, evidenceKindIds } = await import('@crosswalk/core');
      const rows = evidenceKindIds().map((kind) => ({
        kind,
        cadence: kindDeclaration(kind).cadence,
        ...controlsFor(kind),
      }));
      if (options.format === 'json') {
        output.out(json(rows));
        return;
      }
      output.out(
        table(
          ['kind', 'cadence', 'soc2-2017', 'iso27001-2022'],
          rows.map((r) => [r.kind, r.cadence, r['soc2-2017'].join(','), r['iso27001-2022'].join(',')]),
        ),
      );
    });
}
