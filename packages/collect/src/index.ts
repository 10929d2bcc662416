export type { RunProgress } from './progress.js';
export {
  findUnvouched,
  type RecoverOptions,
  type RecoverResult,
  recoverUnvouched,
  type UnvouchedOptions,
  type UnvouchedRecord,
} from './recover.js';
export { redact } from './redact.js';
export { parseConnectorConfig, type RunOptions, runConnector } from './run.js';
export { assertWindow, DEFAULT_FIRST_LOOKBACK_DAYS, DEFAULT_OVERLAP_MS, defaultWindow } from './window.js';
