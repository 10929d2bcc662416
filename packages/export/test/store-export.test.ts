import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOW, seedLocker, WINDOW } from '@crosswalk/assurance/testing';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExportLedger, exportKey, storeExport, verifyBundle } from '../src/index.js';
import { testSigningKey } from './fixtures.js';

const generator = { name: 'crosswalk', version: 'test' };

async function bytesOf(ledger: ExportLedger, exportId: string): Promise<Buffer> {
  const opened = await ledger.openBundle(exportId);
  if (!opened) throw new Error(`no bundle for ${exportId}`);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('storeExport: the service keeps bundles in the locker', () => {
  let locker: Locker;
  let ledger: ExportLedger;
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-store-export-'));
    locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    ledger = new ExportLedger(locker);
    await seedLocker(locker);
  });

  const request = (exportId: string) =>
    ledger.recordRequest({
      format: 'crosswalk-export-request/1',
      exportId,
      requestedAt: NOW.toISOString(),
      requestedBy: 'key:auditor1',
      frameworks: ['soc2-2017'],
      controls: null,
      from: WINDOW.from,
      to: WINDOW.to,
    });

  it('builds, stores and describes the bundle; the result matches the stored bytes and the bundle verifies', async () => {
    await request('e-1');
    const key = await testSigningKey();
    const result = await storeExport({ locker, exportId: 'e-1', signingKey: key, generator });
    const stored = await bytesOf(ledger, 'e-1');
    expect(result.bundle).toEqual({
      key: exportKey('e-1'),
      bytes: stored.length,
      sha256: createHash('sha256').update(stored).digest('hex'),
    });
    expect(result.fingerprint).toBe(key.fingerprint);
    expect(result.counts.records).toBeGreaterThan(0);
    expect(result.leftOut).toEqual({ count: 0, records: [] });
    expect(await ledger.result('e-1')).toEqual(result);
    const copy = path.join(dir, 'copy.zip');
    await writeFile(copy, stored);
    const verified = await verifyBundle(copy, { fingerprint: key.fingerprint });
    expect(verified.failures).toEqual([]);
    expect(verified.manifest?.exportId).toBe('e-1');
  });

  it('runs again without rebuilding: a recorded result is returned and the bundle is unchanged', async () => {
    await request('e-2');
    const first = await storeExport({
      locker,
      exportId: 'e-2',
      signingKey: await testSigningKey(),
      generator,
    });
    const before = await bytesOf(ledger, 'e-2');
    // Another key: a rebuild would be signed differently, so an unchanged fingerprint proves no rebuild.
    const again = await storeExport({
      locker,
      exportId: 'e-2',
      signingKey: await testSigningKey(),
      generator,
    });
    expect(again).toEqual(first);
    expect((await bytesOf(ledger, 'e-2')).equals(before)).toBe(true);
  });

  it('describes a bundle an earlier attempt stored before dying, rather than replacing it', async () => {
    await request('e-3');
    const original = await testSigningKey();
    await storeExport({ locker, exportId: 'e-3', signingKey: original, generator });
    const stored = await bytesOf(ledger, 'e-3');
    // The attempt died between the bundle and its result: the result is missing.
    await locker.store.delete('exports/e-3/result.json');
    const recovered = await storeExport({
      locker,
      exportId: 'e-3',
      signingKey: await testSigningKey(),
      generator,
    });
    expect(recovered.fingerprint).toBe(original.fingerprint);
    expect(recovered.bundle.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
    expect((await bytesOf(ledger, 'e-3')).equals(stored)).toBe(true);
  });

  it('describes such a bundle too when it left out a record no chained run vouches for, and names it', async () => {
    const orphan = await locker.storeDraft(
      pullRequestDraft({ ref: 'acme/api#555', occurredAt: '2026-01-05T10:00:00.000Z' }),
    );
    await request('e-5');
    const original = await testSigningKey();
    const first = await storeExport({ locker, exportId: 'e-5', signingKey: original, generator });
    // The result says what the bundle left out, not only what it holds.
    const leftOut = {
      count: 1,
      records: [{ id: orphan.id, key: expect.stringContaining(orphan.id.slice(-32)) }],
    };
    expect(first.leftOut).toEqual(leftOut);
    expect((await ledger.result('e-5'))?.leftOut).toEqual(leftOut);
    await locker.store.delete('exports/e-5/result.json');
    const recovered = await storeExport({
      locker,
      exportId: 'e-5',
      signingKey: await testSigningKey(),
      generator,
    });
    expect(recovered.bundle).toEqual(first.bundle);
    expect(recovered.fingerprint).toBe(original.fingerprint);
    expect(recovered.leftOut).toEqual(leftOut);
  });

  it('refuses an export nobody asked for, and a request id used twice', async () => {
    await expect(
      storeExport({ locker, exportId: 'nobody', signingKey: await testSigningKey(), generator }),
    ).rejects.toMatchObject({ code: 'CW_NOT_FOUND' });
    await request('e-4');
    await expect(request('e-4')).rejects.toMatchObject({ code: 'CW_LOCKER_DUPLICATE' });
  });
});
