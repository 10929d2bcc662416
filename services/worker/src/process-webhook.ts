import { parseConnectorConfig } from '@crosswalk/collect';
import { connectorFor, type Runtime, webhookJobSchema } from '@crosswalk/runtime';
import { UnrecoverableError } from 'bullmq';
import { parseJob, unrecoverableIf } from './process-collect.js';
import { WebhookBatcher } from './webhook-batch.js';

/**
 * Turns one authenticated delivery into evidence: what the payload itself proves is stored now (through the
 * runner, so it gets provenance naming the delivery, controls and a run manifest; deliveries of the same connector
 * that arrive together share one run, see WebhookBatcher); what needs the source API becomes collect jobs, one per
 * collector and filter. Resolves only once the delivery's records are stored.
 */
export async function processWebhook(
  runtime: Runtime,
  data: unknown,
  batcher: WebhookBatcher = new WebhookBatcher(runtime, { lingerMs: 0, maxDeliveries: 1 }),
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
    stored = await batcher.store({
      connectorId: job.connectorId,
      type,
      config,
      deliveryId: job.deliveryId,
      event: job.event,
      drafts: outcome.emit,
    });
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
