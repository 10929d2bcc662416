import { runConnector } from '@crosswalk/collect';
import {
  type CollectorDefinition,
  type ConnectorDefinition,
  CrosswalkError,
  type EmittedDraft,
  errorCatalog,
  isCrosswalkError,
  type Trigger,
} from '@crosswalk/core';
import { connectorFor, type Runtime } from '@crosswalk/runtime';
import { collectorLog, failureError, record, unrecoverableIf } from './process-collect.js';

/** What one delivery hands to the batcher: the items its payload proves, stored in the next run of its connector. */
export interface DeliveryItems {
  connectorId: string;
  /** The connector type its config had when the delivery was handled. */
  type: string;
  /** The connector's stored (raw) config: the runner validates it and scrubs its secrets from errors. */
  config: unknown;
  deliveryId: string;
  event: string;
  drafts: EmittedDraft[];
}

export interface BatchOptions {
  /** Most deliveries stored in one run (one manifest, one chain link). @defaultValue 64 */
  maxDeliveries?: number;
  /**
   * How long a delivery that finds its connector idle waits for others before its run starts (ms). While a run of
   * the connector is under way, deliveries gather for the next one without any timer. @defaultValue 20
   */
  lingerMs?: number;
  /** Records of one run written at once. @defaultValue 16 */
  storeConcurrency?: number;
}

interface Entry extends DeliveryItems {
  resolve(stored: number): void;
  reject(error: unknown): void;
}

interface Lane {
  /** Batches waiting to run, oldest first; only the last one takes more deliveries. */
  batches: Entry[][];
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Stores the items of webhook deliveries for the same connector that arrive close together in one run: one
 * manifest and one chain link for the batch instead of for each delivery (about eight S3 requests of overhead a
 * run, against one per record). Each record still names the delivery it came from (provenance.trigger), and the
 * manifest lists the batch's deliveries (`deliveries`, in arrival order).
 *
 * At-least-once is kept: `store` resolves only after the run that holds the delivery's records has written its
 * manifest, so its job completes only then. A process killed mid-batch leaves those jobs active; BullMQ hands them
 * to another worker, whose run finds the records already stored (deterministic ids, write-once) and stores only
 * what is missing.
 *
 * Per connector at most one run is under way per process; the deliveries that arrive meanwhile make up the next.
 */
export class WebhookBatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly maxDeliveries: number;
  private readonly lingerMs: number;
  private readonly storeConcurrency: number;

  constructor(
    private readonly runtime: Runtime,
    options: BatchOptions = {},
  ) {
    this.maxDeliveries = Math.max(1, options.maxDeliveries ?? 64);
    this.lingerMs = Math.max(0, options.lingerMs ?? 20);
    this.storeConcurrency = Math.max(1, options.storeConcurrency ?? 16);
  }

  /** Resolves to how many of the delivery's records were new, once they are stored and the run is chained. */
  store(items: DeliveryItems): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const key = `${items.connectorId}\u0000${items.type}`;
      let lane = this.lanes.get(key);
      if (!lane) {
        lane = { batches: [], running: false, timer: undefined };
        this.lanes.set(key, lane);
      }
      const last = lane.batches.at(-1);
      const entry: Entry = { ...items, resolve, reject };
      if (last && last.length < this.maxDeliveries) last.push(entry);
      else lane.batches.push([entry]);
      this.pump(key, lane, false);
    });
  }

  /** Starts the lane's next run when it may: now (a run just ended, the linger passed, or the batch is full). */
  private pump(key: string, lane: Lane, now: boolean): void {
    if (lane.running) return;
    const next = lane.batches[0];
    if (!next) {
      if (lane.timer) clearTimeout(lane.timer);
      this.lanes.delete(key);
      return;
    }
    if (!now && next.length < this.maxDeliveries && this.lingerMs > 0) {
      lane.timer ??= setTimeout(() => {
        lane.timer = undefined;
        this.pump(key, lane, true);
      }, this.lingerMs);
      return;
    }
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    lane.batches.shift();
    lane.running = true;
    void this.run(next).finally(() => {
      lane.running = false;
      this.pump(key, lane, true);
    });
  }

  /** One run for the batch; settles every entry (never rejects itself). */
  private async run(entries: Entry[]): Promise<void> {
    const first = entries[0]!;
    const failures = new Map<Entry, unknown>();
    const stored = new Map<Entry, number>();
    const triggers = new Map<EmittedDraft, Trigger>();
    for (const entry of entries) {
      const trigger: Trigger = { type: 'webhook', deliveryId: entry.deliveryId, event: entry.event };
      for (const draft of entry.drafts) triggers.set(draft, trigger);
    }
    try {
      const connector = connectorFor(first.type);
      const manifest = await runConnector({
        connector: this.replaying(connector, entries, failures, stored),
        connectorId: first.connectorId,
        config: first.config,
        locker: this.runtime.locker,
        // The run's trigger is the delivery that opened the batch; `deliveries` lists all of them.
        trigger: { type: 'webhook', deliveryId: first.deliveryId, event: first.event },
        triggerOf: (draft) => triggers.get(draft),
        // Replayed payload items: the next scheduled collection starts where it would have without them.
        stateless: true,
        window: windowOf(entries),
        deliveries: entries.map((e) => ({ deliveryId: e.deliveryId, event: e.event })),
        log: collectorLog(this.runtime, first.connectorId),
      });
      record(this.runtime, manifest);
      for (const entry of entries) {
        const failure = failures.get(entry);
        if (failure === undefined) entry.resolve(stored.get(entry) ?? 0);
        else entry.reject(failureError(summary(failure), `${entry.connectorId} webhook ${entry.deliveryId}`));
      }
    } catch (error) {
      // The run itself could not start or be chained (config, locker): every delivery of it is retried or failed.
      for (const entry of entries) entry.reject(unrecoverableIf(error, false));
    }
  }

  /**
   * The connector with its collectors replaced by ones that store the batch's items, kind by kind (the first
   * collector of each kind). A delivery whose item cannot be stored fails alone, and the collector reports it; when
   * the locker itself is unavailable the remaining deliveries are not tried (they would wait out the same outage).
   */
  private replaying(
    connector: ConnectorDefinition,
    entries: readonly Entry[],
    failures: Map<Entry, unknown>,
    stored: Map<Entry, number>,
  ): ConnectorDefinition {
    const kinds = new Set(entries.flatMap((e) => e.drafts.map((d) => d.kind)));
    const seen = new Set<string>();
    const collectors = connector.collectors
      .filter((c) => kinds.has(c.kind) && !seen.has(c.kind) && seen.add(c.kind))
      .map(
        (c): CollectorDefinition<unknown> => ({
          ...c,
          collect: async (ctx) => {
            const work = entries
              .map((entry) => ({ entry, drafts: entry.drafts.filter((d) => d.kind === c.kind) }))
              .filter((w) => w.drafts.length > 0 && !failures.has(w.entry));
            let outage: unknown;
            await forEachLimit(work, this.storeConcurrency, async ({ entry, drafts }) => {
              for (const draft of drafts) {
                if (outage !== undefined) {
                  failures.set(entry, outage);
                  return;
                }
                try {
                  if ((await ctx.emit(draft)) === 'stored') stored.set(entry, (stored.get(entry) ?? 0) + 1);
                } catch (error) {
                  failures.set(entry, error);
                  if (isRetryable(error)) outage = error;
                  return;
                }
              }
            });
            const failed = work.filter((w) => failures.has(w.entry));
            if (failed.length > 0) {
              const { code, message } = summary(failures.get(failed[0]!.entry));
              throw new CrosswalkError(
                code as ConstructorParameters<typeof CrosswalkError>[0],
                `${failed.length} of ${work.length} deliveries not stored; delivery ${failed[0]!.entry.deliveryId}: ${message}`,
              );
            }
          },
        }),
      );
    return { ...connector, collectors };
  }
}

/** The window a batch's items occurred in: from the earliest to just after the latest. */
function windowOf(entries: readonly Entry[]): { since: string; until: string } {
  let since = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  for (const entry of entries) {
    for (const draft of entry.drafts) {
      const at = Date.parse(draft.occurredAt);
      if (at < since) since = at;
      if (at > until) until = at;
    }
  }
  return { since: new Date(since).toISOString(), until: new Date(until + 1).toISOString() };
}

function isRetryable(error: unknown): boolean {
  return isCrosswalkError(error) && errorCatalog[error.code].retryable;
}

function summary(error: unknown): { code: string; message: string } {
  if (isCrosswalkError(error)) return { code: error.code, message: error.message };
  return { code: 'CW_INTERNAL', message: `unexpected error: ${(error as Error)?.message ?? String(error)}` };
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}
