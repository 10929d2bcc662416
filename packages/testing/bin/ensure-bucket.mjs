// Creates a bucket with Object Lock enabled unless it already exists; used by scripts/services/ceph-rgw.sh
// to warm radosgw up (its first CreateBucket creates pools and takes seconds). Reads the S3_* variables.
// Plain .mjs so the start script needs no TypeScript loader.
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const bucket = process.argv[2];
if (!bucket) {
  console.error('usage: ensure-bucket.mjs <bucket>');
  process.exit(2);
}
const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: process.env.S3_REGION ?? 'us-east-1',
  forcePathStyle: process.env.S3_FORCE_PATH_STYLE !== 'false',
  credentials: {
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? '',
  },
  // Ceph Pacific predates flexible checksums.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
try {
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  console.error(`created bucket ${bucket}`);
} catch (err) {
  if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  console.error(`bucket ${bucket} already exists`);
}
