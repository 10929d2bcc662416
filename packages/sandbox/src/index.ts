export { FakeApi, type FakeRequest, type Fault, type ReceivedRequest } from './fake-api.js';
export { convertNullable, OpenApiChecker, qualifyRefs } from './openapi.js';
