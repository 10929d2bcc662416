import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CrosswalkError } from '@crosswalk/core';
import type { S3LockerConfig } from './config.js';
import { isMutableKey, isTransientKey } from './keys.js';
import { PROBE_PREFIX } from './probes.js';
import { keyVersions } from './s3-versions.js';
import type {
  CreateOnceOptions,
  ListOptions,
  ObjectStore,
  PresignOptions,
  ReadableObject,
  StoredObjectInfo,
  WriteOnceMode,
} from './store.js';

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The largest object one PutObject may carry (S3's limit); bundles are far below it. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/**
 * User metadata on objects written by `put`: on a versioned bucket a mutable object reads as its latest version,
 * a write-once one as its first, and this tells them apart for keys `isMutableKey` does not name.
 */
const MUTABLE_META = 'crosswalk-mutable';

/**
 * The S3 driver: AWS S3, MinIO and Ceph RGW alike. Write-once is `If-None-Match: *`, which the server enforces
 * atomically (412 when the key exists) on AWS, MinIO, and RGW's unversioned buckets. RGW (Pacific) ignores it on
 * versioned buckets, Object Lock ones included: a second PUT adds a version and plain GETs return it. So before
 * the first write-once write a probe (under `probe/`) finds out which holds, and on a versioned bucket that ignores
 * conditional writes the store runs "first version wins": it skips a PUT when the key exists, decides a write's
 * outcome from the key's version list afterwards, and reads write-once keys as their oldest version. On a
 * versioned bucket reads resolve to the first version whatever the probe found, so a delete marker or a later
 * version never stands in for what was first written. Unversioned and ignoring: refused (CW_LOCKER_UNSUPPORTED).
 *
 * Checksums are computed only when an operation requires them, because RGW (Pacific) rejects the SDK's default
 * streaming checksums; Object Lock writes carry Content-MD5, which S3 requires for them.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private retention: Promise<boolean> | undefined;
  private versioning: Promise<boolean> | undefined;
  private mode: Promise<WriteOnceMode> | undefined;
  /** Signs download URLs for the public endpoint; the service's own client when there is none. */
  private readonly presigner: S3Client;

  constructor(config: S3LockerConfig, client?: S3Client) {
    this.bucket = config.bucket;
    this.prefix = config.prefix ? `${config.prefix.replace(/\/+$/, '')}/` : '';
    this.location = `s3://${config.bucket}/${this.prefix}`;
    this.client =
      client ??
      new S3Client({
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        forcePathStyle: config.forcePathStyle,
        ...(config.accessKeyId && config.secretAccessKey
          ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
          : {}),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: config.maxAttempts,
        // Without timeouts a request to an endpoint that accepts connections and never answers hangs forever,
        // and a worker job holding it keeps renewing its lock instead of failing into a retry.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
        // The SDK logs nothing by default, except that a failed streamed upload (a 412 for a bundle that exists,
        // which is an answer, not a fault) goes to console.warn when no logger is set. Errors reach us as throws.
        logger: SILENT,
      });
    // Signing is local, but the host is part of what is signed: a URL for another address needs a client of its own.
    this.presigner =
      config.publicEndpoint && config.publicEndpoint !== config.endpoint
        ? new S3Client({
            region: config.region,
            endpoint: config.publicEndpoint,
            forcePathStyle: config.forcePathStyle,
            ...(config.accessKeyId && config.secretAccessKey
              ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } }
              : {}),
            logger: SILENT,
          })
        : this.client;
  }

  /** The SDK client, for callers that need a presigned URL of a stored object. */
  get s3(): S3Client {
    return this.client;
  }

  objectKey(key: string): string {
    return this.prefix + key;
  }

  async createOnce(
    key: string,
    body: Uint8Array,
    options: CreateOnceOptions = {},
  ): Promise<'created' | 'exists'> {
    return this.writeOnce(key, {
      Body: body,
      ContentLength: body.byteLength,
      ContentType: 'application/json',
      // S3 requires an integrity header on Object Lock writes. Elsewhere the record's own SHA-256,
      // checked on every read, is the integrity proof, and skipping MD5 spares the server a pass.
      ...(options.retainUntil
        ? {
            ObjectLockMode: 'COMPLIANCE',
            ObjectLockRetainUntilDate: options.retainUntil,
            ContentMD5: md5(body),
          }
        : {}),
    });
  }

  /**
   * One write-once PUT. Conditional mode: `If-None-Match: *` decides (412: the key exists; 409: a concurrent
   * conditional write to it won). First-version mode: a HEAD skips the PUT when the key has a current version.
   * On a versioned bucket, after the PUT the key's version list decides: ours is the oldest, or the write lost
   * and is reported as `exists` (and its version removed where retention allows).
   */
  private async writeOnce(key: string, input: Omit<PutObjectCommandInput, 'Bucket' | 'Key'>) {
    const mode = await this.writeOnceMode();
    if (mode === 'first-version' && (await this.exists(key))) return 'exists';
    let versionId: string | undefined;
    try {
      const response = await this.client.send(
        new PutObjectCommand({ ...input, Bucket: this.bucket, Key: this.objectKey(key), IfNoneMatch: '*' }),
      );
      versionId = response.VersionId;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) return 'exists';
      throw this.translate(error, key);
    }
    // On a versioned bucket even an enforced If-None-Match lets a write through after a delete marker (AWS,
    // MinIO): the first version still stands, and the version list says whether this write was it.
    // (No version id, or the `null` one of a bucket whose versioning is suspended: this write is the only one.)
    if (
      mode === 'conditional' &&
      (versionId === undefined || versionId === 'null' || !(await this.isVersioned()))
    )
      return 'created';
    const oldest = (await this.versionsOf(key))?.oldest;
    if (versionId !== undefined && oldest?.versionId === versionId) return 'created';
    if (versionId !== undefined) {
      // Tidy where the bucket lets us; under retention the losing version stays, and reads never return it.
      await this.client
        .send(
          new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), VersionId: versionId }),
        )
        .catch(() => {});
    }
    return 'exists';
  }

  /** Whether `key` has a current version (HEAD); a delete marker counts as absent. */
  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404 && codeOf(error) !== 'NoSuchBucket') return false;
      throw this.translate(error, key);
    }
  }

  async createFromFileOnce(key: string, file: string, contentType: string): Promise<'created' | 'exists'> {
    const { size } = await stat(file);
    if (size > MAX_SINGLE_PUT_BYTES) {
      throw new CrosswalkError(
        'CW_INPUT_INVALID',
        `${file} is ${size} bytes, over the 5 GiB one S3 PUT may carry: export a shorter period or fewer controls`,
        { where: key },
      );
    }
    return this.writeOnce(key, {
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: contentType,
    });
  }

  async openRead(key: string): Promise<ReadableObject | undefined> {
    const response = await this.read(key);
    if (!response) return undefined;
    const body = response.Body;
    if (!(body instanceof Readable)) {
      throw new CrosswalkError('CW_INTERNAL', `S3 answered ${key} without a readable body`, { where: key });
    }
    return { body, size: response.ContentLength ?? 0 };
  }

  async presignedGetUrl(key: string, options: PresignOptions): Promise<string> {
    // Signing is local (no request): it cannot fail for a missing object, so callers check existence first. On a
    // versioned bucket the URL names the first version, so a later write to the key cannot change the download.
    const versionId =
      !isMutableKey(key) && (await this.isVersioned())
        ? (await this.versionsOf(key))?.oldest?.versionId
        : undefined;
    return getSignedUrl(
      this.presigner,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ...(versionId ? { VersionId: versionId } : {}),
        ...(options.fileName
          ? {
              ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/["\\]/g, '_')}"`,
            }
          : {}),
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: body,
          ContentLength: body.byteLength,
          ContentType: 'application/json',
          Metadata: { [MUTABLE_META]: 'true' },
        }),
      );
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async get(key: string, options: { versionId?: string } = {}): Promise<Uint8Array | undefined> {
    const response = await this.read(key, options.versionId);
    return response ? await response.Body!.transformToByteArray() : undefined;
  }

  /**
   * The GetObject response (body unread) for what `key` holds: the given version; else on an unversioned bucket,
   * or for a mutable key, the current object; else the first write. That is the oldest version unless it was
   * written by `put` (a mutable object under a key `isMutableKey` does not name), whose current version counts.
   */
  private async read(key: string, versionId?: string): Promise<GetObjectCommandOutput | undefined> {
    if (versionId !== undefined) return this.getObject(key, versionId);
    if (isMutableKey(key) || !(await this.isVersioned())) return this.getObject(key);
    const versions = await this.versionsOf(key);
    if (!versions?.oldest) return undefined;
    const first = await this.getObject(key, versions.oldest.versionId);
    if (first?.Metadata?.[MUTABLE_META] !== 'true' || (versions.count === 1 && !versions.latest.deleted))
      return first;
    first.Body?.transformToByteArray().catch(() => {});
    return versions.latest.deleted ? undefined : this.getObject(key, versions.latest.versionId);
  }

  private async getObject(key: string, versionId?: string): Promise<GetObjectCommandOutput | undefined> {
    try {
      return await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(versionId ? { VersionId: versionId } : {}),
        }),
      );
    } catch (error) {
      if (statusOf(error) === 404 && codeOf(error) !== 'NoSuchBucket') return undefined;
      throw this.translate(error, key);
    }
  }

  /** The versions of exactly `key`; undefined when it has none (not even a delete marker). */
  private async versionsOf(key: string) {
    const objectKey = this.objectKey(key);
    for await (const versions of keyVersions(
      this.client,
      this.bucket,
      objectKey,
      { stopAfter: objectKey },
      (request) => this.wrap(key, request),
    )) {
      if (versions.key === objectKey) return versions;
    }
    return undefined;
  }

  private async wrap<T>(key: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      if (isTransientKey(key) && (await this.isVersioned()) && (await this.purge(key))) return;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  /**
   * Removes every version of a transient key (a run's staged manifest: one per run, as large as the manifest), so
   * a versioned bucket does not keep each as a noncurrent version. False when a version could not be removed
   * (retention): the caller then leaves a delete marker, so the key still reads as gone.
   */
  private async purge(key: string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    const page = await this.client.send(
      new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: objectKey, MaxKeys: 100 }),
    );
    let purged = true;
    for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      if (version.Key !== objectKey || version.VersionId === undefined) continue;
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey, VersionId: version.VersionId }))
        .catch(() => {
          purged = false;
        });
    }
    return purged;
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredObjectInfo> {
    if (await this.isVersioned()) {
      yield* this.listVersioned(prefix, options);
      return;
    }
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.objectKey(prefix),
            ...(options.startAfter ? { StartAfter: this.objectKey(options.startAfter) } : {}),
            ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
            MaxKeys: Math.min(1000, Math.max(1, Math.ceil(options.pageSize ?? 1000))),
          }),
        );
      } catch (error) {
        throw this.translate(error, prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.prefix.length),
          size: object.Size ?? 0,
          ...(object.ETag ? { etag: object.ETag } : {}),
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  /**
   * A versioned bucket's listing from its version pages (as many requests as ListObjectsV2 while keys have few
   * versions): a write-once key as its first write, with that version's id and size, even behind a delete
   * marker; a mutable key as its current version, and not at all once deleted.
   */
  private async *listVersioned(prefix: string, options: ListOptions): AsyncIterable<StoredObjectInfo> {
    for await (const versions of keyVersions(
      this.client,
      this.bucket,
      this.objectKey(prefix),
      {
        ...(options.startAfter ? { keyMarker: this.objectKey(options.startAfter) } : {}),
        maxKeys: Math.min(1000, Math.max(1, Math.ceil(options.pageSize ?? 1000))),
      },
      (request) => this.wrap(prefix, request),
    )) {
      const key = versions.key.slice(this.prefix.length);
      const { latest, oldest } = versions;
      if (isMutableKey(key)) {
        if (!latest.deleted) yield { key, size: latest.size, ...(latest.etag ? { etag: latest.etag } : {}) };
      } else if (oldest) {
        // The entity tag of the first write: what a reader verified stays what this key is read as.
        yield {
          key,
          size: oldest.size,
          versionId: oldest.versionId,
          ...(oldest.etag ? { etag: oldest.etag } : {}),
        };
      }
    }
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw this.translate(error, '');
    }
  }

  supportsRetention(): Promise<boolean> {
    this.retention ??= this.client
      .send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket }))
      .then((response) => response.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled')
      .catch((error: unknown) => {
        const status = statusOf(error);
        // 404 ObjectLockConfigurationNotFoundError / 400 InvalidRequest: the bucket has no Object Lock.
        if (status === 404 || status === 400) return false;
        this.retention = undefined;
        throw this.translate(error, '');
      });
    return this.retention;
  }

  /** Whether the bucket keeps versions (enabled, or suspended with old ones still there). Asked once. */
  private isVersioned(): Promise<boolean> {
    this.versioning ??= this.client
      .send(new GetBucketVersioningCommand({ Bucket: this.bucket }))
      .then((response) => response.Status === 'Enabled' || response.Status === 'Suspended')
      .catch((error: unknown) => {
        this.versioning = undefined;
        throw this.translate(error, '');
      });
    return this.versioning;
  }

  writeOnceMode(): Promise<WriteOnceMode> {
    this.mode ??= this.probeWriteOnce().catch((error: unknown) => {
      this.mode = undefined;
      throw error;
    });
    return this.mode;
  }

  /**
   * Two conditional PUTs of one fresh key under `probe/` (never listed as evidence): a server that enforces
   * `If-None-Match: *` refuses the second. The probe's versions are removed afterwards where the bucket allows.
   */
  private async probeWriteOnce(): Promise<WriteOnceMode> {
    const versioning = await this.client
      .send(new GetBucketVersioningCommand({ Bucket: this.bucket }))
      .catch((error: unknown) => {
        throw this.translate(error, '');
      });
    const key = `${PROBE_PREFIX}write-once/${new Date().toISOString()}-${randomUUID()}.json`;
    const written: (string | undefined)[] = [];
    const attempt = async (n: number): Promise<'written' | 'refused' | 'unsupported'> => {
      const body = Buffer.from(JSON.stringify({ probe: 'write-once', attempt: n }));
      try {
        const response = await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            Body: body,
            ContentLength: body.byteLength,
            ContentType: 'application/json',
            ContentMD5: md5(body),
            IfNoneMatch: '*',
          }),
        );
        written.push(response.VersionId);
        return 'written';
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 409) return 'refused';
        // A server that rejects the header outright cannot make a create conditional either.
        if (status === 501 || codeOf(error) === 'NotImplemented') return 'unsupported';
        throw this.translate(error, key);
      }
    };
    const first = await attempt(1);
    const second = first === 'written' ? await attempt(2) : first;
    for (const versionId of written) {
      await this.client
        .send(
          new DeleteObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            ...(versionId && versionId !== 'null' ? { VersionId: versionId } : {}),
          }),
        )
        .catch(() => {});
    }
    if (second === 'refused') return 'conditional';
    if (versioning.Status === 'Enabled') return 'first-version';
    throw new CrosswalkError(
      'CW_LOCKER_UNSUPPORTED',
      `S3 bucket "${this.bucket}" cannot keep evidence write-once: the server ${
        second === 'unsupported' ? 'rejects' : 'ignores'
      } conditional writes (If-None-Match: *) and the bucket has no versioning ${
        versioning.Status ? `(${versioning.Status})` : '(never enabled)'
      }, so a second write would replace the first. Enable versioning or Object Lock on the bucket, or use a server that enforces conditional writes. Nothing was written.`,
      { where: this.location },
    );
  }

  private translate(error: unknown, key: string): CrosswalkError {
    if (error instanceof CrosswalkError) return error;
    const where = `${this.location}${key}`;
    const status = statusOf(error);
    const code = codeOf(error);
    if (code === 'NoSuchBucket' || (status === 404 && key === '')) {
      return new CrosswalkError('CW_CONFIG_INVALID', `S3 bucket "${this.bucket}" does not exist`, {
        where,
        cause: error,
      });
    }
    if (
      status === 403 ||
      status === 401 ||
      code === 'InvalidAccessKeyId' ||
      code === 'SignatureDoesNotMatch'
    ) {
      return new CrosswalkError('CW_LOCKER_DENIED', `S3 refused the request (${code ?? status}): ${where}`, {
        where,
        cause: error,
      });
    }
    const detail = code ?? (status ? `HTTP ${status}` : ((error as Error).message ?? 'network error'));
    return new CrosswalkError('CW_LOCKER_UNAVAILABLE', `S3 request failed (${detail}): ${where}`, {
      where,
      cause: error,
    });
  }
}

function md5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode;
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function codeOf(error: unknown): string | undefined {
  const name = (error as { name?: string; Code?: string })?.Code ?? (error as { name?: string })?.name;
  return name && name !== 'Error' && name !== 'S3ServiceException' ? name : undefined;
}
