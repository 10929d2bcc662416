import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectRetentionCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { createTestBucket, s3TestClient, s3TestConfig } from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Locker, parseLockerConfig, type S3LockerConfig, S3ObjectStore } from '../src/index.js';
import { lockerContract } from './contract.js';

// Real S3 (Ceph RGW in CI; MinIO through testcontainers where Docker runs). Undefined only off CI with neither.
const s3 = await s3TestConfig();

const lockerConfig = (bucket: string, extra: Partial<S3LockerConfig> = {}): S3LockerConfig =>
  parseLockerConfig({
    driver: 's3',
    bucket,
    endpoint: s3!.endpoint,
    region: s3!.region,
    forcePathStyle: s3!.forcePathStyle,
    accessKeyId: s3!.accessKeyId,
    secretAccessKey: s3!.secretAccessKey,
    ...extra,
  }) as S3LockerConfig;

describe.skipIf(!s3)('the S3 driver', () => {
  let bucket: string;
  let lockedBucket: string;

  beforeAll(async () => {
    bucket = await createTestBucket(s3!);
    lockedBucket = await createTestBucket(s3!, { objectLock: true });
  });

  // Each test gets its own prefix in one bucket: isolated like a fresh bucket, without paying for one.
  lockerContract(
    'S3',
    async () => new S3ObjectStore(lockerConfig(bucket, { prefix: `t-${randomBytes(6).toString('hex')}` })),
  );

  describe('Object Lock', () => {
    const client = s3 ? s3TestClient(s3) : undefined;
    afterAll(() => client?.destroy());

    it('puts COMPLIANCE retention on records when the bucket has Object Lock', async () => {
      const store = new S3ObjectStore(lockerConfig(lockedBucket, { prefix: 'retained' }));
      const locker = new Locker(store, { retentionDays: 1 });
      expect(await locker.retentionStatus()).toBe('enforced');
      const record = sealRecord(pullRequestDraft(), '2026-03-11T00:00:00.000Z');
      const { key } = await locker.records.put(record);
      const retention = await client!.send(
        new GetObjectRetentionCommand({ Bucket: lockedBucket, Key: store.objectKey(key) }),
      );
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
      const head = await client!.send(
        new HeadObjectCommand({ Bucket: lockedBucket, Key: store.objectKey(key) }),
      );
      await expect(
        client!.send(
          new DeleteObjectCommand({
            Bucket: lockedBucket,
            Key: store.objectKey(key),
            VersionId: head.VersionId,
          }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      expect((await locker.records.get(key)).sha256).toBe(record.sha256);
    });

    it('reports retention as unsupported on a bucket without Object Lock', async () => {
      const warnings: string[] = [];
      const locker = new Locker(new S3ObjectStore(lockerConfig(bucket, { prefix: 'unlocked' })), {
        retentionDays: 1,
        onWarning: (m) => warnings.push(m),
      });
      expect(await locker.retentionStatus()).toBe('unsupported');
      expect(warnings).toHaveLength(1);
    });
  });

  describe('presigned downloads', () => {
    it('signs a URL that fetches the object without credentials, and expires', async () => {
      const store = new S3ObjectStore(
        lockerConfig(bucket, { prefix: `p-${randomBytes(4).toString('hex')}` }),
      );
      await store.createOnce('exports/e1/bundle.zip', Buffer.from('zip bytes'));
      const url = await store.presignedGetUrl('exports/e1/bundle.zip', {
        expiresInSeconds: 60,
        fileName: 'crosswalk-e1.zip',
      });
      expect(url).toContain('X-Amz-Expires=60');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="crosswalk-e1.zip"');
      expect(await response.text()).toBe('zip bytes');
      // The same URL with its signature altered is refused: the URL is the credential.
      const forged = url.replace(
        /X-Amz-Signature=([0-9a-f])/,
        (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
      );
      expect((await fetch(forged)).status).toBe(403);
    });
  });

  it('signs download URLs for the public endpoint when people reach the bucket at another address', async () => {
    // localhost and 127.0.0.1 reach the same server by different names, as minio:9000 and localhost:9000 do.
    const publicEndpoint = s3!.endpoint.replace('127.0.0.1', 'localhost');
    expect(publicEndpoint).not.toBe(s3!.endpoint);
    const store = new S3ObjectStore(
      lockerConfig(bucket, { prefix: `pub-${randomBytes(4).toString('hex')}`, publicEndpoint }),
    );
    await store.createOnce('exports/e2/bundle.zip', Buffer.from('public bytes'));
    const url = await store.presignedGetUrl('exports/e2/bundle.zip', { expiresInSeconds: 60 });
    expect(url.startsWith(publicEndpoint)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('public bytes');
  });

  describe('when S3 cannot be used', () => {
    it('names a missing bucket', async () => {
      const store = new S3ObjectStore(lockerConfig('cw-no-such-bucket-7f3a'));
      await expect(store.ping()).rejects.toMatchObject({
        code: 'CW_CONFIG_INVALID',
        message: expect.stringContaining('cw-no-such-bucket-7f3a'),
      });
    });

    it('reports rejected credentials without echoing the secret', async () => {
      const store = new S3ObjectStore(
        lockerConfig(bucket, { secretAccessKey: 'not-the-secret-123', maxAttempts: 1 }),
      );
      const error: unknown = await store.get('x.json').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CW_LOCKER_DENIED' });
      expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain('not-the-secret-123');
    });

    it('reports an unreachable endpoint as unavailable (retryable)', async () => {
      const store = new S3ObjectStore(
        lockerConfig(bucket, { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
      );
      await expect(store.ping()).rejects.toMatchObject({ code: 'CW_LOCKER_UNAVAILABLE', retryable: true });
    });
  });
});
