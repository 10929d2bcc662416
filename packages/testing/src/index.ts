export { redisTestUrl } from './redis.js';
export {
  createTestBucket,
  deleteTestBucket,
  type S3TestConfig,
  s3LockerSettings,
  s3ServiceVars,
  s3TestClient,
  s3TestConfig,
} from './s3.js';
