/**
 * What a run that dies before its manifest stored ends up vouched for by a chained manifest: by the retry (which
 * lists what it met as duplicates, with the stored hashes), or, for what no retry collects again, by a recovery
 * run. The dying run here stops at the one point that matters (its manifest never written, as after SIGKILL or an
 * S3 outage); services/worker/test/completeness-faults.test.ts does the same with real processes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { findUnvouched, recoverUnvouched } from '../src/index.js';
import { clock, exampleRun, range } from './removals.js';

async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cw-recover-'));
  const store = new FsObjectStore(dir);
  return { locker: new Locker(store, { clock }), store };
}

/** A run that stores `upTo` records and dies before its manifest. */
async function dyingRun(store: FsObjectStore, upTo: number): Promise<string> {
  const dying = new Locker(store, { clock });
  dying.runs.append = () => Promise.reject(new Error('killed before the manifest'));
  await expect(exampleRun(dying, upTo, 'dead-run')).rejects.toThrow('killed before the manifest');
  return 'dead-run';
}

describe('after a run died before its manifest', () => {
  it('its records are reported as vouched for by no manifest, while the chain itself is intact', async () => {
    const { locker, store } = await setup();
    await dyingRun(store, 3);
    const { chain, unvouched } = await findUnvouched({ locker, connectorId: 'ex', range });
    expect(chain.ok).toBe(true);
    expect(unvouched.map((u) => u.runId)).toEqual(['dead-run', 'dead-run', 'dead-run']);
  });

  it('the retry of the same window vouches for them, with the hashes first stored', async () => {
    const { locker, store } = await setup();
    await dyingRun(store, 3);
    const retry = await exampleRun(locker, 5);
    expect(retry.records.filter((r) => r.duplicate)).toHaveLength(3);
    expect(retry.records).toHaveLength(5);
    for (const listed of retry.records)
      expect((await locker.records.get(listed.key)).sha256).toBe(listed.sha256);
    expect((await findUnvouched({ locker, connectorId: 'ex', range })).unvouched).toEqual([]);
  });

  it('a recovery run adopts what no retry collected again, naming the dead run, and claims no collection', async () => {
    const { locker, store } = await setup();
    await dyingRun(store, 4);
    // A later run of a narrower window collects only part of it again.
    await exampleRun(locker, 1);
    const { adopted, manifest } = await recoverUnvouched({
      locker,
      connectorId: 'ex',
      range,
      by: 'test',
      clock,
    });
    expect(adopted).toHaveLength(3);
    expect(manifest).toMatchObject({
      trigger: { type: 'recovery', by: 'test' },
      recovers: ['dead-run'],
      collectors: [],
      sequence: 2,
    });
    expect(manifest!.records.every((r) => r.duplicate)).toBe(true);
    expect((await findUnvouched({ locker, connectorId: 'ex', range })).unvouched).toEqual([]);
    expect((await locker.runs.verifyChain('ex')).ok).toBe(true);
    // Nothing left: a second recovery writes nothing.
    expect((await recoverUnvouched({ locker, connectorId: 'ex', range, by: 'test' })).manifest).toBeNull();
  });

  it("leaves other connectors' records alone", async () => {
    const { locker, store } = await setup();
    await dyingRun(store, 2);
    expect((await findUnvouched({ locker, connectorId: 'someone-else', range })).unvouched).toEqual([]);
  });
});
