import { counterparts, getControl, parseControlRef } from '@crosswalk/controls';
import type { Command } from 'commander';
import { type Format, json, type Output, parseFormat, table } from '../output.js';

export function registerMap(program: Command, output: Output): void {
  program
    .command('map')
    .description("Show a control's counterparts in the other framework, e.g. `crosswalk map soc2-2017:CC8.1`")
    .argument('<ref>', 'framework:control, e.g. soc2-2017:CC8.1, iso27001-2022:A.8.32, iso27001-2013:A.9.2.6')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action((ref: string, options: { format: Format }) => {
      const parsed = parseControlRef(ref);
      const control = getControl(parsed.framework, parsed.id);
      const found = counterparts(parsed.framework, parsed.id);
      if (options.format === 'json') {
        output.out(json({ control, counterparts: found }));
        return;
      }
      output.out(`${control.framework}:${control.id}  ${control.title}\n`);
      if (found.length === 0) {
        output.out('No counterparts in the crosswalk.');
        return;
      }
      output.out(
        table(
          ['framework', 'id', 'confidence', 'support', 'via', 'title'],
          found.map((c) => [c.framework, c.id, c.confidence, String(c.supportCount), c.via ?? '', c.title]),
        ),
      );
    });
}
