import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectRetentionCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Locker, parseLockerConfig, type S3LockerConfig, S3ObjectStore } from '@crosswalk/locker';
import { createTestBucket, s3LockerSettings, s3TestClient, s3TestConfig } from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addFlag,
  addFlagAnswer,
  addRemediation,
  applyRegister,
  listFlags,
  listRegisterVersions,
  listRemediations,
  starterRegister,
} from '../src/index.js';

/**
 * Register versions and remediations are records an auditor relies on like evidence: on an Object Lock bucket
 * they get the same COMPLIANCE retention, so not even the bucket's owner can delete or overwrite them early.
 * Real Ceph RGW (the Object Lock bucket of the project's S3 services).
 */
const s3 = await s3TestConfig();

describe.skipIf(!s3)('control records on an Object Lock bucket', () => {
  const client = s3 ? s3TestClient(s3) : undefined;
  let bucket: string;
  let store: S3ObjectStore;
  let locker: Locker;
  beforeAll(async () => {
    bucket = await createTestBucket(s3!, { objectLock: true });
    const config = parseLockerConfig({
      ...s3LockerSettings(s3!, bucket),
      prefix: `controls-perf-${randomBytes(4).toString('hex')}`,
    }) as S3LockerConfig;
    store = new S3ObjectStore(config);
    locker = new Locker(store, { retentionDays: 1 });
  });
  afterAll(() => client?.destroy());

  async function keysUnder(prefix: string) {
    const found: { key: string }[] = [];
    for await (const object of store.list(prefix)) found.push(object);
    return found;
  }

  async function expectRetained(key: string) {
    const objectKey = store.objectKey(key);
    const retention = await client!.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: objectKey }));
    expect(retention.Retention?.Mode).toBe('COMPLIANCE');
    expect(retention.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const head = await client!.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
    await expect(
      client!.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey, VersionId: head.VersionId })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  }

  it('a register version is written once with the retention evidence gets, and still reads back', async () => {
    expect(await locker.retentionStatus()).toBe('enforced');
    const version = await applyRegister(locker, starterRegister(), { appliedBy: 'alice', note: 'first' });
    const [object] = await keysUnder('controls/register/');
    expect(object!.key).toContain(version.id);
    await expectRetained(object!.key);
    expect((await listRegisterVersions(locker)).map((v) => v.id)).toEqual([version.id]);
  });

  it('a remediation is written once with the same retention, and the test still lists it', async () => {
    const entered = await addRemediation(
      locker,
      'CHG-01',
      { item: 'period:2026-Q1', type: 'justification', text: 'Freeze over the quarter; no changes shipped.' },
      { by: 'ciso' },
    );
    const [object] = await keysUnder('controls/remediations/CHG-01/');
    expect(object!.key).toContain(entered.id);
    await expectRetained(object!.key);
    expect(await listRemediations(locker, 'CHG-01')).toEqual([entered]);
  });

  it('a flag and its answer are written once with the same retention, and the thread still lists them', async () => {
    const flag = await addFlag(
      locker,
      'CHG-01',
      { item: 'period:2026-Q1', comment: 'Why is this quarter empty?' },
      { by: 'auditor' },
    );
    const answer = await addFlagAnswer(
      locker,
      'CHG-01',
      flag.id,
      { type: 'justification', text: 'Change freeze; see the exception justification.' },
      { by: 'ciso' },
    );
    const objects = await keysUnder('controls/flags/CHG-01/');
    expect(objects.map((o) => o.key.slice(o.key.indexOf('controls/flags/')))).toEqual([
      `controls/flags/CHG-01/${flag.id}/answers/${answer.at}-${answer.id}.json`,
      `controls/flags/CHG-01/${flag.id}/flag.json`,
    ]);
    for (const object of objects) await expectRetained(object.key);
    expect(await listFlags(locker)).toEqual([{ ...flag, answers: [answer], status: 'answered' }]);
  });
});
