import { CrosswalkError, zodIssues } from '@crosswalk/core';
import { z } from 'zod';

const common = {
  /** Days of S3 Object Lock COMPLIANCE retention on write-once objects; unset means none. */
  retentionDays: z.number().int().positive().max(36500).optional(),
};

export const fsLockerConfigSchema = z
  .object({
    driver: z.literal('fs'),
    /** @defaultValue `./.crosswalk/locker` */
    root: z.string().min(1).default('./.crosswalk/locker'),
    ...common,
  })
  .strict();

export const s3LockerConfigSchema = z
  .object({
    driver: z.literal('s3'),
    bucket: z.string().min(3).max(63),
    /** Unset for AWS S3; e.g. `http://127.0.0.1:7480` for Ceph RGW or `http://minio:9000` for MinIO. */
    endpoint: z.string().url().optional(),
    /**
     * The endpoint presigned download URLs name, when people reach the bucket at another address than the
     * service does (compose: the service uses `http://minio:9000`, an auditor's browser `http://localhost:9000`).
     * Unset: `endpoint`.
     */
    publicEndpoint: z.string().url().optional(),
    region: z.string().min(1).default('us-east-1'),
    /** MinIO and RGW usually need path-style addressing (`endpoint/bucket/key`). */
    forcePathStyle: z.boolean().default(false),
    /** Unset to use the SDK's default chain (environment, profile, instance role). */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    /** A key prefix inside the bucket, to share one bucket between lockers. */
    prefix: z.string().optional(),
    maxAttempts: z.number().int().positive().default(3),
    ...common,
  })
  .strict()
  .refine((c) => (c.accessKeyId === undefined) === (c.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey must be given together',
    path: ['secretAccessKey'],
  });

export const lockerConfigSchema = z.discriminatedUnion('driver', [
  fsLockerConfigSchema,
  s3LockerConfigSchema,
]);

export type FsLockerConfig = z.infer<typeof fsLockerConfigSchema>;
export type S3LockerConfig = z.infer<typeof s3LockerConfigSchema>;
export type LockerConfig = z.infer<typeof lockerConfigSchema>;

export function parseLockerConfig(value: unknown, where = 'locker'): LockerConfig {
  const result = lockerConfigSchema.safeParse(value);
  if (!result.success) {
    throw new CrosswalkError('CW_CONFIG_INVALID', `invalid locker configuration in ${where}`, {
      where,
      issues: zodIssues(result.error, [where]),
    });
  }
  return result.data;
}

/**
 * The locker from the environment: S3 when CROSSWALK_S3_BUCKET is set, else the filesystem default.
 * Variables: CROSSWALK_LOCKER_DIR, CROSSWALK_S3_BUCKET, CROSSWALK_S3_ENDPOINT, CROSSWALK_S3_PUBLIC_ENDPOINT,
 * CROSSWALK_S3_REGION,
 * CROSSWALK_S3_FORCE_PATH_STYLE, CROSSWALK_S3_PREFIX, CROSSWALK_RETENTION_DAYS, and the SDK's own
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or CROSSWALK_S3_ACCESS_KEY_ID / CROSSWALK_S3_SECRET_ACCESS_KEY).
 */
export function lockerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LockerConfig {
  const retention = env.CROSSWALK_RETENTION_DAYS ? Number(env.CROSSWALK_RETENTION_DAYS) : undefined;
  if (env.CROSSWALK_S3_BUCKET) {
    return parseLockerConfig(
      {
        driver: 's3',
        bucket: env.CROSSWALK_S3_BUCKET,
        endpoint: env.CROSSWALK_S3_ENDPOINT || undefined,
        publicEndpoint: env.CROSSWALK_S3_PUBLIC_ENDPOINT || undefined,
        region: env.CROSSWALK_S3_REGION || undefined,
        forcePathStyle: env.CROSSWALK_S3_FORCE_PATH_STYLE === 'true',
        accessKeyId: env.CROSSWALK_S3_ACCESS_KEY_ID || undefined,
        secretAccessKey: env.CROSSWALK_S3_SECRET_ACCESS_KEY || undefined,
        prefix: env.CROSSWALK_S3_PREFIX || undefined,
        retentionDays: retention,
      },
      'environment',
    );
  }
  return parseLockerConfig(
    { driver: 'fs', root: env.CROSSWALK_LOCKER_DIR || undefined, retentionDays: retention },
    'environment',
  );
}
