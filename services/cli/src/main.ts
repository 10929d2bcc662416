#!/usr/bin/env node
// Composes the connectors (their kinds into core's catalog) before any command reads a record.
import '@crosswalk/runtime/registry';
import { VERSION } from '@crosswalk/core';
import { Command, CommanderError } from 'commander';
import { registerCollect } from './commands/collect.js';
import { registerControlTests } from './commands/control-tests.js';
import { registerControls } from './commands/controls.js';
import { registerDemo } from './commands/demo.js';
import { registerExport } from './commands/export.js';
import { registerKeys } from './commands/keys.js';
import { registerLocker } from './commands/locker.js';
import { registerMap } from './commands/map.js';
import { registerService } from './commands/service.js';
import { formatOf, reportError, stdio } from './output.js';
import { quietOnClosedPipe } from './pipe.js';

export function buildProgram(output = stdio): Command {
  const program = new Command('crosswalk')
    .description('Collect compliance evidence once; serve it to SOC 2 and ISO/IEC 27001:2022 auditors.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
  registerControls(program, output);
  registerControlTests(program, output);
  registerMap(program, output);
  registerLocker(program, output);
  registerCollect(program, output);
  registerExport(program, output);
  registerKeys(program, output);
  registerService(program, output);
  registerDemo(program, output, (argv, into) => run(argv, into));
  return program;
}

/** Runs the CLI; resolves to the exit code. 0 ok, 1 a known error, 2 a usage error, 70 an internal error. */
export async function run(argv: string[], output = stdio): Promise<number> {
  const program = buildProgram(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    return reportError(error, formatOf(argv), output);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  quietOnClosedPipe();
  process.exitCode = await run(process.argv.slice(2));
}
