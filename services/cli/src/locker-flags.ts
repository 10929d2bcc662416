import { type Locker, lockerConfigFromEnv, openLocker, parseLockerConfig } from '@crosswalk/locker';
import type { Command } from 'commander';
import type { Output } from './output.js';

/**
 * Where a command that reads the locker finds it: `--locker-dir` (a filesystem locker), else `--config` (the
 * locker of a config file), else the environment. One definition, so every such command resolves it alike.
 */
export interface LockerFlags {
  lockerDir?: string;
  config?: string;
}

/** Adds `--locker-dir` and `--config` to `command`. */
export const withLockerFlags = (command: Command) =>
  command
    .option('--locker-dir <dir>', 'a filesystem locker at this directory (default: from the environment)')
    .option('--config <file>', 'take the locker from this config file');

/** The locker `flags` name; its warnings go to stderr. */
export async function openLockerFrom(flags: LockerFlags, output: Output): Promise<Locker> {
  const onWarning = (message: string) => output.err(`warning: ${message}`);
  if (flags.lockerDir) {
    return openLocker(parseLockerConfig({ driver: 'fs', root: flags.lockerDir }, '--locker-dir'), {
      onWarning,
    });
  }
  if (flags.config) {
    // Loaded only when asked for: the runtime brings Redis and the service config with it.
    const { loadConfigFile } = await import('@crosswalk/runtime');
    return openLocker((await loadConfigFile(flags.config)).locker, { onWarning });
  }
  return openLocker(lockerConfigFromEnv(), { onWarning });
}
