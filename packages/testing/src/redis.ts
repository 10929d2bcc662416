import { dockerAvailable, orFailInCi, startContainer } from './containers.js';

const REDIS_IMAGE = 'redis:7.2-alpine';

let cached: Promise<string | undefined> | undefined;

/**
 * The Redis for integration tests: `REDIS_URL` (as printed by `scripts/services/start.sh`); else a Redis
 * container when a Docker engine is reachable; else `undefined`, so the suite can skip. Under `CI=true` the
 * last case throws instead. The result is shared by every caller in the process.
 */
export function redisTestUrl(): Promise<string | undefined> {
  cached ??= resolveRedis().then((url) => orFailInCi(url, 'Redis'));
  return cached;
}

async function resolveRedis(): Promise<string | undefined> {
  if (process.env['REDIS_URL']) return process.env['REDIS_URL'];
  if (!(await dockerAvailable())) return undefined;
  const redis = await startContainer(REDIS_IMAGE, 6379, (c, wait) =>
    c.withWaitStrategy(wait.forLogMessage('Ready to accept connections')),
  );
  return `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
}
