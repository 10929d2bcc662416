import { type Locker, openLocker } from '@crosswalk/locker';
import { ApiKeys } from './api-keys.js';
import { ConnectorConfigs } from './connector-configs.js';
import type { ServiceEnv } from './env.js';
import { ExportQueue } from './export-jobs.js';
import { CollectQueue, WebhookQueue } from './jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type MarkerRedis, redisRevocations } from './revocations.js';
import { SecretBox } from './secrets.js';

/** Everything a service process shares: built once from the validated environment, closed once. */
export interface Runtime {
  env: ServiceEnv;
  locker: Locker;
  configs: ConnectorConfigs;
  keys: ApiKeys;
  collectQueue: CollectQueue;
  webhookQueue: WebhookQueue;
  exportQueue: ExportQueue;
  logger: Logger;
  metrics: Metrics;
  close(): Promise<void>;
}

export function createRuntime(env: ServiceEnv, options: { logger?: Logger } = {}): Runtime {
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const locker = openLocker(env.locker, { onWarning: (message) => logger.warn(message) });
  const box = new SecretBox(env.CROSSWALK_SECRET_KEY);
  const collectQueue = new CollectQueue({ url: env.REDIS_URL });
  const webhookQueue = new WebhookQueue({ url: env.REDIS_URL });
  const exportQueue = new ExportQueue({ url: env.REDIS_URL });
  // Without a listener BullMQ prints each Redis connection error (every reconnect attempt while Redis is down)
  // as a raw stack on stderr; through the logger they are structured JSON like every other line.
  for (const { queue } of [collectQueue, webhookQueue, exportQueue]) {
    queue.on('error', (error) => logger.warn({ queue: queue.name, error: error.message }, 'redis error'));
  }
  return {
    env,
    locker,
    configs: new ConnectorConfigs(locker, box, undefined, env.CROSSWALK_CONFIG_CACHE_MS),
    // Revocation markers on the collect queue's connection: it fails at once while Redis is down (no offline
    // queue), and then the cache bound applies.
    keys: new ApiKeys(
      locker,
      undefined,
      env.CROSSWALK_KEY_CACHE_MS,
      redisRevocations(async () => (await collectQueue.queue.getBackend().client) as unknown as MarkerRedis),
    ),
    collectQueue,
    webhookQueue,
    exportQueue,
    logger,
    metrics: createMetrics([collectQueue.queue, webhookQueue.queue, exportQueue.queue]),
    async close() {
      await Promise.allSettled([collectQueue.close(), webhookQueue.close(), exportQueue.close()]);
    },
  };
}
