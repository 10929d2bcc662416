/**
 * A run that dies between claiming its chain link and writing its manifest (docs/architecture.md, "Dead runs and
 * recovery"): the link names a manifest that is not there, a break. The run staged the manifest's bytes before its
 * claim, so recovery writes that very manifest: the chain is whole again and vouches for what the run stored.
 * Recoveries running at once (two workers) make one statement between them. The dying run here loses the locker
 * at that one point (its manifest write fails, as in an S3 outage); services/worker/test/completeness-faults.test.ts
 * SIGKILLs a real worker there.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CrosswalkError, canonicalJson, canonicalSha256 } from '@crosswalk/core';
import { FsObjectStore, keys, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { findUnvouched, recoverUnvouched } from '../src/index.js';
import { clock, exampleRun, range } from './removals.js';

/** The locker's directory, with manifest writes failing while `down` (the store is gone after the claim). */
class ManifestsDown extends FsObjectStore {
  down = false;
  override createOnce(key: string, body: Uint8Array) {
    if (this.down && key.startsWith('runs/'))
      return Promise.reject(new CrosswalkError('CW_LOCKER_UNAVAILABLE', `locker unreachable writing ${key}`));
    return super.createOnce(key, body);
  }
}

async function setup() {
  const store = new ManifestsDown(await mkdtemp(path.join(tmpdir(), 'cw-claims-')));
  return { locker: new Locker(store, { clock }), store };
}

/** A healthy run (#1), then one that claims #2 and dies before its manifest. */
async function brokenAtTwo() {
  const { locker, store } = await setup();
  await exampleRun(locker, 1);
  store.down = true;
  await expect(exampleRun(locker, 4, 'dead-run')).rejects.toThrow('locker unreachable');
  store.down = false;
  return { locker, store };
}

describe('a run that died between claiming its link and writing its manifest', () => {
  it('leaves a break that names the staged manifest', async () => {
    const { locker } = await brokenAtTwo();
    const chain = await locker.runs.verifyChain('ex');
    expect(chain.ok).toBe(false);
    expect(chain.problems).toEqual([
      {
        sequence: 2,
        key: expect.stringContaining('dead-run'),
        message: expect.stringMatching(/run dead-run claimed sequence 2 .* its staged manifest is there/),
      },
    ]);
  });

  it('recovery writes the manifest the run staged: the chain is whole and vouches for what the run stored', async () => {
    const { locker } = await brokenAtTwo();
    const result = await recoverUnvouched({
      locker,
      connectorId: 'ex',
      range,
      by: 'test',
      claimedBeforeMs: 0,
    });
    expect(result.completed).toEqual([
      {
        sequence: 2,
        runId: 'dead-run',
        key: expect.stringContaining('dead-run'),
        claimedAt: clock.now().toISOString(),
      },
    ]);
    expect(result.manifest).toBeNull(); // nothing left to adopt: the dead run's own manifest lists its records
    expect(result.chain.ok).toBe(true);
    const chain = await locker.runs.verifyChain('ex');
    expect(chain).toMatchObject({ ok: true, checked: 2, head: { sequence: 2 } });
    const manifest = await locker.runs.read(result.completed[0]!.key);
    expect(manifest.runId).toBe('dead-run');
    expect(manifest.records).toHaveLength(4);
    for (const listed of manifest.records)
      expect((await locker.records.get(listed.key)).sha256).toBe(listed.sha256);
    expect((await findUnvouched({ locker, connectorId: 'ex', range })).unvouched).toEqual([]);
    // The staged copy is gone, and a second recovery has nothing to do.
    expect(await collect(locker.store.list(keys.stagingPrefix('ex')))).toEqual([]);
    const again = await recoverUnvouched({
      locker,
      connectorId: 'ex',
      range,
      by: 'test',
      claimedBeforeMs: 0,
    });
    expect(again).toMatchObject({ completed: [], adopted: [], manifest: null });
    // The chain goes on after it.
    expect((await exampleRun(locker, 5)).sequence).toBe(3);
    expect((await locker.runs.verifyChain('ex')).ok).toBe(true);
  });

  it('a link claimed moments ago is left to its run', async () => {
    const { locker } = await brokenAtTwo();
    expect(await locker.runs.completeClaims('ex')).toEqual([]); // claimed "now" by the fixed clock
    expect((await locker.runs.verifyChain('ex')).ok).toBe(false);
  });

  it('two recoveries at once write it once', async () => {
    const { locker, store } = await brokenAtTwo();
    const other = new Locker(store, { clock });
    const [a, b] = await Promise.all([
      locker.runs.completeClaims('ex', { olderThanMs: 0 }),
      other.runs.completeClaims('ex', { olderThanMs: 0 }),
    ]);
    expect([...a, ...b].map((c) => c.sequence)).toEqual([2]);
    expect((await locker.runs.verifyChain('ex')).ok).toBe(true);
  });

  it('a staged manifest whose claim was lost is removed, never written', async () => {
    const { locker, store } = await setup();
    await exampleRun(locker, 1);
    // A run that staged #2 and lost the claim to another run, then died before cleaning up.
    const { sha256: _, ...first } = await locker.runs.read((await locker.runs.verifyChain('ex')).head!.key);
    await exampleRun(locker, 2);
    const lost = { ...first, runId: 'lost-run', sequence: 2 };
    const stale = keys.stagedManifestKey('ex', 2, 'lost-run');
    await store.put(stale, Buffer.from(canonicalJson({ ...lost, sha256: canonicalSha256(lost) })));
    expect(await store.get(stale)).toBeDefined();
    expect(await locker.runs.completeClaims('ex', { olderThanMs: 0 })).toEqual([]);
    expect(await collect(store.list(keys.stagingPrefix('ex')))).toEqual([]);
    expect((await locker.runs.verifyChain('ex')).ok).toBe(true);
  });
});

describe('two recoveries of the same dead records at once', () => {
  it('make one recovery manifest between them', async () => {
    const { locker, store } = await setup();
    const dying = new Locker(store, { clock });
    dying.runs.append = () => Promise.reject(new Error('killed before the manifest'));
    await expect(exampleRun(dying, 3, 'dead-run')).rejects.toThrow('killed before the manifest');
    const other = new Locker(store, { clock });
    const results = await Promise.all([
      recoverUnvouched({ locker, connectorId: 'ex', range, by: 'worker-a' }),
      recoverUnvouched({ locker: other, connectorId: 'ex', range, by: 'worker-b' }),
    ]);
    const made = results.filter((r) => r.manifest !== null);
    expect(made).toHaveLength(1);
    expect(made[0]!.adopted).toHaveLength(3);
    const chain = await locker.runs.verifyChain('ex');
    expect(chain).toMatchObject({ ok: true, checked: 1 });
    expect((await findUnvouched({ locker, connectorId: 'ex', range })).unvouched).toEqual([]);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
