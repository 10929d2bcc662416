import type { ConnectorConfigs } from './connector-configs.js';
import { type CollectQueue, isConfigured, schedulerId } from './jobs.js';
import { connectorFor } from './registry.js';

/** Where the collection schedules stand: those the stored connectors call for against those Redis holds. */
export interface ScheduleCheck {
  /** Schedulers the stored connector configs call for (one per connector collector). */
  configured: number;
  /** Of those, the ones Redis does not hold (a Redis restart without persistence loses them all). */
  missing: string[];
  /** Schedulers Redis holds for connectors that are no longer configured. */
  orphaned: string[];
}

interface Sources {
  configs: Pick<ConnectorConfigs, 'list'>;
  collectQueue: CollectQueue;
}

/**
 * Compares the schedulers in Redis with the stored configs (the locker is the truth). Redis is listed first:
 * a scheduler it holds was declared after its config was stored, so the config listing that follows sees that
 * connector, and a connector created in between is never taken for an orphan.
 */
export async function checkSchedules(
  sources: Sources,
): Promise<ScheduleCheck & { types: Map<string, { type: string; config: Record<string, unknown> }> }> {
  const held = new Set((await sources.collectQueue.queue.getJobSchedulers(0, -1)).map((s) => s.key));
  const types = new Map<string, { type: string; config: Record<string, unknown> }>();
  const expected = new Set<string>();
  for (const view of await sources.configs.list()) {
    types.set(view.id, { type: view.type, config: view.config });
    for (const collector of connectorFor(view.type).collectors)
      if (isConfigured(collector, view.config)) expected.add(schedulerId(view.id, collector.id));
  }
  return {
    configured: expected.size,
    missing: [...expected].filter((id) => !held.has(id)),
    orphaned: [...held].filter((id) => id.startsWith('schedule|') && !expected.has(id)),
    types,
  };
}

/**
 * Declares what is missing and removes orphans; returns what it found before repairing. `all` re-declares every
 * connector's schedulers (at a worker's start, so a changed cadence takes effect), not only those missing.
 */
export async function reconcileSchedules(
  sources: Sources,
  options: { all?: boolean } = {},
): Promise<ScheduleCheck & { restored: number; removed: number }> {
  const { types, ...check } = await checkSchedules(sources);
  const connectorOf = (id: string) => id.split('|')[1] ?? '';
  const toDeclare = options.all ? [...types.keys()] : [...new Set(check.missing.map(connectorOf))];
  for (const connectorId of toDeclare) {
    const stored = types.get(connectorId);
    if (stored)
      await sources.collectQueue.declareSchedules(connectorId, connectorFor(stored.type), stored.config);
  }
  for (const id of check.orphaned) await sources.collectQueue.queue.removeJobScheduler(id);
  return { ...check, restored: check.missing.length, removed: check.orphaned.length };
}
