import { inspect } from 'node:util';
import { parseConnectorConfig } from '@crosswalk/collect';
import {
  type CollectorContext,
  type CollectorDefinition,
  type ConnectorDefinition,
  type EmittedDraft,
  type EvidenceRecord,
  fixedClock,
  isCrosswalkError,
  sealRecord,
} from '@crosswalk/core';
import { afterEach, expect } from 'vitest';

export interface LogLine {
  level: 'info' | 'warn' | 'debug';
  fields: Record<string, unknown>;
  message: string;
}

export interface Collected {
  drafts: EmittedDraft[];
  /** Each draft sealed the way the runner seals it: proves it is a valid record of its kind. */
  records: EvidenceRecord[];
  logs: LogLine[];
  /** The cursor the collector saved, if it saved one. */
  cursor: unknown;
  /** The source's own count of the window, when the collector reported one. */
  sourceTotal?: number;
  error: unknown;
}

export interface CollectOptions {
  window?: { since: string; until: string };
  cursor?: unknown;
  now?: string;
  filter?: Record<string, string>;
  signal?: AbortSignal;
  /** Ids already in the locker: emitting one of them answers 'duplicate', as the runner does. */
  stored?: Set<string>;
}

/**
 * Runs one collector of a connector with a context like the runner's: the config is validated by the runner's own
 * `parseConnectorConfig`, emitted drafts are kept and sealed (full schema validation, with placeholder controls and
 * provenance), logs are captured, and a failure is returned rather than thrown.
 */
export async function collect<Config>(
  connector: ConnectorDefinition,
  collector: CollectorDefinition<Config>,
  config: unknown,
  options: CollectOptions = {},
): Promise<Collected> {
  const result: Collected = { drafts: [], records: [], logs: [], cursor: undefined, error: undefined };
  const log = (level: LogLine['level']) => (fields: Record<string, unknown>, message: string) =>
    result.logs.push({ level, fields, message });
  const clock = fixedClock(options.now ?? '2026-03-08T06:30:00.000Z');
  const connectorId = `${connector.type}-test`;
  const stored = options.stored ?? new Set<string>();
  try {
    const context: CollectorContext<Config> = {
      config: parseConnectorConfig(connector, connectorId, config) as Config,
      connectorId,
      window: options.window ?? { since: '2026-03-01T00:00:00.000Z', until: '2026-03-08T00:00:00.000Z' },
      filter: Object.freeze({ ...options.filter }),
      cursor: options.cursor,
      saveCursor: (cursor) => {
        result.cursor = cursor;
      },
      emit: async (draft) => {
        const { requests, ...rest } = draft;
        result.drafts.push(draft as EmittedDraft);
        const record = sealRecord(
          {
            ...rest,
            collectedAt: clock.now().toISOString(),
            controls: { 'soc2-2017': [], 'iso27001-2022': [], mappingVersion: 'test' },
            provenance: {
              connector: { id: connectorId, type: connector.type, version: connector.version },
              collector: collector.id,
              runId: 'run-test',
              trigger: { type: 'manual', by: 'test' },
              requests,
            },
          } as never,
          clock.now(),
        );
        result.records.push(record);
        if (stored.has(record.id)) return 'duplicate';
        stored.add(record.id);
        return 'stored';
      },
      trigger: { type: 'manual', by: 'test' },
      runId: 'run-test',
      clock,
      log: { info: log('info'), warn: log('warn'), debug: log('debug') },
      signal: options.signal ?? new AbortController().signal,
    };
    const outcome = await collector.collect(context);
    if (outcome?.sourceTotal !== undefined) result.sourceTotal = outcome.sourceTotal;
  } catch (error) {
    result.error = error;
  }
  return result;
}

/** Everything that could carry a secret: the message, the JSON form, the full inspected object with its causes. */
export function errorText(error: unknown): string {
  const json = isCrosswalkError(error) ? JSON.stringify(error.toJSON()) : '';
  return `${String(error)}\n${json}\n${inspect(error, { depth: 10 })}`;
}

/** A fake source a test starts: it notes every request its vendor's description would refuse. */
export interface StartedFake {
  readonly violations: readonly string[];
  close(): Promise<void>;
}

/**
 * Wraps a fake's start so that every fake a test started is checked and closed after it: none of the requests it
 * received broke the vendor's description, whatever the test asserted. Call it at a test file's top level.
 * @example const fake = closedAfterEach((org = acme()) => startFake(org));
 */
export function closedAfterEach<Args extends unknown[], Fake extends StartedFake>(
  start: (...args: Args) => Promise<Fake>,
): (...args: Args) => Promise<Fake> {
  const started: Fake[] = [];
  afterEach(async () => {
    for (const fake of started.splice(0)) {
      expect(fake.violations).toEqual([]);
      await fake.close();
    }
  });
  return async (...args) => {
    const fake = await start(...args);
    started.push(fake);
    return fake;
  };
}

/**
 * `collect` bound to one connector and the defaults its tests share (their fixed time and window), typed by the
 * connector's config so a test's config literal is checked.
 * @example export const collect = collectorHarness<GitHubConfig, GitHubConfigInput>(githubConnector, { now, window });
 */
export function collectorHarness<Config, Input>(connector: ConnectorDefinition, defaults: CollectOptions) {
  return (
    collector: CollectorDefinition<Config>,
    config: Input,
    options: CollectOptions = {},
  ): Promise<Collected> => collect(connector, collector, config, { ...defaults, ...options });
}
