import { CrosswalkError } from '@crosswalk/core';
import { lockerConfigFromEnv, openLocker } from '@crosswalk/locker';
import type { RevocationSignal } from '@crosswalk/runtime';
import type { Command } from 'commander';
import { cliActor } from '../env.js';
import { type Format, json, type Output, parseFormat, table } from '../output.js';
import { parseInstant } from '../window.js';

/** API keys live in the locker, so these commands need the locker's environment and nothing else (no Redis). */
async function apiKeys(output: Output, signal?: RevocationSignal) {
  const { ApiKeys } = await import('@crosswalk/runtime');
  return new ApiKeys(
    openLocker(lockerConfigFromEnv(), { onWarning: (m) => output.err(`warning: ${m}`) }),
    undefined,
    0,
    signal,
  );
}

const actor = () => cliActor();

export function registerKeys(program: Command, output: Output): void {
  const keys = program
    .command('keys')
    .description('Create, list and revoke API keys (admin, operator, auditor)');

  keys
    .command('create')
    .description('Create a key; the token is printed once and never stored')
    .requiredOption('--role <role>', 'admin, operator or auditor')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option('--expires <date>', 'expiry (YYYY-MM-DD = UTC midnight, or a timestamp with zone)')
    .option('--from <date>', 'auditor scope: evidence period start, inclusive')
    .option('--to <date>', 'auditor scope: evidence period end, exclusive')
    .option('--framework <id...>', 'auditor scope: frameworks the key may read (soc2-2017, iso27001-2022)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action(
      async (options: {
        role: string;
        name: string;
        expires?: string;
        from?: string;
        to?: string;
        framework?: string[];
        format: Format;
      }) => {
        const { roles } = await import('@crosswalk/runtime');
        if (!(roles as readonly string[]).includes(options.role)) {
          throw new CrosswalkError('CW_INPUT_INVALID', `--role must be one of ${roles.join(', ')}`, {
            where: '--role',
          });
        }
        const scoped = options.from || options.to || options.framework;
        if (scoped && options.role !== 'auditor') {
          throw new CrosswalkError(
            'CW_INPUT_INVALID',
            '--from, --to and --framework limit auditor keys only',
            { where: '--role' },
          );
        }
        let frameworks: string[] | null = null;
        if (options.framework) {
          const { resolveFramework } = await import('@crosswalk/controls');
          frameworks = options.framework.map((f) => resolveFramework(f));
        }
        const from = options.from ? parseInstant(options.from, '--from') : null;
        const to = options.to ? parseInstant(options.to, '--to') : null;
        if (from && to && from >= to)
          throw new CrosswalkError('CW_INPUT_INVALID', '--from must be before --to', { where: '--from' });
        const { token, key } = await (await apiKeys(output)).create({
          name: options.name,
          role: options.role as 'admin' | 'operator' | 'auditor',
          createdBy: actor(),
          expiresAt: options.expires ? parseInstant(options.expires, '--expires') : null,
          scope: scoped ? { from, to, frameworks } : null,
        });
        if (options.format === 'json') output.out(json({ token, key }));
        else {
          output.out(`${key.id}  ${key.role}  ${key.name}`);
          output.out(`token (shown once): ${token}`);
        }
      },
    );

  keys
    .command('list')
    .description('List keys (never their tokens)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action(async (options: { format: Format }) => {
      const list = await (await apiKeys(output)).list();
      if (options.format === 'json') output.out(json(list));
      else {
        output.out(
          table(
            ['id', 'role', 'name', 'expires', 'revoked', 'scope'],
            list.map((k) => [
              k.id,
              k.role,
              k.name,
              k.expiresAt ?? '-',
              k.revokedAt ?? '-',
              k.scope
                ? `${k.scope.from ?? '*'}..${k.scope.to ?? '*'} ${k.scope.frameworks?.join(',') ?? 'all'}`
                : '-',
            ]),
          ),
        );
      }
    });

  keys
    .command('revoke')
    .description(
      'Revoke a key by id. Written to the locker at once; with REDIS_URL set (the Redis the API uses), every ' +
        'running API process refuses it from its next request; without it, or if Redis cannot be told, within ' +
        'CROSSWALK_KEY_CACHE_MS (default 5000) of its last read of the key',
    )
    .argument('<id>')
    .action(async (id: string) => {
      const url = process.env.REDIS_URL?.trim();
      const { standaloneRevocations } = await import('@crosswalk/runtime');
      const signal = url ? standaloneRevocations(url) : undefined;
      try {
        const { key, announced } = await (await apiKeys(output, signal)).revokeEverywhere(id, actor());
        output.out(`revoked ${key.id} (${key.role}, ${key.name}) at ${key.revokedAt}`);
        output.err(
          announced
            ? 'API processes using this REDIS_URL refuse it from their next request'
            : `${announced === null ? 'REDIS_URL is not set' : 'Redis (REDIS_URL) could not be told'}: running API ` +
                'processes refuse it within CROSSWALK_KEY_CACHE_MS of their last read of it (default 5 s)',
        );
      } finally {
        await signal?.close();
      }
    });
}
