/**
 * Completeness after a crash, with real processes (docs/architecture.md, "What an export proves" and "Dead runs and
 * recovery"): a worker SIGKILLed in the middle of collecting a few thousand records, the S3 endpoint going away in
 * the middle of one, and a worker SIGKILLed at the worst moment of its run: after it claimed its chain link, before
 * its manifest was written. Afterwards every stored record is vouched for by a chained manifest (the retry lists
 * what the dead attempt stored; the dead run's own manifest, written by a worker's recovery from what it staged),
 * an export of the window verifies, and removing any one record, collected early or late, makes the export refuse
 * naming it and verify fail naming it.
 *
 * Before the retry, what the dead attempt stored is reported as vouched for by no manifest (what
 * `crosswalk locker verify-runs` prints), and an export leaves it out and says so.
 *
 * Each test has a redis-server of its own, like faults.test.ts (fault-scene.ts).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findUnvouched } from '@crosswalk/collect';
import { CrosswalkError } from '@crosswalk/core';
import { exportToFile, verifyBundle } from '@crosswalk/export';
import { readZip, testSigningKey, writeZip } from '@crosswalk/export/testing';
import { keys, type RunManifest } from '@crosswalk/locker';
import { describe, expect, it } from 'vitest';
import { type FaultScene, faultScenes } from './fault-scene.js';
import {
  freePort,
  rangeOf,
  realProcessesS3,
  SlowProxy,
  settled,
  storedIds,
  TcpProxy,
  WINDOW,
  waitFor,
} from './helpers.js';

const s3 = await realProcessesS3();

/** A few thousand: enough that a kill lands in the middle of storing, not so many the test takes minutes. */
const PULLS = 3_000;
const PAGE = 100;
/** Where the first attempt dies: half way, so early- and late-collected records are each a good share. */
const KILL_AT = PULLS / 2;
const CONNECTOR = 'gh-many';
const KIND = 'github.pull_request.approval' as const;
const range = rangeOf(WINDOW);

const scenes = faultScenes({
  s3: s3!,
  connectorId: CONNECTOR,
  pulls: PULLS,
  pageSize: PAGE,
  by: 'completeness-fault-test',
});
const { job, setUp, startWorker } = scenes;
const midRun = (current: FaultScene, id: string, records: number) =>
  scenes.midRun(current, id, records, 90_000);

async function exportOf(current: FaultScene) {
  const key = await testSigningKey();
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'cw-complete-fault-')), 'bundle.zip');
  const result = await exportToFile(file, {
    locker: current.runtime.locker,
    frameworks: ['soc2'],
    controls: ['CC8.1'],
    from: range.from,
    to: range.to,
    signingKey: key,
    generator: { name: 'crosswalk', version: 'test' },
  });
  return { file, result, key };
}

/**
 * Every stored record vouched for, an export of the window that verifies, and one record removed, once from the
 * bundle and once from the locker, named by verify and by the export. `early` was collected first (by the dead
 * attempt), `late` last.
 */
async function expectCompleteAfterRecovery(current: FaultScene, early: string, late: string): Promise<void> {
  const { chain, unvouched } = await findUnvouched({
    locker: current.runtime.locker,
    connectorId: CONNECTOR,
  });
  expect(chain.problems).toEqual([]);
  expect(unvouched).toEqual([]);

  const { file, result } = await exportOf(current);
  expect(result.records).toBe(PULLS);
  expect(result.manifest.completeness).toMatchObject({ vouched: PULLS, unvouched: { count: 0 } });
  expect((await verifyBundle(file)).failures).toEqual([]);

  for (const id of [early, late]) {
    // From the bundle: verify names it (its run in the bundle vouches for it).
    const entries = await readZip(file);
    const name = [...entries.keys()].find((n) => n.endsWith(`/${id}.json`))!;
    entries.delete(name);
    const cut = path.join(path.dirname(file), `without-${id.slice(-8)}.zip`);
    await writeZip(cut, entries);
    const verified = await verifyBundle(cut);
    expect(verified.failures).toContainEqual(
      expect.objectContaining({ check: 'completeness', message: expect.stringContaining(id) }),
    );
  }
  // From the locker: the export refuses, naming it.
  await current.runtime.locker.store.delete(keys.evidenceKey({ id: late }));
  const refused = await exportOf(current).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(CrosswalkError);
  expect((refused as CrosswalkError).code).toBe('CW_CHAIN_BROKEN');
  expect((refused as CrosswalkError).issues).toEqual([
    { path: late, message: expect.stringContaining('not in the locker: it was removed') },
  ]);
}

/** A record stored by the dead attempt, and one the retry stored. */
async function oneOfEach(current: FaultScene, deadRun: string): Promise<{ early: string; late: string }> {
  let early: string | undefined;
  let late: string | undefined;
  for await (const record of current.runtime.locker.records.list(KIND, range)) {
    if (record.provenance.runId === deadRun) early ??= record.id;
    else late ??= record.id;
    if (early && late) break;
  }
  return { early: early!, late: late! };
}

describe.skipIf(!s3)('completeness after a crash (real processes)', () => {
  it(`a worker SIGKILLed while storing ${PULLS} records: the retry vouches for what it stored`, {
    timeout: 900_000,
  }, async () => {
    const current = await setUp({ delayMs: 60 });
    const first = await startWorker(current);
    const id = await current.runtime.collectQueue.enqueue(job());
    await midRun(current, id, KILL_AT);
    await first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // Stored, no manifest: reported as vouched for by no manifest; an export leaves them out and says so.
    const stored = (await storedIds(current.runtime.locker, KIND, range)).length;
    expect(stored).toBeGreaterThanOrEqual(KILL_AT);
    expect(stored).toBeLessThan(PULLS);
    const before = await findUnvouched({ locker: current.runtime.locker, connectorId: CONNECTOR, range });
    expect(before.chain.ok).toBe(true);
    expect(before.unvouched).toHaveLength(stored);
    const deadRun = before.unvouched[0]!.runId;
    const partial = await exportOf(current);
    expect(partial.result.records).toBe(0);
    expect(partial.result.manifest.completeness!.unvouched.count).toBe(stored);
    expect((await verifyBundle(partial.file)).ok).toBe(false);

    await startWorker(current);
    const { state, job: done } = await settled(current.runtime.collectQueue.queue, id, 600_000);
    expect(state).toBe('completed');
    const manifest = done.returnvalue as RunManifest;
    expect(manifest.records).toHaveLength(PULLS);
    expect(manifest.records.filter((r) => r.duplicate)).toHaveLength(stored);
    const { early, late } = await oneOfEach(current, deadRun);
    await expectCompleteAfterRecovery(current, early, late);
    console.info(`SIGKILL: ${stored}/${PULLS} stored by the killed attempt, vouched for by the retry`);
  });

  it(`S3 unreachable while storing ${PULLS} records: the retry vouches for what the failed attempt stored`, {
    timeout: 900_000,
  }, async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(s3!.endpoint).port || 80) });
    scenes.defer(() => proxy.down());
    const current = await setUp({
      delayMs: 60,
      s3Endpoint: proxy.url,
      direct: { CROSSWALK_S3_ENDPOINT: s3!.endpoint },
    });
    await startWorker(current);
    const id = await current.runtime.collectQueue.enqueue(job());
    await midRun(current, id, KILL_AT);
    await proxy.down();
    const queue = current.runtime.collectQueue.queue;
    await waitFor(
      'the attempt to fail while S3 is down',
      async () => {
        const found = await queue.getJob(id);
        return found !== undefined && found.attemptsMade >= 1;
      },
      { timeoutMs: 60_000 },
    );
    const stored = (await storedIds(current.runtime.locker, KIND, range)).length;
    expect(stored).toBeLessThan(PULLS);
    const before = await findUnvouched({ locker: current.runtime.locker, connectorId: CONNECTOR, range });
    expect(before.unvouched).toHaveLength(stored);
    const deadRun = before.unvouched[0]!.runId;
    await proxy.up();

    const { state, job: done } = await settled(queue, id, 600_000);
    expect(state).toBe('completed');
    const manifest = done.returnvalue as RunManifest;
    expect(manifest.status).toBe('succeeded');
    expect(manifest.records).toHaveLength(PULLS);
    const { early, late } = await oneOfEach(current, deadRun);
    await expectCompleteAfterRecovery(current, early, late);
    console.info(`S3 outage: ${stored}/${PULLS} stored by the failed attempt, vouched for by the retry`);
  });
  it(`a worker SIGKILLed after claiming its chain link, before its manifest: another worker finishes the link`, {
    timeout: 900_000,
  }, async () => {
    // S3 through an HTTP hop that holds the dead run's manifest write: the kill lands exactly between the claim
    // of its sequence (already written) and the manifest (never written).
    const s3Proxy = await SlowProxy.start(s3!.endpoint, 0, { keepHost: true });
    scenes.defer(() => s3Proxy.close());
    const metricsPort = await freePort();
    const current = await setUp({
      delayMs: 0,
      s3Endpoint: s3Proxy.url,
      direct: { CROSSWALK_S3_ENDPOINT: s3!.endpoint },
      extra: {
        CROSSWALK_RECONCILE_INTERVAL_MS: '1000',
        CROSSWALK_METRICS_PORT: String(metricsPort),
        CROSSWALK_METRICS_HOST: '127.0.0.1',
      },
    });
    s3Proxy.hold = (request) =>
      request.method === 'PUT' && (request.url ?? '').includes(`/runs/${CONNECTOR}/`);
    const first = await startWorker(current);
    const id = await current.runtime.collectQueue.enqueue(job());
    await waitFor('the run to claim its link and try to write its manifest', () => s3Proxy.held > 0, {
      timeoutMs: 300_000,
      intervalMs: 50,
    });
    await first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    s3Proxy.hold = undefined;

    // The break is there, and says the dead run's manifest is staged; every record it stored is unvouched.
    const locker = current.runtime.locker;
    const broken = await locker.runs.verifyChain(CONNECTOR);
    expect(broken.problems).toEqual([
      expect.objectContaining({
        sequence: 1,
        message: expect.stringContaining('its staged manifest is there'),
      }),
    ]);
    const before = await findUnvouched({ locker, connectorId: CONNECTOR, range });
    expect(before.unvouched).toHaveLength(PULLS);
    const deadRun = before.unvouched[0]!.runId;
    const refused = await exportOf(current).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as CrosswalkError).code).toBe('CW_CHAIN_BROKEN');

    // No retry this time (the first test has one; here it would only meet 3,000 duplicates, and without the
    // recovery its manifest would follow the break, not mend it): the job is gone, as after its last attempt.
    await current.runtime.collectQueue.queue.obliterate({ force: true });
    expect(await current.runtime.collectQueue.queue.getJob(id)).toBeUndefined();
    // A new worker writes, by itself, the dead run's manifest from what that run staged.
    const second = await startWorker(current);
    await waitFor(
      "the worker to finish the dead run's link",
      () => second.logged(/^run died between claiming its chain link/).length > 0,
      { timeoutMs: 60_000 },
    );
    expect(second.logged(/^run died between claiming its chain link/)).toEqual([
      expect.objectContaining({ connectorId: CONNECTOR, sequence: 1, runId: deadRun }),
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`^crosswalk_recovery_links_completed_total\\{connector="${CONNECTOR}"\\} 1$`, 'm'),
    );
    const chain = await locker.runs.verifyChain(CONNECTOR);
    expect(chain).toMatchObject({ ok: true, checked: 1 });
    const dead = await locker.runs.read(broken.problems[0]!.key!);
    expect(dead).toMatchObject({ runId: deadRun, sequence: 1, status: 'succeeded' });
    expect(dead.records).toHaveLength(PULLS);
    await expectCompleteAfterRecovery(current, dead.records[0]!.id, dead.records.at(-1)!.id);
    console.info(
      `claim, then SIGKILL: ${PULLS}/${PULLS} stored by the dead run, its manifest written by recovery`,
    );
  });
});
