import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { ExportLedger, type LedgerEntry, newExportId } from '../src/index.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('export ids and the ledger listing', () => {
  it('makes version-7 UUIDs that sort in the order they were made, across milliseconds', () => {
    const times = [0, 1, 999, 1_000, 86_400_000, 10 ** 12].map((ms) => new Date(Date.UTC(2026, 0, 1) + ms));
    const ids = times.map((t) => newExportId(t));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newExportId(times[0]))).size).toBe(1000);
  });

  it('lists exports oldest first, from a time or after an id, with which files each has', async () => {
    const locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-ledger-'))));
    const ledger = new ExportLedger(locker);
    const at = (day: number) => new Date(Date.UTC(2026, 2, day, 12));
    const ids = [1, 2, 3, 4].map((day) => newExportId(at(day)));
    for (const [index, id] of ids.entries()) {
      await locker.store.createOnce(`exports/${id}/request.json`, Buffer.from('{}'));
      if (index === 1) await locker.store.createOnce(`exports/${id}/result.json`, Buffer.from('{}'));
      if (index === 2) await locker.store.createOnce(`exports/${id}/failure.json`, Buffer.from('{}'));
    }
    const list = async (options: Parameters<ExportLedger['entries']>[0]) => {
      const found: LedgerEntry[] = [];
      for await (const entry of ledger.entries(options)) found.push(entry);
      return found;
    };
    expect(await list({})).toEqual([
      { exportId: ids[0], hasResult: false, hasFailure: false },
      { exportId: ids[1], hasResult: true, hasFailure: false },
      { exportId: ids[2], hasResult: false, hasFailure: true },
      { exportId: ids[3], hasResult: false, hasFailure: false },
    ]);
    // From the start of March 3 (UTC): the exports of the 3rd and 4th.
    expect((await list({ since: new Date(Date.UTC(2026, 2, 3)) })).map((e) => e.exportId)).toEqual(
      ids.slice(2),
    );
    // After an id: everything later, whatever files the id itself has.
    expect((await list({ after: ids[1]! })).map((e) => e.exportId)).toEqual(ids.slice(2));
    // Both: the later of the two bounds wins.
    expect((await list({ since: at(1), after: ids[2]! })).map((e) => e.exportId)).toEqual([ids[3]]);
    await expect(list({ after: '../keys' })).rejects.toMatchObject({ code: 'CW_INPUT_INVALID' });
  });
});
