import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { dockerAvailable, orFailInCi, startContainer } from './containers.js';

/** Connection settings for the S3-compatible server the integration tests use. */
export interface S3TestConfig {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Ceph RGW and MinIO need path-style URLs (`endpoint/bucket/key`). */
  forcePathStyle: boolean;
}

// Pinned so a new MinIO release can't change what the tests see.
const MINIO_IMAGE = 'minio/minio:RELEASE.2025-05-24T17-08-30Z';

let cached: Promise<S3TestConfig | undefined> | undefined;

/**
 * The S3 server for integration tests: from `S3_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY_ID`,
 * `S3_SECRET_ACCESS_KEY` and `S3_FORCE_PATH_STYLE` (as printed by `scripts/services/start.sh`); else a MinIO
 * container when a Docker engine is reachable; else `undefined`, so the suite can skip. Under `CI=true` the
 * last case throws instead. The result is shared by every caller in the process.
 *
 * @example
 * const s3 = await s3TestConfig();
 * describe.skipIf(!s3)('S3 locker', () => { ... });
 */
export function s3TestConfig(): Promise<S3TestConfig | undefined> {
  cached ??= resolveS3().then((config) => orFailInCi(config, 'S3'));
  return cached;
}

async function resolveS3(): Promise<S3TestConfig | undefined> {
  const env = process.env;
  if (env['S3_ENDPOINT']) {
    const accessKeyId = env['S3_ACCESS_KEY_ID'];
    const secretAccessKey = env['S3_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('S3_ENDPOINT is set but S3_ACCESS_KEY_ID or S3_SECRET_ACCESS_KEY is not');
    }
    return {
      endpoint: env['S3_ENDPOINT'],
      region: env['S3_REGION'] || 'us-east-1',
      accessKeyId,
      secretAccessKey,
      forcePathStyle: env['S3_FORCE_PATH_STYLE'] !== 'false',
    };
  }
  if (!(await dockerAvailable())) return undefined;
  const user = 'crosswalk-test';
  const password = 'crosswalk-test-secret';
  const minio = await startContainer(MINIO_IMAGE, 9000, (c, wait) =>
    c
      .withEnvironment({ MINIO_ROOT_USER: user, MINIO_ROOT_PASSWORD: password })
      .withCommand(['server', '/data'])
      .withWaitStrategy(wait.forHttp('/minio/health/live', 9000)),
  );
  return {
    endpoint: `http://${minio.getHost()}:${minio.getMappedPort(9000)}`,
    region: 'us-east-1',
    accessKeyId: user,
    secretAccessKey: password,
    forcePathStyle: true,
  };
}

/** An S3 client for the test server. The caller owns it (`client.destroy()` when done). */
export function s3TestClient(config: S3TestConfig): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Ceph Pacific has no flexible checksums: with the SDK's default a streamed PutObject gets 411.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * The locker settings (as `crosswalk.yaml` would spell them) that reach `bucket` on the test S3 server. Plain data,
 * so a test parses them with the locker's own config parser and opens the locker as production does.
 */
export function s3LockerSettings(config: S3TestConfig, bucket: string) {
  const { endpoint, region, forcePathStyle, accessKeyId, secretAccessKey } = config;
  return { driver: 's3' as const, bucket, endpoint, region, forcePathStyle, accessKeyId, secretAccessKey };
}

/**
 * The environment variables (`CROSSWALK_S3_*`) that point a service's locker at `bucket` on the test S3 server, as
 * a deployment sets them.
 */
export function s3ServiceVars(config: S3TestConfig, bucket: string): Record<string, string> {
  return {
    CROSSWALK_S3_BUCKET: bucket,
    CROSSWALK_S3_ENDPOINT: config.endpoint,
    CROSSWALK_S3_REGION: config.region,
    CROSSWALK_S3_FORCE_PATH_STYLE: String(config.forcePathStyle),
    CROSSWALK_S3_ACCESS_KEY_ID: config.accessKeyId,
    CROSSWALK_S3_SECRET_ACCESS_KEY: config.secretAccessKey,
  };
}

/**
 * Creates a bucket with a fresh name (`cw-test-<random>`) so tests never see each other's objects.
 *
 * @param options.objectLock - create it with Object Lock enabled (which also turns on versioning).
 * @defaultValue `objectLock: false`
 */
export async function createTestBucket(
  config: S3TestConfig,
  options: { objectLock?: boolean } = {},
): Promise<string> {
  const bucket = `cw-test-${randomBytes(8).toString('hex')}`;
  const client = s3TestClient(config);
  try {
    await client.send(
      new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: options.objectLock ?? false }),
    );
  } finally {
    client.destroy();
  }
  return bucket;
}

/**
 * Removes a test bucket and what it can of its contents. Best effort: versions under GOVERNANCE or
 * COMPLIANCE retention cannot be deleted, and then the bucket stays (on Ceph memstore it goes with the
 * cluster).
 */
export async function deleteTestBucket(config: S3TestConfig, bucket: string): Promise<void> {
  const client = s3TestClient(config);
  try {
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }),
      );
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
        Key: v.Key!,
        VersionId: v.VersionId,
      }));
      if (objects.length > 0) {
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
        );
      }
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch {
    // Locked objects, or a bucket already gone: leaving it is fine for a test server.
  } finally {
    client.destroy();
  }
}
