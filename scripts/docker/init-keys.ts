/**
 * The compose file's `keys` step: makes the secrets a Crosswalk deployment needs, once, in the keys volume,
 * so nobody has to make them by hand and no well-known default is ever used. Run by Node itself (type
 * stripping; built-ins only):
 *
 *   node scripts/docker/init-keys.ts <dir>
 *
 * Creates, each only when missing (an existing file is never replaced, so a rerun changes nothing):
 *   secret-key           32 random bytes, base64: CROSSWALK_SECRET_KEY, which seals connector credentials
 *   signing-key.pem      an Ed25519 private key (PKCS#8): CROSSWALK_SIGNING_KEY_FILE, which signs exports
 *   s3-access-key-id     the MinIO root user name (MINIO_ROOT_USER from the environment, else "crosswalk")
 *   s3-secret-access-key the MinIO root password (MINIO_ROOT_PASSWORD from the environment, else random)
 * Files are mode 0600. Losing secret-key makes stored connector credentials unreadable: back the volume up.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/docker/init-keys.ts <dir>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });

const secrets: Array<[file: string, make: () => string]> = [
  ['secret-key', () => randomBytes(32).toString('base64')],
  [
    'signing-key.pem',
    () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ],
  ['s3-access-key-id', () => process.env['MINIO_ROOT_USER'] || 'crosswalk'],
  ['s3-secret-access-key', () => process.env['MINIO_ROOT_PASSWORD'] || randomBytes(24).toString('base64url')],
];

for (const [file, make] of secrets) {
  const target = path.join(dir, file);
  try {
    // 'wx': never replace a key that exists, even one created by a concurrent run.
    writeFileSync(target, make(), { flag: 'wx', mode: 0o600 });
    console.log(`created ${target}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    console.log(`kept ${target}`);
  }
}
