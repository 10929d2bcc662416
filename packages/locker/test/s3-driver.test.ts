import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { sealRecord, serializeRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { createTestBucket, s3LockerSettings, s3TestClient, s3TestConfig } from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Locker,
  type ObjectStore,
  parseLockerConfig,
  type S3LockerConfig,
  S3ObjectStore,
} from '../src/index.js';
import { lockerContract, type TamperHooks } from './contract.js';
import { runDraft } from './fixtures.js';

// Real S3 (Ceph RGW in CI; MinIO through testcontainers where Docker runs). Undefined only off CI with neither.
const s3 = await s3TestConfig();

const lockerConfig = (bucket: string, extra: Partial<S3LockerConfig> = {}): S3LockerConfig =>
  parseLockerConfig({ ...s3LockerSettings(s3!, bucket), ...extra }) as S3LockerConfig;

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

  // The storage the README recommends: Object Lock (hence versioning). Ceph RGW ignores If-None-Match there.
  lockerContract(
    'S3 Object Lock',
    async () =>
      new S3ObjectStore(lockerConfig(lockedBucket, { prefix: `t-${randomBytes(6).toString('hex')}` })),
    versionedTampering(() => lockedBucket),
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

  describe('write-once on a versioned bucket', () => {
    const client = s3 ? s3TestClient(s3) : undefined;
    afterAll(() => client?.destroy());
    const fresh = (b: string) =>
      new S3ObjectStore(lockerConfig(b, { prefix: `w-${randomBytes(6).toString('hex')}` }));
    const text = (data: Uint8Array | undefined) => (data ? Buffer.from(data).toString('utf8') : undefined);

    it('finds out by a probe that leaves nothing behind: conditional on a plain bucket, first version wins on Object Lock', async () => {
      const plain = fresh(bucket);
      const locked = fresh(lockedBucket);
      expect(await plain.writeOnceMode()).toBe('conditional');
      expect(await locked.writeOnceMode()).toBe('first-version');
      for (const store of [plain, locked]) {
        const left: string[] = [];
        for await (const o of store.list('')) left.push(o.key);
        expect(left).toEqual([]);
      }
    });

    it('also on a bucket with versioning but no Object Lock', async () => {
      const versioned = await createTestBucket(s3!);
      await client!.send(
        new PutBucketVersioningCommand({
          Bucket: versioned,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
      const store = fresh(versioned);
      expect(await store.writeOnceMode()).toBe('first-version');
      expect(await store.createOnce('evidence/x.json', Buffer.from('first'))).toBe('created');
      expect(await store.createOnce('evidence/x.json', Buffer.from('second'))).toBe('exists');
      expect(text(await store.get('evidence/x.json'))).toBe('first');
    });

    it('keeps write-once on a bucket whose versioning was suspended (RGW enforces If-None-Match there)', async () => {
      const suspended = await createTestBucket(s3!);
      for (const Status of ['Enabled', 'Suspended'] as const) {
        await client!.send(
          new PutBucketVersioningCommand({ Bucket: suspended, VersioningConfiguration: { Status } }),
        );
      }
      const store = fresh(suspended);
      expect(await store.writeOnceMode()).toBe('conditional');
      expect(await store.createOnce('evidence/y.json', Buffer.from('first'))).toBe('created');
      expect(await store.createOnce('evidence/y.json', Buffer.from('second'))).toBe('exists');
      expect(text(await store.get('evidence/y.json'))).toBe('first');
      const listed: string[] = [];
      for await (const o of store.list('evidence/')) listed.push(o.key);
      expect(listed).toEqual(['evidence/y.json']);
    });

    it('refuses, naming the bucket, where the server ignores conditional writes and nothing keeps versions', async () => {
      // A server that ignores If-None-Match (as RGW does on versioned buckets, and older S3 servers everywhere),
      // played by our Ceph with the header taken off every request before it is signed.
      const ignoring = s3TestClient(s3!);
      ignoring.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) delete request.headers['if-none-match'];
          return next(args);
        },
        { step: 'build', name: 'dropIfNoneMatch' },
      );
      try {
        const store = new S3ObjectStore(
          lockerConfig(bucket, { prefix: `u-${randomBytes(6).toString('hex')}` }),
          ignoring,
        );
        const locker = new Locker(store);
        const record = sealRecord(pullRequestDraft(), '2026-03-11T00:00:00.000Z');
        const error: unknown = await locker.records.put(record).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: 'CW_LOCKER_UNSUPPORTED',
          message: expect.stringMatching(new RegExp(`${bucket}.*ignores conditional writes.*versioning`)),
        });
        // Found out before writing evidence: nothing under the prefix at all, the probe included.
        const left: string[] = [];
        for await (const o of store.list('')) left.push(o.key);
        expect(left).toEqual([]);
      } finally {
        ignoring.destroy();
      }
    });

    it('records.put twice with other bytes for one id on Object Lock: the first stays, every read returns it verified', async () => {
      const store = fresh(lockedBucket);
      const locker = new Locker(store, { retentionDays: 1 });
      const first = sealRecord(pullRequestDraft({ ref: 'acme/api#7' }), '2026-03-11T00:00:00.000Z');
      const rerun = sealRecord(
        { ...pullRequestDraft({ ref: 'acme/api#7' }), collectedAt: '2026-03-12T00:00:00.000Z' },
        '2026-03-12T00:00:01.000Z',
      );
      expect(rerun.id).toBe(first.id);
      expect(rerun.sha256).not.toBe(first.sha256);
      const stored = await locker.records.put(first);
      expect(stored.status).toBe('stored');
      expect(await locker.records.put(rerun)).toEqual({ status: 'duplicate', key: stored.key });
      expect((await locker.records.getById(first.id)).sha256).toBe(first.sha256);
      const range = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
      const listed: string[] = [];
      for await (const r of locker.records.list(first.kind, range)) listed.push(r.sha256);
      expect(listed).toEqual([first.sha256]);
      // The bucket holds exactly one version: the duplicate never reached it.
      const versions = await client!.send(
        new ListObjectVersionsCommand({ Bucket: lockedBucket, Prefix: store.objectKey(stored.key) }),
      );
      expect(versions.Versions).toHaveLength(1);
    });

    it('reads the first write when a bucket already holds later versions (written by an older locker) or a delete marker', async () => {
      const store = fresh(lockedBucket);
      const locker = new Locker(store);
      const first = sealRecord(pullRequestDraft({ ref: 'acme/api#8' }), '2026-03-11T00:00:00.000Z');
      const rerun = sealRecord(
        { ...pullRequestDraft({ ref: 'acme/api#8' }), collectedAt: '2026-03-12T00:00:00.000Z' },
        '2026-03-12T00:00:01.000Z',
      );
      const { key } = await locker.records.put(first);
      const objectKey = store.objectKey(key);
      // What the old driver did on RGW: a second PUT with If-None-Match that RGW let through.
      await client!.send(
        new PutObjectCommand({
          Bucket: lockedBucket,
          Key: objectKey,
          Body: serializeRecord(rerun),
          IfNoneMatch: '*',
        }),
      );
      const plainGet = await client!.send(new GetObjectCommand({ Bucket: lockedBucket, Key: objectKey }));
      expect(await plainGet.Body!.transformToString()).toBe(serializeRecord(rerun));
      expect((await locker.records.get(key)).sha256).toBe(first.sha256);
      // A delete marker hides the key from plain GETs and listings; the first version is still the record.
      await client!.send(new DeleteObjectCommand({ Bucket: lockedBucket, Key: objectKey }));
      expect((await locker.records.get(key)).sha256).toBe(first.sha256);
      const range = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
      const listed: string[] = [];
      for await (const r of locker.records.list(first.kind, range)) listed.push(r.sha256);
      expect(listed).toEqual([first.sha256]);
      expect(await locker.records.put(rerun)).toEqual({ status: 'duplicate', key });
      expect((await locker.records.get(key)).sha256).toBe(first.sha256);
    });

    it('lists each key once, as its first write, when its versions run over page boundaries', async () => {
      const store = fresh(lockedBucket);
      const keysWritten = ['evidence/k/a.json', 'evidence/k/b.json', 'evidence/k/c.json'];
      for (const key of keysWritten) {
        for (const n of [1, 2, 3]) {
          await client!.send(
            new PutObjectCommand({ Bucket: lockedBucket, Key: store.objectKey(key), Body: `${key} v${n}` }),
          );
        }
      }
      for (const pageSize of [1, 2, 4, 1000]) {
        const listed: string[] = [];
        for await (const o of store.list('evidence/k/', { pageSize })) {
          listed.push(`${o.key}=${text(await store.get(o.key, { versionId: o.versionId! }))}`);
        }
        expect(listed).toEqual(keysWritten.map((key) => `${key}=${key} v1`));
      }
      const after: string[] = [];
      for await (const o of store.list('evidence/k/', { startAfter: 'evidence/k/a.json', pageSize: 2 }))
        after.push(o.key);
      expect(after).toEqual(keysWritten.slice(1));
    });

    it('keeps mutable objects as their latest write, and gone once deleted', async () => {
      const store = fresh(lockedBucket);
      const locker = new Locker(store);
      await locker.configs.put('github-acme', { v: 1 });
      await locker.configs.put('github-acme', { v: 2 });
      expect(await locker.configs.get('github-acme')).toEqual({ v: 2 });
      await store.put('anything/mutable.json', Buffer.from('1'));
      await store.put('anything/mutable.json', Buffer.from('2'));
      expect(text(await store.get('anything/mutable.json'))).toBe('2');
      await locker.configs.delete('github-acme');
      expect(await locker.configs.get('github-acme')).toBeUndefined();
      const ids: string[] = [];
      for await (const id of locker.configs.ids()) ids.push(id);
      expect(ids).toEqual([]);
    });

    it("keeps no version of a run's staged manifest once the manifest is written", async () => {
      const store = fresh(lockedBucket);
      const locker = new Locker(store);
      const draft = (n: number) =>
        runDraft({
          runId: `run-${n}`,
          startedAt: `2026-03-0${n}T00:00:00.000Z`,
          finishedAt: `2026-03-0${n}T00:05:00.000Z`,
        });
      await Promise.all([1, 2, 3].map((n) => locker.runs.append(draft(n))));
      expect((await locker.runs.verifyChain('github-acme')).ok).toBe(true);
      const left = await client!.send(
        new ListObjectVersionsCommand({ Bucket: lockedBucket, Prefix: store.objectKey('staging/') }),
      );
      expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])].map((v) => v.Key)).toEqual([]);
    });

    it('signs download URLs for the first version of a write-once key', async () => {
      const store = fresh(lockedBucket);
      await store.createOnce('exports/e3/bundle.zip', Buffer.from('first bundle'));
      await client!.send(
        new PutObjectCommand({
          Bucket: lockedBucket,
          Key: store.objectKey('exports/e3/bundle.zip'),
          Body: 'later bundle',
        }),
      );
      const url = await store.presignedGetUrl('exports/e3/bundle.zip', { expiresInSeconds: 60 });
      expect(await (await fetch(url)).text()).toBe('first bundle');
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

/**
 * Tampering with a versioned bucket as someone holding its credentials would: remove every version of the key
 * (possible where no retention holds it), then write the replacement. A plain delete or put would leave the
 * first write in place, and the locker would rightly go on reading it.
 */
function versionedTampering(bucketOf: () => string): TamperHooks {
  const withClient = async (work: (client: S3Client) => Promise<void>) => {
    const client = s3TestClient(s3!);
    try {
      await work(client);
    } finally {
      client.destroy();
    }
  };
  const destroy = (store: ObjectStore, key: string) =>
    withClient(async (client) => {
      const objectKey = (store as S3ObjectStore).objectKey(key);
      const page = await client.send(
        new ListObjectVersionsCommand({ Bucket: bucketOf(), Prefix: objectKey }),
      );
      for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        if (v.Key !== objectKey) continue;
        await client.send(
          new DeleteObjectCommand({ Bucket: bucketOf(), Key: objectKey, VersionId: v.VersionId }),
        );
      }
    });
  return {
    destroy,
    async replace(store, key, bytes) {
      await destroy(store, key);
      await store.put(key, bytes);
    },
  };
}
