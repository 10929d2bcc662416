export { FakeApi, type FakeRequest, type Fault, matchTemplate, type ReceivedRequest } from './fake-api.js';
export { convertNullable, OpenApiChecker, qualifyRefs } from './openapi.js';
export { gitBlobId } from './pinned.js';
