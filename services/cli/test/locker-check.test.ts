import { randomBytes } from 'node:crypto';
import { createTestBucket, s3ServiceVars, s3TestConfig } from '@crosswalk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliWithEnv } from './run-cli.js';

// `crosswalk locker check` against the storage the README recommends, on real S3 (Ceph RGW here).
const s3 = await s3TestConfig();

describe.skipIf(!s3)('crosswalk locker check on S3', () => {
  let plain: string;
  let locked: string;
  const env = (bucket: string, extra: Record<string, string> = {}) => ({
    ...s3ServiceVars(s3!, bucket),
    CROSSWALK_S3_PREFIX: `check-${randomBytes(4).toString('hex')}`,
    ...extra,
  });

  beforeAll(async () => {
    plain = await createTestBucket(s3!);
    locked = await createTestBucket(s3!, { objectLock: true });
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it.each([
    ['a plain bucket', () => plain, 'conditional', {}],
    [
      'an Object Lock bucket with retention',
      () => locked,
      'first-version',
      { CROSSWALK_RETENTION_DAYS: '1' },
    ],
  ])('proves write-once on %s and leaves no record behind', async (_name, bucket, mode, extra) => {
    const settings = env(bucket(), extra);
    const { code, stdout, stderr } = await cliWithEnv(settings, 'locker', 'check', '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      writeOnce: mode,
      firstWrite: 'created',
      secondWrite: 'exists',
      readBack: 'first write',
      key: expect.stringMatching(/^probe\/check\//),
    });
    const listed = await cliWithEnv(
      settings,
      'locker',
      'list',
      '--kind',
      'github.org_members',
      '--from',
      '2000-01-01',
      '--to',
      '2100-01-01',
      '--format',
      'json',
    );
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
