export {
  type ConformancePolicy,
  type ConformanceRule,
  type ConformanceSubject,
  conformanceRules,
  describeConformance,
} from './conformance.js';
export { FakeApi, type FakeRequest, type Fault, type ReceivedRequest } from './fake-api.js';
export { type Collected, type CollectOptions, collect, errorText, type LogLine } from './harness.js';
export { convertNullable, OpenApiChecker, qualifyRefs } from './openapi.js';
