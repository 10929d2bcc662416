import { connect } from 'node:net';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBucket,
  deleteTestBucket,
  redisTestUrl,
  s3TestClient,
  s3TestConfig,
} from '../src/index.js';

// These checks pin down the server properties the evidence store relies on, so that a fake S3 (one that
// silently overwrites, or ignores retention) fails here rather than in the locker's suite.
const s3 = await s3TestConfig();
const redisUrl = await redisTestUrl();

/** The HTTP status an S3 call failed with. */
async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
    throw err;
  }
}

describe.skipIf(!s3)('the S3 test server', () => {
  let client: S3Client;
  let bucket: string;

  beforeAll(async () => {
    client = s3TestClient(s3!);
    bucket = await createTestBucket(s3!);
  });
  afterAll(async () => {
    await deleteTestBucket(s3!, bucket);
    client.destroy();
  });

  it('returns the bytes that were put', async () => {
    const body = 'evidence: {"control":"CC6.1"}';
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'round/trip.json', Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'round/trip.json' }));
    expect(await got.Body!.transformToString()).toBe(body);
  });

  it('rejects a conditional put on an existing key with 412', async () => {
    const put = (Body: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'once.txt', Body, IfNoneMatch: '*' }));
    await put('first');
    expect(await statusOf(put('second'))).toBe(412);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'once.txt' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('lists keys after StartAfter, in order', async () => {
    for (const key of ['list/a', 'list/b', 'list/c', 'list/d']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'list/', StartAfter: 'list/b', MaxKeys: 1 }),
    );
    expect(page.Contents?.map((o) => o.Key)).toEqual(['list/c']);
    expect(page.IsTruncated).toBe(true);
    const rest = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'list/',
        ContinuationToken: page.NextContinuationToken,
      }),
    );
    expect(rest.Contents?.map((o) => o.Key)).toEqual(['list/d']);
  });

  describe('when the bucket has Object Lock', () => {
    let locked: string;
    beforeAll(async () => {
      locked = await createTestBucket(s3!, { objectLock: true });
    });
    afterAll(() => deleteTestBucket(s3!, locked));

    it('refuses to delete a version under COMPLIANCE retention', async () => {
      // One day: the shortest retention S3 accepts in days, so a real server frees it soon.
      const put = await client.send(
        new PutObjectCommand({
          Bucket: locked,
          Key: 'retained.json',
          Body: '{}',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + 24 * 3600 * 1000),
        }),
      );
      expect(put.VersionId).toBeTruthy();
      const remove = client.send(
        new DeleteObjectCommand({ Bucket: locked, Key: 'retained.json', VersionId: put.VersionId }),
      );
      expect(await statusOf(remove)).toBe(403);
      const got = await client.send(
        new GetObjectCommand({ Bucket: locked, Key: 'retained.json', VersionId: put.VersionId }),
      );
      expect(got.ObjectLockMode).toBe('COMPLIANCE');
    });
  });
});

/** Sends one inline command and resolves with the first reply line. */
function redisCommand(url: string, command: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) }, () =>
      socket.write(`${command}\r\n`),
    );
    socket.setTimeout(5_000, () => socket.destroy(new Error('Redis did not answer within 5 s')));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().trimEnd());
    });
    socket.once('error', reject);
  });
}

describe.skipIf(!redisUrl)('the Redis test server', () => {
  it('answers PING', async () => {
    expect(await redisCommand(redisUrl!, 'PING')).toBe('+PONG');
  });
});
