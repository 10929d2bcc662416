export {
  type BuildExportOptions,
  buildExport,
  type ExportProgress,
  type ExportResult,
  evidencePath,
  exportKey,
  exportToFile,
  MEMBERSHIP_RULE,
  POPULATION_COLUMNS,
  runPath,
} from './build.js';
export { CsvParser, csvLine, parseCsv } from './csv.js';
export { CURRENCY_COLUMNS } from './current.js';
export {
  type ExportFailureRecord,
  type ExportIdempotencyRecord,
  ExportLedger,
  type ExportRequestRecord,
  type ExportResultRecord,
  exportFailureSchema,
  exportIdempotencySchema,
  exportRequestRecordSchema,
  exportResultSchema,
  type LedgerEntry,
  newExportId,
  requestFingerprint,
  resultOf,
} from './ledger.js';
export { type ExportManifest, FILE_NAMES, MANIFEST_FORMAT, manifestSchema } from './manifest.js';
export {
  defaultSigningKeyPath,
  type LoadedSigningKey,
  type LoadSigningKeyOptions,
  loadSigningKey,
  normalizeFingerprint,
  publicKeyFingerprint,
  type SigningKey,
  signingKeyFromPem,
} from './signing.js';
export { EXPORT_JOB_DIR_PREFIX, type StoreExportOptions, storeExport } from './store-export.js';
export {
  type VerifyCheck,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  verifyBundle,
} from './verify/index.js';
