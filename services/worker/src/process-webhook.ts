import { parseConnectorConfig, runConnector } from '@crosswalk/collect';
import type { CollectorDefinition, ConnectorDefinition, EmittedDraft } from '@crosswalk/core';
import { connectorFor, type Runtime, webhookJobSchema } from '@crosswalk/runtime';
import { UnrecoverableError } from 'bullmq';
import { collectorLog, failureError, parseJob, record, unrecoverableIf } from './process-collect.js';

/**
 * Turns one authenticated delivery into evidence: what the payload itself proves is stored now (through the
 * runner, so it gets provenance, controls and a run manifest naming the delivery); what needs the source API
 * becomes collect jobs, one per collector and filter.
 */
export async function processWebhook(
  runtime: Runtime,
  data: unknown,
): Promise<{ stored: number; enqueued: string[] }> {
  const job = parseJob(webhookJobSchema, data, 'webhook');
  // A delivery for a connector deleted since (or whose credentials no longer open) cannot heal by retrying.
  const { type, config } = await runtime.configs.resolve(job.connectorId).catch((error: unknown) => {
    throw unrecoverableIf(error, true);
  });
  const connector = connectorFor(type);
  const handleWebhook = connector.handleWebhook;
  if (!handleWebhook) throw new UnrecoverableError(`connector type ${type} does not take webhooks`);
  // An invalid stored config, or a payload the connector refuses, is the same on every retry.
  const outcome = await Promise.resolve()
    .then(() =>
      handleWebhook(
        { event: job.event, deliveryId: job.deliveryId, payload: job.payload, receivedAt: job.receivedAt },
        parseConnectorConfig(connector, job.connectorId, config) as object,
      ),
    )
    .catch((error: unknown) => {
      throw unrecoverableIf(error, false);
    });
  const trigger = { type: 'webhook' as const, deliveryId: job.deliveryId, event: job.event };
  let stored = 0;
  if (outcome.emit.length > 0) {
    const manifest = await runConnector({
      connector: replaying(connector, outcome.emit),
      connectorId: job.connectorId,
      config,
      locker: runtime.locker,
      trigger,
      log: collectorLog(runtime, job.connectorId),
    });
    record(runtime, manifest);
    stored = manifest.records.length;
    const failure = manifest.collectors.find((c) => c.error)?.error;
    if (failure) throw failureError(failure, `${job.connectorId} webhook ${job.deliveryId}`);
  }
  const enqueued: string[] = [];
  for (const request of outcome.collect) {
    enqueued.push(
      await runtime.collectQueue.enqueue({
        connectorId: job.connectorId,
        collector: request.collector,
        window: request.window ?? null,
        filter: request.filter ?? {},
        trigger,
      }),
    );
  }
  return { stored, enqueued };
}

/** The connector with its collectors replaced by ones that replay the delivery's items, kind by kind. */
function replaying(connector: ConnectorDefinition, drafts: EmittedDraft[]): ConnectorDefinition {
  const kinds = new Set(drafts.map((d) => d.kind));
  const collectors = connector.collectors
    .filter((c) => kinds.has(c.kind))
    .map(
      (c): CollectorDefinition<unknown> => ({
        ...c,
        collect: async (ctx) => {
          for (const draft of drafts.filter((d) => d.kind === c.kind)) await ctx.emit(draft);
        },
      }),
    );
  return { ...connector, collectors };
}
