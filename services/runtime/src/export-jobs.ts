import { Queue } from 'bullmq';
import { z } from 'zod';
import { defaultJobOptions, queueConnection } from './jobs.js';

export const EXPORT_QUEUE = 'crosswalk-export';

/**
 * An export job names an export whose request the locker already holds (`exports/<id>/request.json`); the
 * request, not the job, says what to build, so a job can carry nothing that disagrees with the record of it.
 */
export const exportJobSchema = z.object({ exportId: z.string().min(1) }).strict();
export type ExportJob = z.infer<typeof exportJobSchema>;

/** How many attempts an export gets: fewer than a collection, since each one reads the whole period again. */
export const EXPORT_ATTEMPTS = 4;

export class ExportQueue {
  readonly queue: Queue;

  constructor(connection: { url: string }) {
    this.queue = new Queue(EXPORT_QUEUE, {
      connection: queueConnection(connection.url),
      defaultJobOptions: { ...defaultJobOptions, attempts: EXPORT_ATTEMPTS },
    });
  }

  /** Enqueues the build of one export; the export id is the job id, so asking twice queues it once. */
  async enqueue(job: ExportJob): Promise<string> {
    const data = exportJobSchema.parse(job);
    const added = await this.queue.add('export', data, { jobId: `export|${data.exportId}` });
    return added.id!;
  }

  /** Where the job is: BullMQ's state and the progress the worker last reported; undefined once removed. */
  async state(
    exportId: string,
  ): Promise<{ state: string; progress: unknown; attempts: number; reason?: string } | undefined> {
    const job = await this.queue.getJob(`export|${exportId}`);
    if (!job) return undefined;
    return {
      state: await job.getState(),
      progress: job.progress,
      attempts: job.attemptsMade,
      ...(job.failedReason ? { reason: job.failedReason } : {}),
    };
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
