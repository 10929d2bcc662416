/**
 * Exports under faults, with real processes: `crosswalk worker` children, a private redis-server, S3 (Ceph RGW)
 * behind a TCP proxy the test cuts or a hop that slows every request, and the API in this process on the real
 * bucket. Properties:
 * - an export whose attempts all fall in an S3 outage never reads `queued` once its job has failed for good: it
 *   reads `failed` with the cause at once, and its failure record is written when S3 is back;
 * - a worker SIGKILLed in the middle of a build leaves a build directory; the next worker to start removes it,
 *   leaves alone the directory of a build that is still running (a live pid), and the export is built once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExportLedger } from '@crosswalk/export';
import type { Runtime } from '@crosswalk/runtime';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import {
  killAll,
  PrivateRedis,
  redisServerAvailable,
  runtimeFrom,
  SlowProxy,
  serviceVars,
  TcpProxy,
  WorkerProcess,
  waitFor,
} from '../../worker/test/helpers.js';
import { type App, buildApp } from '../src/index.js';
import { services } from './helpers.js';

const runnable = services !== undefined && redisServerAvailable();

const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const BODY = { frameworks: ['soc2'], from: '2026-03-01', to: '2026-04-01' };

interface Status {
  id: string;
  status: string;
  attempts: number | null;
  error: { code: string; message: string; attempts: number } | null;
}

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
  await killAll();
});

/** The API over the real bucket and the private Redis; the worker's S3 goes through `s3Endpoint`. */
async function scene(s3Endpoint: string, extra: Record<string, string>) {
  const redis = await PrivateRedis.start();
  const vars = await serviceVars(services!.s3, {
    redisUrl: redis.url,
    s3Endpoint,
    extra: {
      CROSSWALK_SIGNING_KEY: SIGNING_KEY,
      CROSSWALK_STALLED_INTERVAL_MS: '2000',
      CROSSWALK_RECONCILE_INTERVAL_MS: '1000',
      ...extra,
    },
  });
  const runtime: Runtime = runtimeFrom({ ...vars, CROSSWALK_S3_ENDPOINT: services!.s3.endpoint });
  const app: App = buildApp(runtime, { docs: false });
  await app.ready();
  const token = (await runtime.keys.create({ name: 'auditor', role: 'auditor', createdBy: 'test' })).token;
  cleanup.push(
    () => redis.kill(),
    () => runtime.close(),
    () => app.close(),
  );
  const workers: WorkerProcess[] = [];
  onTestFailed(() => {
    for (const [i, worker] of workers.entries()) {
      console.error(`--- worker ${i} (last 40 lines)\n${worker.lines.slice(-40).join('\n')}`);
    }
  });
  const startWorker = async () => {
    const worker = await WorkerProcess.start(vars, `worker ${workers.length}`);
    workers.push(worker);
    cleanup.push(() => worker.kill('SIGKILL'));
    return worker;
  };
  const status = async (id: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `/v1/exports/${id}`,
        headers: { authorization: `Bearer ${token}` },
      })
    ).json() as Status;
  const ask = async () => {
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/exports',
      headers: { authorization: `Bearer ${token}` },
      payload: BODY,
    });
    expect(answer.statusCode).toBe(202);
    return (answer.json() as Status).id;
  };
  return { redis, runtime, app, vars, startWorker, status, ask };
}

describe.skipIf(!runnable)('An export whose every attempt falls in an S3 outage', () => {
  it('reads failed with the cause as soon as its job gives up, never queued, and its failure is recorded once S3 is back', async () => {
    const proxy = await TcpProxy.start({
      host: new URL(services!.s3.endpoint).hostname,
      port: Number(new URL(services!.s3.endpoint).port),
    });
    cleanup.push(() => proxy.down());
    const { runtime, startWorker, status, ask } = await scene(proxy.url, {});
    await startWorker();
    await proxy.down();
    const outage = performance.now();
    const id = await ask();

    // Watch the status the API gives until the job has failed for good.
    const seen: { status: string; jobFailed: boolean }[] = [];
    await waitFor(
      'the export job to fail for good',
      async () => {
        const jobFailed = (await runtime.exportQueue.state(id))?.state === 'failed';
        seen.push({ status: (await status(id)).status, jobFailed });
        return jobFailed;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    const failedAfterMs = Math.round(performance.now() - outage);
    const afterFailure = await status(id);
    expect(afterFailure).toMatchObject({
      status: 'failed',
      error: { code: 'CW_LOCKER_UNAVAILABLE', attempts: 4 },
    });
    // While the attempts went on it was queued or running; once the job failed, never queued again.
    expect(seen.filter((s) => s.jobFailed).map((s) => s.status)).not.toContain('queued');
    expect(new Set(seen.map((s) => s.status))).not.toContain('lost');
    // No internal address in what the client reads.
    expect(JSON.stringify(afterFailure)).not.toContain(String(proxy.port));
    expect(await new ExportLedger(runtime.locker).failure(id)).toBeUndefined();

    await proxy.up();
    const back = performance.now();
    const recorded = await waitFor(
      'the failure record to be written',
      () => new ExportLedger(runtime.locker).failure(id),
      {
        timeoutMs: 20_000,
      },
    );
    const recordedAfterMs = Math.round(performance.now() - back);
    console.info(
      `export failed for good ${failedAfterMs} ms into the outage; failure.json written ${recordedAfterMs} ms after S3 returned`,
    );
    expect(recorded).toMatchObject({ exportId: id, code: 'CW_LOCKER_UNAVAILABLE', attempts: 4 });
    expect(await status(id)).toMatchObject({
      status: 'failed',
      error: { code: 'CW_LOCKER_UNAVAILABLE', attempts: 4 },
    });
  });
});

describe.skipIf(!runnable)('A worker killed in the middle of an export', () => {
  it("leaves a build directory that the next worker removes at start, sparing a live worker's, and the export is built once", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-export-tmp-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const slow = await SlowProxy.start(services!.s3.endpoint, 150, { keepHost: true });
    cleanup.push(() => slow.close());
    const { startWorker, status, ask } = await scene(slow.url, { TMPDIR: dir });
    const first = await startWorker();
    const id = await ask();
    const ours = `crosswalk-export-job-${first.child.pid}-`;
    await waitFor(
      'the build directory of the first worker',
      async () => (await readdir(dir)).some((n) => n.startsWith(ours)),
      {
        timeoutMs: 30_000,
        intervalMs: 50,
      },
    );
    await first.kill('SIGKILL');
    const left = (await readdir(dir)).filter((n) => n.startsWith(ours));
    expect(left).toHaveLength(1);
    // Another worker's build in progress on the same host: its process is alive (this one).
    const live = `crosswalk-export-job-${process.pid}-live`;
    await mkdir(path.join(dir, live));

    const second = await startWorker();
    expect(second.logged('export build directories of dead workers removed')).toHaveLength(1);
    const after = await readdir(dir);
    expect(after).not.toContain(left[0]);
    expect(after).toContain(live);

    // The job stalls over to the second worker, which builds the export once.
    const done = await waitFor(
      'the export to be built by the second worker',
      async () => {
        const current = await status(id);
        return current.status === 'done' || current.status === 'failed' ? current : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done.status).toBe('done');
    // Nothing of either worker is left but the live one's. The status turns done when the result is recorded; the
    // worker removes its build directory just after, so give it a moment rather than racing it.
    const builds = async () => (await readdir(dir)).filter((n) => n.startsWith('crosswalk-export-'));
    await waitFor(
      'the second worker to remove its build directory',
      async () => (await builds()).length === 1,
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    ).catch(() => undefined);
    expect(await builds()).toEqual([live]);
  });
});
