export {
  type AccountFacts,
  type AccountsDeclaration,
  accountOf,
  type RemovalRequestDeclaration,
  type RemovalRequestFacts,
  type TerminationDeclaration,
  type TerminationFacts,
} from './accounts.js';
export { canonicalJson, canonicalSha256, sha256Hex } from './canonical.js';
export { type Clock, fixedClock, systemClock, toTimestamp } from './clock.js';
export {
  type CollectionWindow,
  type CollectOutcome,
  type CollectorContext,
  type CollectorDefinition,
  type CollectorLogger,
  type ConnectorDefinition,
  collectorCadence,
  defineConnector,
  type EmittedDraft,
  type EvidenceReader,
  RATE_LIMIT_WAIT_EVENT,
  type WebhookDelivery,
  type WebhookOutcome,
} from './connector.js';
export {
  CrosswalkError,
  type CrosswalkErrorOptions,
  type ErrorCode,
  errorCatalog,
  type FieldIssue,
  isCrosswalkError,
} from './errors.js';
export {
  EVIDENCE_ID_PATTERN,
  evidenceDigest,
  evidenceId,
  formatEvidenceId,
  parseEvidenceId,
} from './evidence-id.js';
export { MAX_INSTANT, MIN_INSTANT, parseInstant } from './instant.js';
export {
  type Cadence,
  defineKinds,
  type EvidenceKind,
  type EvidenceKindPayloads,
  evidenceKindIds,
  evidenceKindSchema,
  isEvidenceKind,
  type KindDeclaration,
  kindDeclaration,
  kindsOfCategory,
  type PayloadOf,
  type PayloadsOf,
  type RegisteredKind,
  type RemovalDeclaration,
  type RemovalFacts,
  registerKinds,
  type SupersessionDeclaration,
} from './kinds.js';
export { sourceUnreachable, unresolvedHost } from './network.js';
export { type Person, personSchema } from './person.js';
export {
  type Actor,
  type ControlsRef,
  type EvidenceDraft,
  type EvidenceRecord,
  type Owner,
  type Provenance,
  type ProvenanceRequest,
  parseRecord,
  RECORD_SCHEMA_VERSION,
  recordHash,
  type Source,
  sealRecord,
  serializeRecord,
  type Trigger,
  triggerSchema,
  verifyRecordBytes,
} from './record.js';
export { isSecretSchema, mapSecrets, secret, secretFieldNames, secretValues } from './secret.js';
export {
  type Currency,
  canSupersede,
  resolveCurrent,
  type SupersessionEntry,
  supersessionEntry,
} from './supersession.js';
export { TIMESTAMP_PATTERN, type Timestamp, timestampSchema } from './time.js';
export { type SourceUrlOptions, sourceUrl } from './url.js';
export { VERSION } from './version.js';
export type {
  DeliveryDigest,
  DeliveryLocation,
  WebhookAuthentication,
  WebhookChallengeDeclaration,
  WebhookSenderDeclaration,
} from './webhook-sender.js';
export { zodIssues } from './zod-issues.js';
