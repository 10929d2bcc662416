import { type EvidenceRecord, sealRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTING_TTL_MS } from '../src/listings.js';
import { services, startTestApp, type TestApp } from './helpers.js';

const FROM = '2026-05-01T00:00:00.000Z';
const TO = '2026-05-02T00:00:00.000Z';
const COUNT = 1_250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Record `i` of the day, one every 60 s (several share a minute when i >= 1440: none here). */
const draftAt = (i: number, ref = `acme/api#${i + 1}`) =>
  pullRequestDraft({ ref, occurredAt: new Date(Date.parse(FROM) + i * 60_000).toISOString() });

describe.skipIf(!services)('Evidence pages read through the listing and record caches', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Keep the queues: evidence reads use none, and database 5 is shared with the hostile-input suite.
    t = await startTestApp({ db: 5, keepQueues: true });
    const drafts = Array.from({ length: COUNT }, (_, i) => draftAt(i));
    for (let i = 0; i < drafts.length; i += 50) {
      await Promise.all(
        drafts.slice(i, i + 50).map((d) => t.runtime.locker.records.put(sealRecord(d, new Date()))),
      );
    }
  }, 120_000);
  afterAll(() => t?.close());

  async function walk(limit: number): Promise<EvidenceRecord[]> {
    const items: EvidenceRecord[] = [];
    let cursor: string | null = null;
    do {
      const query = `kind=github.pull_request.approval&from=${FROM}&to=${TO}&limit=${limit}`;
      const response: {
        statusCode: number;
        body: string;
        headers: Record<string, unknown>;
        json(): unknown;
      } = await t.app.inject({
        method: 'GET',
        url: `/v1/evidence?${query}${cursor ? `&cursor=${cursor}` : ''}`,
        headers: t.bearer(t.tokens.auditor),
      });
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const page = response.json() as { items: EvidenceRecord[]; nextCursor: string | null };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  it('pages through more keys than one listing holds, each record once, in order, twice alike', async () => {
    const first = await walk(100);
    expect(first).toHaveLength(COUNT);
    const order = first.map((r) => `${r.occurredAt} ${r.id}`);
    expect(order).toEqual([...order].sort());
    expect(new Set(first.map((r) => r.id)).size).toBe(COUNT);
    // Pages of another size over the same (now cached) listings and records: the same records.
    const second = await walk(333);
    expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(second).toEqual(first);
  });

  it('shows a record stored after a listing once the listing is older than LISTING_TTL_MS', async () => {
    await walk(500);
    const late = sealRecord(draftAt(COUNT + 10, 'acme/api#99999'), new Date());
    await t.runtime.locker.records.put(late);
    await sleep(LISTING_TTL_MS + 100);
    const ids = (await walk(500)).map((r) => r.id);
    expect(ids).toContain(late.id);
  });

  it('refuses a record altered in the bucket after it was cached: a changed object is read again', async () => {
    const [victim] = await walk(1000);
    const key = (victim as EvidenceRecord & { key: string }).key;
    const bytes = Buffer.from((await t.runtime.locker.store.get(key))!).toString('utf8');
    await t.runtime.locker.store.put(key, Buffer.from(bytes.replace('"acme/api#', '"acme/ap1#')));
    await sleep(LISTING_TTL_MS + 100);
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/evidence?kind=github.pull_request.approval&from=${FROM}&to=${TO}&limit=10`,
      headers: t.bearer(t.tokens.auditor),
    });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('CW_LOCKER_CORRUPT');
  });
});
