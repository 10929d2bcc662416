import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CrosswalkError } from '@crosswalk/core';
import type { S3LockerConfig } from './config.js';
import type {
  CreateOnceOptions,
  ObjectStore,
  PresignOptions,
  ReadableObject,
  StoredObjectInfo,
} from './store.js';

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The largest object one PutObject may carry (S3's limit); bundles are far below it. */
const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/**
 * The S3 driver: AWS S3, MinIO and Ceph RGW alike. Write-once is `If-None-Match: *`, which the server enforces
 * atomically (412 when the key exists). Checksums are computed only when an operation requires them, because
 * RGW (Pacific) rejects the SDK's default streaming checksums; Object Lock writes carry Content-MD5, which
 * S3 requires for them.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private retention: Promise<boolean> | undefined;
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
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: body,
          ContentLength: body.byteLength,
          ContentType: 'application/json',
          IfNoneMatch: '*',
          // S3 requires an integrity header on Object Lock writes. Elsewhere the record's own SHA-256,
          // checked on every read, is the integrity proof, and skipping MD5 spares the server a pass.
          ...(options.retainUntil
            ? {
                ObjectLockMode: 'COMPLIANCE',
                ObjectLockRetainUntilDate: options.retainUntil,
                ContentMD5: md5(body),
              }
            : {}),
        }),
      );
      return 'created';
    } catch (error) {
      // 412: the key exists. 409: a concurrent conditional write to the same key won; either way, it exists.
      const status = statusOf(error);
      if (status === 412 || status === 409) return 'exists';
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
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) return 'exists';
      throw this.translate(error, key);
    }
  }

  async openRead(key: string): Promise<ReadableObject | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      const body = response.Body;
      if (!(body instanceof Readable)) {
        throw new CrosswalkError('CW_INTERNAL', `S3 answered ${key} without a readable body`, { where: key });
      }
      return { body, size: response.ContentLength ?? 0 };
    } catch (error) {
      if (statusOf(error) === 404 && codeOf(error) !== 'NoSuchBucket') return undefined;
      throw this.translate(error, key);
    }
  }

  presignedGetUrl(key: string, options: PresignOptions): Promise<string> {
    // Signing is local (no request): it cannot fail for a missing object, so callers check existence first.
    return getSignedUrl(
      this.presigner,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
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
        }),
      );
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return await response.Body!.transformToByteArray();
    } catch (error) {
      if (statusOf(error) === 404 && codeOf(error) !== 'NoSuchBucket') return undefined;
      throw this.translate(error, key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async *list(prefix: string, options: { startAfter?: string } = {}): AsyncIterable<StoredObjectInfo> {
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
            MaxKeys: 1000,
          }),
        );
      } catch (error) {
        throw this.translate(error, prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
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
