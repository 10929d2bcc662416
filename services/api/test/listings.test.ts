import { sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { s3TestConfig } from '@crosswalk/testing';
import { describe, expect, it } from 'vitest';
import { LISTING_TTL_MS, Listings } from '../src/listings.js';
import { suiteLocker } from './suite-locker.js';

const s3 = await s3TestConfig();

describe.skipIf(!s3)('the kinds present in the locker, as evidence pages over every kind see them', () => {
  const suite = suiteLocker(s3);

  it('names each kind holding a record, and a new kind once the listing is LISTING_TTL_MS old', async () => {
    let now = 1_000_000;
    const listings = new Listings(suite.locker, () => now);
    expect([...(await listings.kindsPresent())]).toEqual([]);
    // Records under other top-level prefixes are no evidence kind.
    await suite.locker.store.put('probe/check/x.json', Buffer.from('{}'));
    const record = sealRecord(pullRequestDraft({ occurredAt: '2026-05-01T10:00:00.000Z' }), new Date());
    await suite.locker.records.put(record);
    // Within the listing's lifetime the first record of a kind may be missing: the documented bound.
    now += LISTING_TTL_MS - 1;
    expect([...(await listings.kindsPresent())]).toEqual([]);
    now += 1;
    expect([...(await listings.kindsPresent())]).toEqual(['github.pull_request.approval']);
    // Many records of one kind and one of a kind whose name extends it: each kind once, in key order.
    for (let i = 0; i < 3; i++) {
      await suite.locker.records.put(
        sealRecord(
          pullRequestDraft({ ref: `acme/api#${i + 2}`, occurredAt: `2026-05-0${i + 2}T10:00:00.000Z` }),
          new Date(),
        ),
      );
    }
    await suite.locker.store.put(
      'evidence/github.pull_request.approval_x/2026/05/01/a.json',
      Buffer.from('{}'),
    );
    now += LISTING_TTL_MS;
    expect([...(await listings.kindsPresent())]).toEqual([
      'github.pull_request.approval',
      'github.pull_request.approval_x',
    ]);
  });
});
