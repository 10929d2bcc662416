import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type Locker, openLocker, parseLockerConfig } from '@crosswalk/locker';
import {
  createTestBucket,
  type S3TestConfig,
  s3LockerSettings,
  s3ServiceVars,
  s3TestClient,
  s3TestConfig,
} from '@crosswalk/testing';

// Real S3 (Ceph RGW here and in CI; MinIO through testcontainers where Docker runs). Undefined only off CI.
export const s3 = await s3TestConfig();

/** A fresh 32-byte key, base64, as `openssl rand -base64 32` prints it. */
export const newSecretKey = (): string => randomBytes(32).toString('base64');

/** The CROSSWALK_S3_* variables for a fresh bucket: what the service reads to open its locker. */
export async function lockerEnv(config: S3TestConfig = s3!): Promise<Record<string, string>> {
  return s3ServiceVars(config, await createTestBucket(config));
}

/** A locker on a fresh bucket of the test S3 server. */
export async function s3Locker(): Promise<{ locker: Locker; bucket: string }> {
  const bucket = await createTestBucket(s3!);
  const locker = openLocker(parseLockerConfig(s3LockerSettings(s3!, bucket)));
  return { locker, bucket };
}

/** The bytes at `key` as S3 holds them, read with the plain SDK: what a copy of the bucket would reveal. */
export async function rawObject(bucket: string, key: string): Promise<string> {
  const client = s3TestClient(s3!);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } finally {
    client.destroy();
  }
}

/** Every object in the locker, key and text: for "this value is nowhere in the bucket". */
export async function everyObject(locker: Locker): Promise<{ key: string; text: string }[]> {
  const objects: { key: string; text: string }[] = [];
  for await (const object of locker.store.list('')) {
    const bytes = await locker.store.get(object.key);
    objects.push({ key: object.key, text: Buffer.from(bytes ?? []).toString('utf8') });
  }
  return objects;
}

/** A Redis URL for the shared test Redis with the database replaced: each test file owns one (8..15). */
export function withDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}
