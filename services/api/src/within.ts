import { CrosswalkError, type ErrorCode } from '@crosswalk/core';

/**
 * Rejects with `code` after `ms`. BullMQ's Redis connections wait out a Redis restart instead of failing
 * (`maxRetriesPerRequest: null`), which is right for workers; a request or a probe must answer instead.
 */
export function within<T>(promise: Promise<T>, ms: number, code: ErrorCode, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CrosswalkError(code, `${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
