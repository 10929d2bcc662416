import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WINDOW } from '@crosswalk/connector-github/testing';
import type { EvidenceKind } from '@crosswalk/core';
import { signingKeyFromPem, verifyBundle } from '@crosswalk/export';
import { type RunningWorker, startWorker } from '@crosswalk/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_TRACE, seedFromGitHub, services, startTestApp, type TestApp } from './helpers.js';

const signingKey = signingKeyFromPem(
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  'test',
);

interface Status {
  id: string;
  status: string;
  request: { frameworks: string[]; from: string; to: string; requestedBy: string };
  result: {
    sha256: string;
    bytes: number;
    fingerprint: string;
    records: number;
    leftOut: { count: number; records: { id: string; key: string }[] } | null;
  } | null;
  download: { url: string; presignedUrl: string | null } | null;
  error: { code: string; message: string } | null;
}

describe.skipIf(!services)('Exports and coverage through the API', () => {
  let t: TestApp;
  let worker: RunningWorker;
  let dir: string;
  let scoped: string;

  beforeAll(async () => {
    t = await startTestApp({ db: 6 });
    dir = await mkdtemp(path.join(tmpdir(), 'cw-api-exports-'));
    await seedFromGitHub(t.runtime.locker);
    worker = await startWorker(t.runtime, { signingKey, stalledIntervalMs: 5_000 });
    scoped = (
      await t.runtime.keys.create({
        name: 'auditor March, SOC 2 only',
        role: 'auditor',
        createdBy: 'test',
        scope: { from: '2026-03-01', to: '2026-04-01', frameworks: ['soc2'] },
      })
    ).token;
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const post = (body: unknown, token = t.tokens.auditor) =>
    t.app.inject({ method: 'POST', url: '/v1/exports', headers: t.bearer(token), payload: body as object });
  const get = (url: string, token = t.tokens.auditor) =>
    t.app.inject({ method: 'GET', url, headers: t.bearer(token) });

  /** Every object the locker holds under exports/: what a refused request must not have added to. */
  async function exportObjects(): Promise<string[]> {
    const found: string[] = [];
    for await (const object of t.runtime.locker.store.list('exports/')) found.push(object.key);
    return found;
  }

  async function settled(id: string, token = t.tokens.auditor): Promise<Status> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = (await get(`/v1/exports/${id}`, token)).json() as Status;
      if (!['queued', 'running'].includes(status.status) || Date.now() > deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('queues an export, builds it on the worker, and serves a bundle that verifies and holds the window', async () => {
    const asked = await post({ frameworks: ['soc2'], from: WINDOW.since, to: WINDOW.until });
    expect(asked.statusCode).toBe(202);
    const queued = asked.json() as Status;
    expect(asked.headers.location).toBe(`/v1/exports/${queued.id}`);
    expect(queued.request).toMatchObject({
      frameworks: ['soc2-2017'],
      from: WINDOW.since,
      to: WINDOW.until,
      requestedBy: expect.stringMatching(/^key:/),
    });

    const done = await settled(queued.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    expect(done.result?.fingerprint).toBe(signingKey.fingerprint);
    expect(done.result?.leftOut).toEqual({ count: 0, records: [] });

    // Streamed through the API: the bytes hash to what the status says, and the bundle verifies offline.
    const download = await get(done.download!.url);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    const zip = download.rawPayload;
    const sha256 = createHash('sha256').update(zip).digest('hex');
    expect(sha256).toBe(done.result!.sha256);
    expect(download.headers['x-crosswalk-sha256']).toBe(sha256);
    expect(zip.length).toBe(done.result!.bytes);
    const file = path.join(dir, 'bundle.zip');
    await writeFile(file, zip);
    const verified = await verifyBundle(file, { fingerprint: signingKey.fingerprint });
    expect(verified.failures).toEqual([]);
    expect(verified.ok).toBe(true);

    // Exactly the window's SOC 2 evidence, as the locker lists it independently.
    const expected: string[] = [];
    for (const kind of verified.manifest!.scope.kinds) {
      for await (const ref of t.runtime.locker.records.refs(kind as EvidenceKind, {
        from: WINDOW.since,
        to: WINDOW.until,
      })) {
        expected.push(ref.id);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(verified.manifest!.counts.records).toBe(expected.length);
    expect(done.result!.records).toBe(expected.length);

    // Straight from the bucket: the presigned URL needs no key and returns the same bytes.
    expect(done.download!.presignedUrl).toMatch(/^http/);
    const direct = await fetch(done.download!.presignedUrl!);
    expect(direct.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await direct.arrayBuffer()))
        .digest('hex'),
    ).toBe(sha256);

    // Who asked, and who downloaded, is in the audit trail.
    const actions: string[] = [];
    for await (const entry of t.runtime.locker.audit.list({
      from: '2000-01-01T00:00:00.000Z',
      to: '2100-01-01T00:00:00.000Z',
    })) {
      if (entry.target === queued.id) actions.push(entry.action);
    }
    expect(actions.sort()).toEqual(['export.download', 'export.request']);
  });

  it('refuses bad requests with a 400 naming the field, and writes and queues nothing', async () => {
    const before = await exportObjects();
    const waiting = await t.runtime.exportQueue.queue.getJobCounts();
    const cases: [unknown, string][] = [
      [{ frameworks: ['soc2'], from: '2026-03-08', to: '2026-03-01' }, 'CW_INPUT_INVALID'],
      [{ frameworks: ['soc2'], from: '2024-01-01', to: '2026-03-01' }, 'CW_INPUT_INVALID'],
      [{ frameworks: ['pci'], from: '2026-03-01', to: '2026-03-08' }, 'CW_FRAMEWORK_UNKNOWN'],
      [
        { frameworks: ['soc2'], controls: ['CC99.9'], from: '2026-03-01', to: '2026-03-08' },
        'CW_CONTROL_UNKNOWN',
      ],
      [{ frameworks: ['soc2'], from: 'last tuesday', to: '2026-03-08' }, 'CW_INPUT_INVALID'],
      [{ frameworks: [], from: '2026-03-01', to: '2026-03-08' }, 'CW_INPUT_INVALID'],
      [{ frameworks: ['soc2'], from: '2026-03-01', to: '2026-03-08', extra: 1 }, 'CW_INPUT_INVALID'],
    ];
    for (const [body, code] of cases) {
      const response = await post(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code, JSON.stringify(body)).toBe(code);
      expect(response.body).not.toMatch(STACK_TRACE);
    }
    expect(await exportObjects()).toEqual(before);
    expect(await t.runtime.exportQueue.queue.getJobCounts()).toEqual(waiting);
  });

  it('keeps a scoped auditor inside its period and frameworks, for asking and for reading', async () => {
    const before = await exportObjects();
    for (const body of [
      { frameworks: ['soc2'], from: '2026-02-15', to: '2026-03-08' },
      { frameworks: ['soc2'], from: '2026-03-01', to: '2026-04-02' },
      { frameworks: ['soc2', 'iso27001'], from: '2026-03-01', to: '2026-03-08' },
    ]) {
      const response = await post(body, scoped);
      expect(response.statusCode, JSON.stringify(body)).toBe(403);
      expect(response.json().error.code).toBe('CW_FORBIDDEN');
    }
    expect(await exportObjects()).toEqual(before);

    // An admin's ISO export exists, but the SOC 2 auditor may not read it, nor download it.
    const iso = (
      await post({ frameworks: ['iso27001'], from: '2026-03-01', to: '2026-03-08' }, t.tokens.admin)
    ).json().id as string;
    expect((await get(`/v1/exports/${iso}`, scoped)).statusCode).toBe(403);
    expect((await get(`/v1/exports/${iso}/bundle.zip`, scoped)).statusCode).toBe(403);
    expect((await settled(iso, t.tokens.admin)).status).toBe('done');

    const inside = await post(
      { frameworks: ['soc2'], controls: ['CC8.1'], from: '2026-03-01', to: '2026-03-08' },
      scoped,
    );
    expect(inside.statusCode).toBe(202);
    expect((await settled(inside.json().id, scoped)).status).toBe('done');
  });

  it('reports a bundle that cannot be built as failed, with the reason, and never serves one', async () => {
    // A record in the window whose bytes no longer match its hash: an export must not sign over it.
    const refs = t.runtime.locker.records.refs('github.pull_request.approval', {
      from: WINDOW.since,
      to: WINDOW.until,
    });
    let victim: string | undefined;
    for await (const ref of refs) {
      victim = ref.key;
      break;
    }
    expect(victim).toBeDefined();
    const original = Buffer.from((await t.runtime.locker.store.get(victim!))!);
    const tampered = Buffer.from(original);
    const at = tampered.length - 3;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    await t.runtime.locker.store.put(victim!, tampered);
    try {
      const id = (
        await post({ frameworks: ['soc2'], from: WINDOW.since, to: WINDOW.until }, t.tokens.admin)
      ).json().id as string;
      const failed = await settled(id, t.tokens.admin);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('CW_LOCKER_CORRUPT');
      expect(failed.download).toBeNull();
      const download = await get(`/v1/exports/${id}/bundle.zip`, t.tokens.admin);
      expect(download.statusCode).toBe(404);
    } finally {
      await t.runtime.locker.store.put(victim!, original);
    }
  });

  it('reports an export over a broken chain as failed with CW_CHAIN_BROKEN, and never serves one', async () => {
    // The manifest of a run that stored records of the window is gone: its link still claims it.
    let victim: string | undefined;
    for await (const object of t.runtime.locker.store.list('runs/')) {
      const run = await t.runtime.locker.runs.read(object.key);
      if (run.records.some((r) => r.kind === 'github.pull_request.approval')) {
        victim = object.key;
        break;
      }
    }
    expect(victim).toBeDefined();
    const original = Buffer.from((await t.runtime.locker.store.get(victim!))!);
    await t.runtime.locker.store.delete(victim!);
    try {
      const id = (
        await post({ frameworks: ['soc2'], from: WINDOW.since, to: WINDOW.until }, t.tokens.admin)
      ).json().id as string;
      const failed = await settled(id, t.tokens.admin);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('CW_CHAIN_BROKEN');
      expect(failed.download).toBeNull();
      expect((await get(`/v1/exports/${id}/bundle.zip`, t.tokens.admin)).statusCode).toBe(404);
    } finally {
      await t.runtime.locker.store.put(victim!, original);
    }
  });

  it('answers unknown and malformed ids, and says so when the queue lost a job', async () => {
    expect((await get('/v1/exports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const malformed = await get('/v1/exports/..%2Fconfig');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.issues[0].path).toBe('params.id');

    await worker.close();
    try {
      const id = (await post({ frameworks: ['soc2'], from: WINDOW.since, to: WINDOW.until })).json()
        .id as string;
      expect((await get(`/v1/exports/${id}`)).json().status).toBe('queued');
      await t.runtime.exportQueue.queue.obliterate({ force: true });
      expect((await get(`/v1/exports/${id}`)).json().status).toBe('lost');
      expect((await get(`/v1/exports/${id}/bundle.zip`)).statusCode).toBe(404);
    } finally {
      worker = await startWorker(t.runtime, { signingKey, stalledIntervalMs: 5_000 });
    }
  });

  it('lists the exports a key may read, in the order they were asked for, a page at a time', async () => {
    interface Listed {
      exports: { id: string; status: string; request: { frameworks: string[]; requestedAt: string } }[];
      nextCursor: string | null;
    }
    const all = (await get('/v1/exports?limit=1000', t.tokens.admin)).json() as Listed;
    expect(all.nextCursor).toBeNull();
    // Every export the earlier tests asked for (all made by this file), oldest first: ids are time-ordered.
    expect(all.exports.length).toBeGreaterThanOrEqual(5);
    expect(all.exports.map((e) => e.request.requestedAt)).toEqual(
      all.exports.map((e) => e.request.requestedAt).sort(),
    );
    expect(new Set(all.exports.map((e) => e.status))).toEqual(new Set(['done', 'failed', 'lost']));

    // The SOC 2 auditor does not see the admin's ISO export.
    const visible = (await get('/v1/exports?limit=1000', scoped)).json() as Listed;
    expect(visible.exports.length).toBeGreaterThan(0);
    expect(visible.exports.length).toBeLessThan(all.exports.length);
    for (const item of visible.exports) expect(item.request.frameworks).toEqual(['soc2-2017']);

    // Pages of two, following nextCursor, give the same list.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (
        await get(`/v1/exports?limit=2${cursor ? `&cursor=${cursor}` : ''}`, t.tokens.admin)
      ).json() as Listed;
      expect(page.exports.length).toBeLessThanOrEqual(2);
      paged.push(...page.exports.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.exports.map((e) => e.id));

    // Nothing was asked for in the future; a malformed cursor is a 400.
    expect((await get('/v1/exports?from=2099-01-01', t.tokens.admin)).json().exports).toEqual([]);
    expect((await get('/v1/exports?cursor=..%2Fkeys', t.tokens.admin)).statusCode).toBe(400);
  });

  describe('GET /v1/coverage', () => {
    it('reports per control and kind over the window, manual controls included', async () => {
      const response = await get(
        `/v1/coverage?framework=soc2,iso27001&from=${WINDOW.since}&to=${WINDOW.until}`,
      );
      expect(response.statusCode).toBe(200);
      const report = response.json();
      expect(report.window).toEqual({ from: WINDOW.since, to: WINDOW.until });
      expect(report.frameworks).toEqual(['soc2-2017', 'iso27001-2022']);
      const approvals = report.kinds.find((k: { kind: string }) => k.kind === 'github.pull_request.approval');
      let stored = 0;
      for await (const _ of t.runtime.locker.records.refs('github.pull_request.approval', {
        from: WINDOW.since,
        to: WINDOW.until,
      })) {
        stored++;
      }
      expect(stored).toBeGreaterThan(0);
      // The seeding run started after the window (at NOW): found late, but no run inside the window, which
      // coverage must say rather than credit the window with runs it did not have.
      expect(approvals).toMatchObject({ found: stored, expected: null, connectors: [] });
      expect(approvals.noRunDays).toEqual([
        '2026-03-01',
        '2026-03-02',
        '2026-03-03',
        '2026-03-04',
        '2026-03-05',
        '2026-03-06',
        '2026-03-07',
      ]);
      const review = report.controls.find((c: { id: string }) => c.id === '9.3');
      expect(review).toMatchObject({ framework: 'iso27001-2022', status: 'manual', kinds: [] });
      expect(report.controls.find((c: { id: string }) => c.id === 'CC8.1').status).not.toBe('manual');
    });

    it('takes repeated parameters, refuses bad windows with 400 and scope breaches with 403', async () => {
      const repeated = await get(
        `/v1/coverage?framework=soc2&control=CC8.1&control=CC6.1&from=2026-03-01&to=2026-03-08`,
      );
      expect(repeated.statusCode).toBe(200);
      expect(repeated.json().controls.map((c: { id: string }) => c.id)).toEqual(['CC6.1', 'CC8.1']);
      const backwards = await get('/v1/coverage?framework=soc2&from=2026-03-08&to=2026-03-01');
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().error.code).toBe('CW_INPUT_INVALID');
      expect((await get('/v1/coverage?framework=soc2')).statusCode).toBe(400);
      const outside = await get('/v1/coverage?framework=iso27001&from=2026-03-01&to=2026-03-08', scoped);
      expect(outside.statusCode).toBe(403);
      const inside = await get('/v1/coverage?framework=soc2&from=2026-03-01&to=2026-03-08', scoped);
      expect(inside.statusCode).toBe(200);
    });
  });
});
