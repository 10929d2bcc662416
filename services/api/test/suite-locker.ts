/**
 * A locker on a fresh bucket of the test S3 for one describe block, the bucket deleted after it: for suites of the
 * API's caches that talk to a locker and nothing else. Read `.locker` inside tests (it is opened in beforeAll).
 */
import { type Locker, openLocker, parseLockerConfig } from '@crosswalk/locker';
import { createTestBucket, deleteTestBucket, type S3TestConfig, s3LockerSettings } from '@crosswalk/testing';
import { afterAll, beforeAll } from 'vitest';

export function suiteLocker(s3: S3TestConfig | undefined): { readonly locker: Locker } {
  let bucket: string | undefined;
  let locker: Locker | undefined;
  beforeAll(async () => {
    bucket = await createTestBucket(s3!);
    locker = openLocker(parseLockerConfig(s3LockerSettings(s3!, bucket)));
  });
  afterAll(async () => {
    if (bucket) await deleteTestBucket(s3!, bucket);
  });
  return {
    get locker() {
      if (!locker) throw new Error('the suite locker is opened in beforeAll');
      return locker;
    },
  };
}
