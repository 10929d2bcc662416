import { sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { type Locker, openLocker, parseLockerConfig } from '@crosswalk/locker';
import {
  createTestBucket,
  deleteTestBucket,
  type S3TestConfig,
  s3LockerSettings,
  s3TestConfig,
} from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTING_TTL_MS, Listings } from '../src/listings.js';

const s3 = await s3TestConfig();

describe.skipIf(!s3)('the kinds present in the locker, as evidence pages over every kind see them', () => {
  let bucket: string;
  let locker: Locker;

  beforeAll(async () => {
    const config = s3 as S3TestConfig;
    bucket = await createTestBucket(config);
    locker = openLocker(parseLockerConfig(s3LockerSettings(config, bucket)));
  });
  afterAll(async () => {
    if (bucket) await deleteTestBucket(s3 as S3TestConfig, bucket);
  });

  it('names each kind holding a record, and a new kind once the listing is LISTING_TTL_MS old', async () => {
    let now = 1_000_000;
    const listings = new Listings(locker, () => now);
    expect([...(await listings.kindsPresent())]).toEqual([]);
    // Records under other top-level prefixes are no evidence kind.
    await locker.store.put('probe/check/x.json', Buffer.from('{}'));
    const record = sealRecord(pullRequestDraft({ occurredAt: '2026-05-01T10:00:00.000Z' }), new Date());
    await locker.records.put(record);
    // Within the listing's lifetime the first record of a kind may be missing: the documented bound.
    now += LISTING_TTL_MS - 1;
    expect([...(await listings.kindsPresent())]).toEqual([]);
    now += 1;
    expect([...(await listings.kindsPresent())]).toEqual(['github.pull_request.approval']);
    // Many records of one kind and one of a kind whose name extends it: each kind once, in key order.
    for (let i = 0; i < 3; i++) {
      await locker.records.put(
        sealRecord(
          pullRequestDraft({ ref: `acme/api#${i + 2}`, occurredAt: `2026-05-0${i + 2}T10:00:00.000Z` }),
          new Date(),
        ),
      );
    }
    await locker.store.put('evidence/github.pull_request.approval_x/2026/05/01/a.json', Buffer.from('{}'));
    now += LISTING_TTL_MS;
    expect([...(await listings.kindsPresent())]).toEqual([
      'github.pull_request.approval',
      'github.pull_request.approval_x',
    ]);
  });
});
