import { type RunProgress, runConnector } from '@crosswalk/collect';
import { CrosswalkError, type Trigger } from '@crosswalk/core';
import { openLocker } from '@crosswalk/locker';
import type { Command } from 'commander';
import { cliActor } from '../env.js';
import { type Format, json, type Output, parseFormat, table } from '../output.js';
import { parseWindow } from '../window.js';

interface CollectOptions {
  config: string;
  connector?: string;
  collector?: string[];
  since?: string;
  until?: string;
  once?: boolean;
  format: Format;
}

export function registerCollect(program: Command, output: Output): void {
  program
    .command('collect')
    .description(
      'Run collectors in this process into the configured locker (no Redis needed), and print what was stored',
    )
    .requiredOption('--config <file>', 'YAML or JSON config with connectors (and optionally the locker)')
    .option('--connector <id>', 'only this connector')
    .option('--collector <id...>', 'only these collectors')
    .option('--since <date>', 'window start, inclusive (YYYY-MM-DD = UTC midnight, or a timestamp with zone)')
    .option('--until <date>', 'window end, exclusive (default: now)')
    .option('--once', 'run once and exit (continuous collection is the worker: `crosswalk worker`)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as Format)
    .action(async (options: CollectOptions) => {
      if (!options.once) {
        throw new CrosswalkError(
          'CW_INPUT_INVALID',
          'collect runs once: pass --once (scheduled collection is `crosswalk worker`)',
          {
            where: '--once',
          },
        );
      }
      // Loaded here, not at the top: `crosswalk controls` should not pay for the connectors and their clients.
      const { connectorFor, loadConfigFile } = await import('@crosswalk/runtime');
      const config = await loadConfigFile(options.config);
      const entries = options.connector
        ? config.connectors.filter((c) => c.id === options.connector)
        : config.connectors;
      if (entries.length === 0) {
        throw new CrosswalkError(
          'CW_CONFIG_INVALID',
          options.connector
            ? `no connector "${options.connector}" in ${config.file}`
            : `no connectors in ${config.file}`,
          { where: config.file },
        );
      }
      if (options.until && !options.since) {
        throw new CrosswalkError('CW_INPUT_INVALID', '--until needs --since', { where: '--until' });
      }
      const range = options.since
        ? parseWindow(options.since, options.until ?? new Date().toISOString())
        : undefined;
      const window = range ? { since: range.from, until: range.to } : undefined;
      // Resolve every connector before running any, so a typo in the last entry fails before the first collects.
      const connectors = await Promise.all(
        entries.map(async (e) => ({
          entry: e,
          connector: connectorFor(e.type, `${config.file}: connectors.${e.id}.type`),
        })),
      );
      const locker = openLocker(config.locker, { onWarning: (m) => output.err(`warning: ${m}`) });
      await locker.ping();
      const trigger: Trigger = { type: 'manual', by: cliActor() };

      const rows: Record<string, unknown>[] = [];
      for (const { entry, connector } of connectors) {
        const skipped: Record<string, unknown>[] = [];
        output.err(`${entry.id} (${entry.type}) -> ${locker.location}`);
        const manifest = await runConnector({
          connector,
          connectorId: entry.id,
          config: entry.config,
          locker,
          trigger,
          ...(window ? { window } : {}),
          ...(options.collector ? { collectors: options.collector } : {}),
          onProgress: (event) => {
            progress(output, event);
            if (event.type === 'collector-skipped') {
              skipped.push({
                connector: entry.id,
                collector: event.collector,
                kind: event.kind,
                status: 'skipped',
                reason: `not configured: ${event.reason}`,
              });
            }
          },
        });
        for (const c of manifest.collectors) {
          rows.push({
            connector: entry.id,
            collector: c.id,
            kind: c.kind,
            status: c.status,
            stored: c.stored,
            duplicates: c.duplicates,
            since: c.window.since,
            until: c.window.until,
            error: c.error,
            run: manifest.runId,
          });
        }
        rows.push(...skipped);
      }
      if (options.format === 'json') output.out(json(rows));
      else {
        output.out(
          table(
            ['connector', 'collector', 'status', 'stored', 'duplicates', 'window', 'error'],
            rows.map((r) =>
              r.status === 'skipped'
                ? [String(r.connector), String(r.collector), 'skipped', '-', '-', '-', String(r.reason)]
                : [
                    String(r.connector),
                    String(r.collector),
                    String(r.status),
                    String(r.stored),
                    String(r.duplicates),
                    `${r.since}..${r.until}`,
                    r.error
                      ? `${(r.error as { code: string }).code}: ${(r.error as { message: string }).message}`
                      : '',
                  ],
            ),
          ),
        );
      }
      const failed = rows.filter((r) => r.status === 'failed').length;
      if (failed > 0) {
        throw new CrosswalkError(
          'CW_SOURCE_UNAVAILABLE',
          `${failed} of ${rows.filter((r) => r.status !== 'skipped').length} collectors failed; the run manifests record why`,
        );
      }
    });
}

function progress(output: Output, event: RunProgress): void {
  if (event.type === 'collector-started')
    output.err(`  ${event.collector}: collecting ${event.kind} ${event.since}..${event.until}`);
  else if (event.type === 'record' && (event.stored + event.duplicates) % 100 === 0) {
    output.err(`  ${event.collector}: ${event.stored} stored, ${event.duplicates} already present`);
  } else if (event.type === 'collector-skipped') {
    output.err(`  ${event.collector}: skipped, not configured (${event.reason})`);
  } else if (event.type === 'collector-finished') {
    output.err(
      `  ${event.collector}: ${event.status}, ${event.stored} stored, ${event.duplicates} already present${event.error ? ` (${event.error.code})` : ''}`,
    );
  }
}
