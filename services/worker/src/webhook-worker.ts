import { QUEUES, type Runtime, type WebhookJob } from '@crosswalk/runtime';
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import { processWebhook } from './process-webhook.js';
import { type BatchOptions, WebhookBatcher } from './webhook-batch.js';

/**
 * Webhook jobs one worker holds at once (at least; more when CROSSWALK_WORKER_CONCURRENCY says so). Most of them
 * only wait for the batch run that stores their records: one batch (64) running, the next one gathering.
 */
export const WEBHOOK_CONCURRENCY = 128;

/**
 * The worker of the webhook queue: deliveries' items stored in batched runs (WebhookBatcher), and the delivery's
 * claim released when its job fails for good, so that the sender's redelivery is taken as new instead of being
 * answered "duplicate" (WebhookQueue.enqueue).
 */
export function webhookWorker(
  runtime: Runtime,
  common: WorkerOptions & { concurrency?: number },
  batch?: BatchOptions,
): Worker {
  const batcher = new WebhookBatcher(runtime, batch);
  const worker = new Worker(
    QUEUES.webhook,
    async (job: Job) => {
      try {
        return await processWebhook(runtime, job.data, batcher);
      } catch (error) {
        // Failing for good: forget the delivery first (a crash between the two leaves the job to be retried,
        // which stores nothing twice; the other order could leave a redelivery refused for days).
        if (finalFailure(job, error)) await releaseDelivery(runtime, job);
        throw error;
      }
    },
    { ...common, concurrency: Math.max(common.concurrency ?? 1, WEBHOOK_CONCURRENCY) },
  );
  // Failed for good without reaching the processor (stalled past the limit, then failed when next taken).
  worker.on('failed', (job) => {
    if (job?.finishedOn) void releaseDelivery(runtime, job);
  });
  return worker;
}

/** Whether BullMQ moves the job to failed after this error: unrecoverable, or no attempt left. */
export function finalFailure(job: Pick<Job, 'attemptsMade' | 'opts'>, error: unknown): boolean {
  const unrecoverable = (error as Error | undefined)?.name === 'UnrecoverableError';
  return unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

async function releaseDelivery(runtime: Runtime, job: Job): Promise<void> {
  const data = job.data as Partial<WebhookJob> | undefined;
  if (!job.id || typeof data?.connectorId !== 'string' || typeof data.deliveryId !== 'string') return;
  try {
    await runtime.webhookQueue.releaseClaim({
      id: job.id,
      connectorId: data.connectorId,
      deliveryId: data.deliveryId,
    });
  } catch (error) {
    runtime.logger.warn(
      { jobId: job.id, error: (error as Error).message },
      'delivery claim not released: a redelivery is answered as a duplicate until the claim expires',
    );
  }
}
