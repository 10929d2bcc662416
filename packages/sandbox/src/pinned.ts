import { createHash } from 'node:crypto';

/**
 * `git hash-object` of some bytes: how each connector's SOURCE.md pins a vendored API description to the version
 * its vendor published, so that a spec test fails on an edited copy.
 */
export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
