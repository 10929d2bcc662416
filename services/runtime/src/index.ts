export {
  type ApiKey,
  ApiKeys,
  type ApiKeyView,
  apiKeySchema,
  keyScopeSchema,
  type Role,
  roles,
} from './api-keys.js';
export { type ConnectorEntry, type CrosswalkConfig, loadConfigFile } from './config-file.js';
export {
  ConnectorConfigs,
  type ConnectorView,
  type StoredConnector,
  WRITE_ONLY,
} from './connector-configs.js';
export { applyConfigFile } from './declarative.js';
export { environmentVariables, parseServiceEnv, type ServiceEnv } from './env.js';
export {
  EXPORT_ATTEMPTS,
  EXPORT_QUEUE,
  type ExportJob,
  ExportQueue,
  exportJobSchema,
} from './export-jobs.js';
export {
  type CollectJob,
  CollectQueue,
  collectJobId,
  collectJobSchema,
  DELIVERY_CLAIM_SECONDS,
  defaultJobOptions,
  QUEUES,
  queueConnection,
  redisOptions,
  SCHEDULED_JOB,
  schedulePattern,
  schedulerId,
  type WebhookJob,
  WebhookQueue,
  webhookJobSchema,
} from './jobs.js';
export { createLogger, type Logger, REDACT_PATHS, redactPaths } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
export {
  type ConnectorRegistry,
  connectorFor,
  connectorTypes,
  createRegistry,
  registry,
} from './registry.js';
export {
  type RevocationSignal,
  redisRevocations,
  standaloneRevocations,
} from './revocations.js';
export { createRuntime, type Runtime } from './runtime.js';
export { checkSchedules, reconcileSchedules, type ScheduleCheck } from './schedules.js';
export { isSealed, SecretBox } from './secrets.js';
