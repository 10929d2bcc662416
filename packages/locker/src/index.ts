export { type AuditEntry, AuditStore, auditEntrySchema } from './audit.js';
export type { LockerCheck } from './check.js';
export {
  type FsLockerConfig,
  type LockerConfig,
  lockerConfigFromEnv,
  lockerConfigSchema,
  parseLockerConfig,
  type S3LockerConfig,
} from './config.js';
export { ConfigStore } from './configs.js';
export { FsObjectStore } from './fs-store.js';
export * as keys from './keys.js';
export { Locker, type LockerOptions } from './locker.js';
export { createObjectStore, openLocker } from './open.js';
export { mapOrdered } from './ordered.js';
export { isLegacyCheckProbe, PROBE_PREFIX } from './probes.js';
export { type PutResult, type RecordRef, RecordStore, type TimeRange } from './records.js';
export type { RetentionStatus } from './retention.js';
export {
  type ChainLink,
  type ChainProblem,
  type ChainReport,
  type ChainVisit,
  type ClaimCompletion,
  linkMeets,
  type RunManifest,
  type RunManifestDraft,
  RunStore,
  recordDays,
  runManifestSchema,
  type VerifyChainOptions,
} from './runs.js';
export { S3ObjectStore } from './s3-store.js';
export { type ConnectorState, StateStore } from './state.js';
export type {
  CreateOnceOptions,
  ListOptions,
  ObjectStore,
  PresignOptions,
  ReadableObject,
  StoredObjectInfo,
  WriteOnceMode,
} from './store.js';
