import path from 'node:path';
import { seedLocker } from '@crosswalk/assurance/testing';
import { openLocker, parseLockerConfig } from '@crosswalk/locker';
import { createTestBucket, s3LockerSettings, s3TestConfig } from '@crosswalk/testing';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/index.js';
import { exportWindow, testSigningKey } from './fixtures.js';
import { readZip } from './zip-tools.js';

// Real S3 (Ceph RGW in CI; MinIO through testcontainers where Docker runs). Undefined only off CI with neither.
const s3 = await s3TestConfig();

describe.skipIf(!s3)('an export from an S3 locker', () => {
  it('holds exactly the window, verifies, and reports the same coverage as from the filesystem', async () => {
    const bucket = await createTestBucket(s3!);
    const locker = openLocker(parseLockerConfig({ ...s3LockerSettings(s3!, bucket), prefix: 'export-test' }));
    const seeded = await seedLocker(locker);
    const key = await testSigningKey();
    const { file, result } = await exportWindow(locker, key);
    const ids = [...(await readZip(file)).keys()]
      .filter((n) => n.startsWith('evidence/'))
      .map((n) => path.basename(n, '.json'));
    expect(ids.sort()).toEqual([...seeded.inside].sort());
    expect(result.manifest.runChains).toEqual([
      expect.objectContaining({ connectorId: 'github-acme', window: expect.objectContaining({ runs: 6 }) }),
    ]);
    expect(result.coverage.kinds.find((k) => k.kind === 'github.branch_protection')).toMatchObject({
      gapPeriods: ['2026-01-04'],
      failedRunDays: ['2026-01-06'],
      noRunDays: ['2026-01-07'],
    });
    const verified = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(verified.failures).toEqual([]);
    expect(verified.ok).toBe(true);
  });
});
