export {
  FakeApi,
  type FakeRequest,
  type Fault,
  OpenApiChecker,
  type ReceivedRequest,
} from '@crosswalk/sandbox';
export {
  type ConformancePolicy,
  type ConformanceRule,
  type ConformanceSubject,
  conformanceRules,
  describeConformance,
  policyRequests,
} from './conformance.js';
export {
  type EndToEndSetup,
  endToEnd,
  expectFirstRun,
  expectNothingNew,
  expectStoredRecord,
  type RunOnceOptions,
  runOnce,
  type StoredRecordRules,
  storedRecords,
  tempLocker,
} from './end-to-end.js';
export {
  type Collected,
  type CollectOptions,
  closedAfterEach,
  collect,
  collectorHarness,
  errorText,
  type LogLine,
  type StartedFake,
} from './harness.js';
