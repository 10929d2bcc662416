import { randomUUID } from 'node:crypto';
import { controlsFor } from '@crosswalk/controls';
import {
  type Clock,
  type CollectionWindow,
  type CollectorDefinition,
  type CollectorLogger,
  type ConnectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  type EvidenceKind,
  secretValues,
  systemClock,
  type Trigger,
  zodIssues,
} from '@crosswalk/core';
import { keys, type Locker, type RunManifest, type RunManifestDraft } from '@crosswalk/locker';

const { evidenceKey } = keys;

import type { z } from 'zod';
import type { RunProgress } from './progress.js';
import { redact } from './redact.js';
import { assertWindow, defaultWindow } from './window.js';

export interface RunOptions<Schema extends z.ZodType> {
  connector: ConnectorDefinition<Schema>;
  /** The configured instance, e.g. `github-acme`: names cursors, runs and provenance. */
  connectorId: string;
  /** Raw config: validated here against the connector's schema before any request is made. */
  config: unknown;
  locker: Locker;
  /** What started the run: in the manifest, and in each record's provenance unless `triggerOf` says otherwise. */
  trigger: Trigger;
  /**
   * A record's own trigger, when one run stores items that came in different ways: a batch of webhook deliveries
   * stored in one run, each record naming the delivery that brought it. Undefined -> the run's trigger.
   */
  triggerOf?: (draft: EmittedDraft) => Trigger | undefined;
  /**
   * Neither read nor advance the collectors' cursors and windows: for runs that replay items handed to them
   * (webhook payloads) instead of reading the source, which must not move where the next scheduled collection
   * starts. Give `window` with it; without one each collector's window is the default first-run window.
   */
  stateless?: boolean;
  /** One window for every collector; unset, each continues from where its last successful run ended. */
  window?: CollectionWindow;
  /** Run only these collectors (ids); unset, all of them. */
  collectors?: readonly string[];
  /**
   * Narrows the run to named items (set by webhooks, e.g. `{ issueKey: 'IT-42' }`). A filtered run leaves each
   * collector's cursor and lastUntil as they were: it says nothing about the rest of the window.
   */
  filter?: Record<string, string>;
  /** The webhook deliveries a batched run stores the items of: listed in its manifest. */
  deliveries?: readonly { deliveryId: string; event: string }[];
  clock?: Clock;
  log?: CollectorLogger;
  onProgress?: (event: RunProgress) => void;
  signal?: AbortSignal;
  runId?: string;
}

interface CollectorState {
  cursor?: unknown;
  /** End of the last window this collector completed: where the next default window starts. */
  lastUntil?: string;
}

const silent: CollectorLogger = { info() {}, warn() {}, debug() {} };

/** Validates a connector config, naming every bad field under `connectors.<id>`. */
export function parseConnectorConfig<Schema extends z.ZodType>(
  connector: ConnectorDefinition<Schema>,
  connectorId: string,
  config: unknown,
): z.infer<Schema> {
  const parsed = connector.configSchema.safeParse(config);
  if (!parsed.success) {
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `invalid ${connector.type} configuration for connector ${connectorId}`,
      {
        where: `connectors.${connectorId}`,
        issues: zodIssues(parsed.error, ['connectors', connectorId]),
      },
    );
  }
  return Object.freeze(parsed.data) as z.infer<Schema>;
}

/**
 * Runs a connector's collectors once, in process, into the locker. Each collector is isolated: one failing
 * is recorded in the run manifest with its error code and message, and the others still run. Records are
 * sealed (id, storedAt, sha256), stamped with collectedAt, the controls of both frameworks and provenance,
 * and written once. A collector's cursor advances only when it succeeds, and never on a filtered run. The manifest is appended to the
 * connector's hash chain whatever happened, so a failed day is visible to coverage.
 */
export async function runConnector<Schema extends z.ZodType>(
  options: RunOptions<Schema>,
): Promise<RunManifest> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silent;
  const config = parseConnectorConfig(options.connector, options.connectorId, options.config);
  // The values the schema marks secret, as given and as parsed (a trimmed token differs from the one typed).
  const schema = options.connector.configSchema;
  const secrets = [
    ...new Set([...secretValues(schema, options.config, 4), ...secretValues(schema, config, 4)]),
  ];
  const window = options.window ? assertWindow(options.window) : undefined;
  const selected = selectCollectors(options.connector, options.collectors);
  refuseUnconfigured(options.connectorId, selected, config, options.collectors);
  const runId = options.runId ?? randomUUID();
  const startedAt = clock.now().toISOString();
  const signal = options.signal ?? new AbortController().signal;
  const filtered = Object.keys(options.filter ?? {}).length > 0;

  const state = options.stateless ? undefined : await options.locker.state.get(options.connectorId);
  const cursors: Record<string, unknown> = { ...(state?.cursors ?? {}) };
  const results: RunManifestDraft['collectors'] = [];
  const stored: RunManifestDraft['records'] = [];

  for (const collector of selected) {
    const notConfigured = collector.notConfigured?.(config);
    if (notConfigured !== undefined) {
      log.info({ collector: collector.id }, `skipped: not configured (${notConfigured})`);
      options.onProgress?.({
        type: 'collector-skipped',
        collector: collector.id,
        kind: collector.kind,
        reason: notConfigured,
      });
      continue;
    }
    const previous = (cursors[collector.id] ?? {}) as CollectorState;
    const collectorWindow = window ?? defaultWindow(previous.lastUntil, clock.now());
    const outcome = { stored: 0, duplicates: 0, requests: new Set<string>() };
    let nextCursor = previous.cursor;
    options.onProgress?.({
      type: 'collector-started',
      collector: collector.id,
      kind: collector.kind,
      ...collectorWindow,
    });

    const emit = async <K extends EvidenceKind>(emitted: EmittedDraft<K>) => {
      if (emitted.kind !== collector.kind) {
        throw new CrosswalkError(
          'CW_INTERNAL',
          `collector ${collector.id} emitted ${emitted.kind}, not ${collector.kind}`,
        );
      }
      const { requests, ...draft } = emitted;
      for (const request of requests)
        outcome.requests.add(`${request.method} ${request.path} ${request.requestId ?? ''}`);
      const result = await options.locker.storeDraft({
        ...draft,
        collectedAt: clock.now().toISOString(),
        // The kind's controls, plus the record-level claims its payload qualifies for (recordClaims).
        controls: controlsFor(collector.kind, draft.payload),
        provenance: {
          connector: {
            id: options.connectorId,
            type: options.connector.type,
            version: options.connector.version,
          },
          collector: collector.id,
          runId,
          trigger: options.triggerOf?.(emitted) ?? options.trigger,
          requests,
        },
      } as Parameters<Locker['storeDraft']>[0]);
      if (result.status === 'stored') {
        outcome.stored++;
        stored.push({ id: result.id, kind: collector.kind, sha256: result.sha256, key: result.key });
      } else {
        // Already stored: by an earlier run, or by an attempt of this collection that died before its manifest
        // (SIGKILL, an S3 outage). The manifest vouches for the stored copy, read and proved here, so what a dead
        // attempt wrote is chained by the retry. A stored copy that does not prove itself fails the collector.
        const existing = await options.locker.records.get(result.key);
        outcome.duplicates++;
        stored.push({
          id: result.id,
          kind: collector.kind,
          sha256: existing.sha256,
          key: result.key,
          duplicate: true,
        });
      }
      options.onProgress?.({
        type: 'record',
        collector: collector.id,
        status: result.status,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
      });
      return result.status;
    };

    let error: { code: string; message: string } | null = null;
    let sourceTotal: number | undefined;
    try {
      const cursor = checkedCursor(collector, previous.cursor, options.connectorId);
      const collected = await (collector as CollectorDefinition<object>).collect({
        config: config as object,
        connectorId: options.connectorId,
        window: collectorWindow,
        filter: Object.freeze({ ...(options.filter ?? {}) }),
        cursor,
        saveCursor: (saved) => {
          nextCursor = savedCursor(collector, saved);
        },
        emit,
        evidence: {
          list: (kind, range) => options.locker.records.list(kind, range),
          keyOf: (id) => evidenceKey({ id }),
        },
        trigger: options.trigger,
        runId,
        clock,
        log,
        signal,
      });
      // A filtered run (a webhook's one pull request or ticket) collected named items, not the window: it proves
      // nothing about the rest of it, so the collector's cursor and lastUntil stay where the last full run left
      // them. Otherwise one webhook during a source outage would mark the outage's hours as collected.
      // A filtered run's total would be of the named items, not the window: only a full run's is kept.
      if (!filtered && collected?.sourceTotal !== undefined) sourceTotal = collected.sourceTotal;
      if (!filtered) {
        cursors[collector.id] = {
          cursor: nextCursor,
          lastUntil: collectorWindow.until,
        } satisfies CollectorState;
      }
    } catch (caught) {
      error = summarize(caught, secrets);
      log.warn(
        { connectorId: options.connectorId, collector: collector.id, runId, error },
        'collector failed',
      );
    }
    const status = error ? 'failed' : 'succeeded';
    results.push({
      id: collector.id,
      kind: collector.kind,
      window: collectorWindow,
      status,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      requests: outcome.requests.size,
      // Only when there is one: a manifest without it keeps the bytes (and hash) it always had.
      ...(sourceTotal !== undefined ? { sourceTotal } : {}),
      ...sourceRetention(collector, collectorWindow, clock.now()),
      error,
    });
    options.onProgress?.({
      type: 'collector-finished',
      collector: collector.id,
      status,
      stored: outcome.stored,
      duplicates: outcome.duplicates,
      ...(error ? { error } : {}),
    });
  }

  if (!options.stateless) {
    await options.locker.state.put({
      connectorId: options.connectorId,
      updatedAt: clock.now().toISOString(),
      cursors,
    });
  }
  const failed = results.filter((r) => r.status === 'failed').length;
  return options.locker.runs.append({
    runId,
    connectorId: options.connectorId,
    connectorType: options.connector.type,
    connectorVersion: options.connector.version,
    trigger: options.trigger,
    window: window ?? null,
    filter: { ...(options.filter ?? {}) },
    ...(options.deliveries && options.deliveries.length > 0
      ? { deliveries: options.deliveries.map((d) => ({ deliveryId: d.deliveryId, event: d.event })) }
      : {}),
    startedAt,
    finishedAt: clock.now().toISOString(),
    status: failed === 0 ? 'succeeded' : failed === results.length ? 'failed' : 'partial',
    collectors: results,
    records: stored,
  });
}

function selectCollectors<C>(
  connector: ConnectorDefinition<z.ZodType<C>>,
  wanted: readonly string[] | undefined,
): readonly CollectorDefinition<C>[] {
  if (!wanted || wanted.length === 0) return connector.collectors;
  const known = new Set(connector.collectors.map((c) => c.id));
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `connector ${connector.type} has no collector ${unknown.map((u) => `"${u}"`).join(', ')} (it has ${[...known].join(', ')})`,
      { where: 'collectors' },
    );
  }
  return connector.collectors.filter((c) => wanted.includes(c.id));
}

/**
 * A run that names its collectors (a schedule, an API request, `--collector`) when none of them is configured
 * would write a manifest of nothing, which reads as "ran and found nothing": a Jira kind without a JQL collected
 * on its schedule looked like a quiet day. Refused instead, naming why, before anything is stored.
 */
function refuseUnconfigured<C>(
  connectorId: string,
  selected: readonly CollectorDefinition<C>[],
  config: C,
  wanted: readonly string[] | undefined,
): void {
  if (!wanted || wanted.length === 0) return;
  const reasons = selected.map((c) => ({ id: c.id, reason: c.notConfigured?.(config) }));
  if (reasons.some((r) => r.reason === undefined)) return;
  throw new CrosswalkError(
    'CW_CONFIG_INVALID',
    `connector ${connectorId}: ${reasons.map((r) => `${r.id} is not configured (${r.reason})`).join('; ')}; nothing was run`,
    {
      where: `connectors.${connectorId}`,
      issues: reasons.map((r) => ({ path: `connectors.${connectorId}`, message: `${r.id}: ${r.reason}` })),
    },
  );
}

/** An error as the manifest records it: a stable code and a message, never a stack, never a secret. */
/**
 * The stored cursor as the collector's schema reads it. One that does not match (written by an older version of the
 * connector, or edited by hand) fails the collector naming the field, rather than the collector reading a field
 * that is not there.
 */
function checkedCursor(collector: CollectorDefinition<never>, stored: unknown, connectorId: string): unknown {
  if (stored === undefined || !collector.cursorSchema) return stored;
  const parsed = collector.cursorSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const where = `state/${connectorId}.json: ${collector.id}.cursor`;
  throw new CrosswalkError(
    'CW_LOCKER_CORRUPT',
    `the stored cursor of collector ${collector.id} does not match its schema; remove it from ${where} to collect ` +
      'from the default window',
    { where, issues: zodIssues(parsed.error, [where]) },
  );
}

/**
 * A cursor a collector saves must match its schema as it will be read back, after the JSON round trip of the state
 * object. A collector without a schema keeps an unchecked cursor (as before schemas existed).
 */
function savedCursor(collector: CollectorDefinition<never>, cursor: unknown): unknown {
  if (!collector.cursorSchema) return cursor;
  const parsed = collector.cursorSchema.safeParse(JSON.parse(JSON.stringify(cursor ?? null)));
  if (!parsed.success) {
    const where = `${collector.id}.cursor`;
    throw new CrosswalkError(
      'CW_INTERNAL',
      `collector ${collector.id} saved a cursor its cursorSchema refuses`,
      {
        where,
        issues: zodIssues(parsed.error, [where]),
      },
    );
  }
  return cursor;
}

function summarize(error: unknown, secrets: readonly string[]): { code: string; message: string } {
  if (error instanceof CrosswalkError) {
    const where = error.where && !error.message.includes(error.where) ? ` (${error.where})` : '';
    const issues =
      error.issues.length > 0 ? `: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` : '';
    return { code: error.code, message: redact(`${error.message}${where}${issues}`, secrets) };
  }
  return {
    code: 'CW_INTERNAL',
    message: redact(`unexpected error: ${(error as Error)?.message ?? String(error)}`, secrets),
  };
}

/**
 * What a collector's source can no longer give of its window: for a collector that declares how long its source
 * keeps items (`sourceRetentionDays`), the retention, and the time before which the window could not be read
 * when the window reaches past it. Nothing for a collector without a declared retention.
 */
export function sourceRetention(
  collector: Pick<CollectorDefinition<object>, 'sourceRetentionDays'>,
  window: { since: string; until: string },
  now: Date,
): { sourceRetentionDays?: number; sourceUnavailableBefore?: string } {
  const days = collector.sourceRetentionDays;
  if (days === undefined) return {};
  const kept = now.getTime() - days * 86_400_000;
  if (Date.parse(window.since) >= kept) return { sourceRetentionDays: days };
  const unavailableBefore = new Date(Math.min(kept, Date.parse(window.until))).toISOString();
  return { sourceRetentionDays: days, sourceUnavailableBefore: unavailableBefore };
}
