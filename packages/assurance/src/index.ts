export {
  type BundledControlTests,
  type BundleSpool,
  bundleControlTests,
  type ControlTestPlan,
  planControlTests,
} from './bundle.js';
export {
  buildCoverage,
  COVERAGE_COLUMNS,
  type ComputeCoverageOptions,
  type ControlCoverage,
  type ControlStatus,
  type CoverageReport,
  type CoverageTallies,
  compactDays,
  computeCoverage,
  coverageRows,
  FoundTally,
  type KindCoverage,
  type PeriodCoverage,
  RunTally,
  tallyCoverage,
} from './coverage.js';
export { coverageSvg } from './coverage-svg.js';
export { csvLine, csvText } from './csv.js';
export { currencyInWindow, laterEntries } from './currency.js';
export {
  controlTestFiles,
  EXCEPTION_COLUMNS,
  exceptionCsvLines,
  POPULATION_COLUMNS,
  populationCsvLine,
} from './files.js';
export {
  addFlag,
  addFlagAnswer,
  FLAG_COLUMNS,
  type Flag,
  type FlagAnswer,
  type FlagAnswerInput,
  type FlagInput,
  type FlagStatus,
  type FlagThread,
  flagAnswerInputSchema,
  flagAnswerSchema,
  flagConcerns,
  flagInputSchema,
  flagSchema,
  flagsCsv,
  listFlags,
} from './flags.js';
export { type IpePack, type RunSummaries, runSummary, runsListedFrom } from './ipe.js';
export { type ControlMappings, controlMappings, type FrameworkMapping } from './mappings.js';
export { type Period, periodsIn } from './periods.js';
export { type FedRecords, type RecordFeed, supersededAmong } from './population.js';
export { loadRegisterFile, parseRegisterText, starterRegister } from './register/load.js';
export {
  type ControlEntry,
  FREQUENCIES,
  type Frequency,
  parseRegister,
  type Register,
} from './register/schema.js';
export {
  applyRegister,
  listRegisterVersions,
  type RegisterSource,
  type RegisterVersion,
  registerDigest,
  registerFor,
} from './register/versions.js';
export {
  addRemediation,
  exceptionStatus,
  listRemediations,
  parseRemediation,
  REMEDIATIONS_PREFIX,
  type Remediation,
  type RemediationInput,
  remediationControlOf,
  remediationInputSchema,
} from './remediations.js';
export { chainLinkTarget, discoverConnectors, parseRunBytes, type RunRead, readRun } from './runs.js';
export {
  DEFAULT_SAMPLE_TABLE,
  drawSample,
  largestSampleSize,
  newSeed,
  parseSampleTable,
  populationHash,
  SAMPLE_METHOD,
  SampleSelector,
  type SampleTable,
  sampleSize,
} from './sample.js';
export {
  type ExportFramework,
  type ExportRequest,
  exportRequestSchema,
  MAX_WINDOW_YEARS,
  outsideLimits,
  parseBound,
  type ResolvedRequest,
  resolveRequest,
  resolveScope,
  resolveWindow,
  type Scope,
  type ScopeControl,
  type ScopeLimits,
  type Window,
} from './scope.js';
export { type SoaRow, soaCsv, statementOfApplicability } from './soa.js';
export {
  type ControlTestResult,
  type ExceptionRow,
  type ExceptionSink,
  findRegisterControl,
  type OperationRow,
  type PopulationRow,
  type PopulationSink,
  type TestControlsOptions,
  testControl,
  testControls,
  withRemediations,
  withSeed,
} from './test-control.js';
export { builtinTests } from './tests/builtin.js';
export { type CompletenessProblem, VouchedSet } from './vouched.js';
