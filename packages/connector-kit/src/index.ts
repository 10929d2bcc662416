export {
  type ErrorHints,
  type HttpFailure,
  httpSourceError,
  networkSourceError,
  SourceError,
  type SourceSaid,
  sourceCodeOf,
  sourceStatusOf,
} from './errors.js';
export {
  type EventLogProgress,
  type EventPagesOptions,
  emitEventPages,
  type ProgressContext,
  progressCursorSchema,
  saveProgress,
} from './event-log.js';
export {
  abortableSleep,
  DEFAULT_REQUEST_POLICY,
  type HttpAnswer,
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type RequestPolicy,
  readAnswer,
} from './http.js';
export { parseLinkHeader } from './link.js';
export { type PageSource, type PaginateOptions, type Paginator, paginate, pick } from './paginate.js';
export { provenancePath, RequestRecorder } from './provenance.js';
export {
  type BodyLimit,
  bodyLimit,
  budgetExhausted,
  githubRateLimitRule,
  isLimited,
  jiraRateLimitRule,
  MIN_RATE_LIMIT_WAIT_MS,
  oktaRateLimitRule,
  type RateLimitRule,
  rateLimitWaitMs,
  readsBody,
  retryAfterRule,
} from './rate-limit.js';
export { COMMON_CREDENTIAL_PATTERNS, createRedactor, type Redactor } from './redact.js';
export { type BoughtToken, renewingToken } from './renewing-token.js';
export {
  type ConnectorConfigReader,
  connectorConfig,
  controlOwnerField,
  type PolicySettings,
  parseConnectorConfig,
  type RequestFieldDefaults,
  requestPolicyFields,
  requestPolicyOf,
  withRetryBaseDelay,
} from './request-settings.js';
export {
  changeOwners,
  diffDigests,
  type EntityDigest,
  fieldDigests,
  laterChange,
  mergeChanges,
  nextSnapshotCursor,
  type PolicyChange,
  previousSnapshot,
  type SnapshotChange,
  type SnapshotCursor,
  type SnapshotState,
  snapshotCursorSchema,
  snapshotStateSchema,
} from './snapshot-diff.js';
export {
  type DiffedSnapshot,
  emitDiffedSnapshot,
  type SincePrevious,
  type SnapshotContext,
} from './snapshot-emit.js';
export {
  booleanOrNull,
  looksLikeEmail,
  numberOrNull,
  optionalSourceTime,
  personFrom,
  samePerson,
  snapshotDay,
  sourceTime,
  stringOrNull,
} from './source-data.js';
