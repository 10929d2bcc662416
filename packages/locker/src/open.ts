import type { Clock } from '@crosswalk/core';
import type { LockerConfig } from './config.js';
import { FsObjectStore } from './fs-store.js';
import { Locker } from './locker.js';
import { S3ObjectStore } from './s3-store.js';
import type { ObjectStore } from './store.js';

export function createObjectStore(config: LockerConfig): ObjectStore {
  return config.driver === 's3' ? new S3ObjectStore(config) : new FsObjectStore(config.root);
}

/** A locker from validated config (see parseLockerConfig / lockerConfigFromEnv). */
export function openLocker(
  config: LockerConfig,
  options: { clock?: Clock; onWarning?: (message: string) => void } = {},
): Locker {
  return new Locker(createObjectStore(config), {
    ...options,
    ...(config.retentionDays === undefined ? {} : { retentionDays: config.retentionDays }),
  });
}
