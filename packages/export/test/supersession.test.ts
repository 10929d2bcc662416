import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeCoverage, currencyInWindow } from '@crosswalk/assurance';
import { controlsFor } from '@crosswalk/controls';
import { sha256Hex } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { runDraft } from '@crosswalk/locker/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { criterionIndex } from '../src/build.js';
import {
  type ExportResult,
  exportToFile,
  POPULATION_COLUMNS,
  parseCsv,
  type SigningKey,
  verifyBundle,
} from '../src/index.js';
import { type ExportManifest, serializeManifest } from '../src/manifest.js';
import { signBytes } from '../src/signing.js';
import { type Answer, answerDraft, readZip, repack, testSigningKey } from './fixtures.js';

/**
 * Populations count the current answer per subject once. Derived deprovisioning timeliness stores a new record
 * each time the answer about a ticket changes, naming the one it replaces; the superseded ones stay in the bundle,
 * marked. Histories here: the 9-tickets / 23-records shape of a real quarter, a chain collected out of order,
 * two answers naming the same one, a link back to before the window, and an answer replaced after the window.
 */

const KIND = 'crosswalk.deprovisioning_timeliness';
const Q1 = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
const Q2 = { from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
const NOW = new Date('2026-08-01T00:00:00.000Z');
const generator = { name: 'crosswalk', version: '0.1.0-test' };
const [CONTROL] = controlsFor(KIND)['soc2-2017'];
/** The kind's current answers, written once for every criterion that rests on it. */
const SHARED = `populations/${KIND}.csv`;

/** Stores a ticket's answers as a chain, each naming the one before; returns their ids in chain order. */
async function storeChain(
  locker: Locker,
  ticket: string,
  occurredAt: string,
  statuses: Answer['status'][],
  collectedAt: (i: number) => string,
): Promise<string[]> {
  const ids: string[] = [];
  const drafts = statuses.map((status, i) => ({ status, i }));
  // Ids do not depend on supersedes, so the chain can be computed before storing in any order.
  for (const { status, i } of drafts) {
    const draft = answerDraft({
      ticket,
      occurredAt,
      collectedAt: collectedAt(i),
      status,
      supersedes: i === 0 ? null : ids[i - 1]!,
    });
    const stored = await locker.storeDraft(draft);
    ids.push(stored.id);
  }
  return ids;
}

/**
 * Chains a run manifest listing every record in the locker, as the derived connector's runs would: an export holds
 * only records a chained run vouches for.
 */
async function vouchAll(locker: Locker): Promise<void> {
  const records: { id: string; kind: string; sha256: string; key: string }[] = [];
  for await (const object of locker.store.list('evidence/')) {
    const record = await locker.records.get(object.key);
    records.push({ id: record.id, kind: record.kind, sha256: record.sha256, key: object.key });
  }
  const startedAt = new Date().toISOString();
  await locker.runs.append(
    runDraft({
      runId: `vouch-${records.length}-${Date.now()}`,
      connectorId: 'derived',
      connectorType: 'crosswalk',
      trigger: { type: 'manual', by: 'test' },
      startedAt,
      records,
    }),
  );
}

async function exportOf(locker: Locker, dir: string, window: typeof Q1, key: SigningKey, name: string) {
  await vouchAll(locker);
  const file = path.join(dir, `${name}.zip`);
  const result = await exportToFile(file, {
    locker,
    frameworks: ['soc2'],
    from: window.from,
    to: window.to,
    signingKey: key,
    generator,
    now: NOW,
    connectors: ['derived'],
  });
  const entries = await readZip(file);
  const table = (name: string) => {
    const [header, ...rows] = parseCsv(entries.get(name)!.toString('utf8'));
    return rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]!])));
  };
  return { file, result, entries, table };
}

let key: SigningKey;
beforeAll(async () => {
  key = await testSigningKey();
});

describe('a quarter of 9 tickets with 23 timeliness answers', () => {
  const perTicket: Answer['status'][][] = [
    ['pending', 'not_found', 'late', 'late'],
    ['pending', 'not_found', 'not_found', 'late'],
    ['pending', 'not_found', 'late'],
    ['pending', 'late', 'late'],
    ['pending', 'on_time'],
    ['pending', 'on_time'],
    ['pending', 'not_found'],
    ['pending', 'late'],
    ['on_time'],
  ];
  let dir: string;
  let locker: Locker;
  let chains: string[][];
  let q1: Awaited<ReturnType<typeof exportOf>>;
  let result: ExportResult;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-supersede-'));
    locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    chains = [];
    for (const [t, statuses] of perTicket.entries()) {
      const occurredAt = `2026-02-${String(t + 1).padStart(2, '0')}T09:00:00.000Z`;
      // Ticket 0 was collected out of order: its last answer carries the earliest collectedAt (a backfill
      // computed on a host whose clock was behind), so only the links can say which is current.
      const collectedAt = (i: number) =>
        t === 0 && i === statuses.length - 1
          ? '2026-02-01T09:30:00.000Z'
          : `2026-02-${String(t + 2 + i).padStart(2, '0')}T10:00:00.000Z`;
      chains.push(await storeChain(locker, `IT-${t}`, occurredAt, statuses, collectedAt));
    }
    q1 = await exportOf(locker, dir, Q1, key, 'q1');
    result = q1.result;
  });

  it('lists all 23 records in populations.csv, 14 marked superseded, each naming its replacement', () => {
    const rows = q1.table('populations.csv');
    expect(rows).toHaveLength(23);
    expect(rows.filter((r) => r.current === 'no')).toHaveLength(14);
    expect(rows.filter((r) => r.current === 'yes')).toHaveLength(9);
    const byId = new Map(rows.map((r) => [r.id!, r]));
    for (const chain of chains) {
      const last = chain.at(-1)!;
      expect(byId.get(last)).toMatchObject({ current: 'yes', supersededBy: '', currentId: last });
      for (const [i, id] of chain.slice(0, -1).entries()) {
        expect(byId.get(id)).toMatchObject({
          current: 'no',
          supersedes: i === 0 ? '' : chain[i - 1],
          supersededBy: chain[i + 1],
          currentId: last,
        });
      }
    }
  });

  it('keeps every superseded record in the bundle for history', () => {
    const evidence = [...q1.entries.keys()].filter((n) => n.startsWith(`evidence/${KIND}/`));
    expect(evidence).toHaveLength(23);
    expect(result.manifest.counts.byKind[KIND]).toBe(23);
  });

  it("gives the control 9 rows to sample from: each ticket's current answer once", () => {
    const control = result.manifest.scope.controls.find((c) => c.id === CONTROL)!;
    expect(control.records).toBe(9);
    expect(control.populations).toContain(SHARED);
    const rows = control.populations!.flatMap((file) => q1.table(file));
    expect(rows.map((r) => r.id).sort()).toEqual(chains.map((c) => c.at(-1)).sort());
    expect(new Set(rows.map((r) => r.current))).toEqual(new Set(['yes']));
  });

  it('counts 9 found in coverage, in the bundle and straight from the locker alike', async () => {
    const inBundle = result.coverage.kinds.find((k) => k.kind === KIND)!;
    expect(inBundle.found).toBe(9);
    expect(result.coverage.controls.find((c) => c.id === CONTROL)!.found).toBe(9);
    const direct = await computeCoverage({ locker, frameworks: ['soc2'], ...Q1, now: NOW, connectors: [] });
    expect(direct.kinds.find((k) => k.kind === KIND)!.found).toBe(9);
    const readme = q1.entries.get('README.html')!.toString('utf8');
    expect(readme).toContain(`<code>${KIND}</code> (event): 9 found`);
    expect(readme).toContain('23 (9 current, 14 superseded)');
  });

  /**
   * The key holder rewrites files and re-signs: hashes, SHA256SUMS and signature all agree, so only the meaning
   * of the populations can give the bundle away.
   */
  async function reSigned(change: (entries: Map<string, Buffer>) => string[]) {
    const file = path.join(dir, `resigned-${Math.random().toString(16).slice(2)}.zip`);
    await repack(q1.file, file, (e) => {
      const changed = change(e);
      let sums = e.get('SHA256SUMS')!.toString('utf8');
      let manifest = e.get('manifest.json')!.toString('utf8');
      for (const name of changed) {
        const bytes = e.get(name)!;
        const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        sums = sums.replace(new RegExp(`^[0-9a-f]{64}(?=  ${escaped}$)`, 'm'), sha256Hex(bytes));
        manifest = manifest.replace(
          new RegExp(`("path":"${escaped}","sha256":")[0-9a-f]{64}(","bytes":)\\d+`),
          `$1${sha256Hex(bytes)}$2${bytes.length}`,
        );
      }
      e.set('SHA256SUMS', Buffer.from(sums));
      manifest = manifest.replace(
        /("path":"SHA256SUMS","sha256":")[0-9a-f]{64}(","bytes":)\d+/,
        `$1${sha256Hex(sums)}$2${Buffer.byteLength(sums)}`,
      );
      e.set('manifest.json', Buffer.from(manifest));
      e.set('manifest.sig', signBytes(key, Buffer.from(manifest)));
    });
    return file;
  }

  it('fails verify, naming the file, when a signed control population counts superseded answers', async () => {
    const populations = q1.entries.get('populations.csv')!.toString('utf8');
    // Every answer as a row to sample from, as before current answers were told apart.
    const file = await reSigned((e) => {
      e.set(SHARED, Buffer.from(populations));
      const manifest = e
        .get('manifest.json')!
        .toString('utf8')
        .replace(`"file":"${SHARED}","records":9`, `"file":"${SHARED}","records":23`);
      e.set('manifest.json', Buffer.from(manifest));
      return [SHARED];
    });
    const report = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        file: SHARED,
        check: 'population',
        message: expect.stringContaining('which is not a current answer'),
      }),
    );
    expect(report.failures.every((f) => f.check === 'population')).toBe(true);
  });

  it('fails verify when populations.csv marks a replaced answer current, or a control leaves a current one out', async () => {
    const [first, last] = [chains[4]![0]!, chains[4]!.at(-1)!];
    const marked = await reSigned((e) => {
      const text = e.get('populations.csv')!.toString('utf8');
      const row = text.split('\r\n').find((l) => l.startsWith(`${first},`))!;
      e.set('populations.csv', Buffer.from(text.replace(row, row.replace(/,no,,/, ',yes,,'))));
      return ['populations.csv'];
    });
    expect((await verifyBundle(marked)).failures).toContainEqual({
      file: 'populations.csv',
      check: 'population',
      message: `${first} is marked current but names ${last} as replacing it`,
    });
    // A careful forger: the shared file, its count, and the count and index of every criterion resting on it agree.
    const left = await reSigned((e) => {
      const text = e.get(SHARED)!.toString('utf8');
      const row = text.split('\r\n').find((l) => l.startsWith(`${last},`))!;
      e.set(SHARED, Buffer.from(text.replace(`${row}\r\n`, '')));
      const manifest = JSON.parse(e.get('manifest.json')!.toString('utf8')) as ExportManifest;
      const shared = manifest.scope.populations!;
      shared.find((p) => p.file === SHARED)!.records--;
      const indexes: string[] = [];
      for (const c of manifest.scope.controls) {
        if (!c.kinds.includes(KIND)) continue;
        c.records--;
        e.set(c.index!, criterionIndex(c.kinds.map((kind) => shared.find((p) => p.kind === kind)!)));
        indexes.push(c.index!);
      }
      e.set('manifest.json', serializeManifest(manifest));
      return [SHARED, ...indexes];
    });
    expect((await verifyBundle(left)).failures).toEqual([
      {
        file: SHARED,
        check: 'population',
        message: `${SHARED} has 8 rows for the 9 current answers of its kinds in populations.csv`,
      },
    ]);
  });

  it('passes verify with the new columns', async () => {
    expect(POPULATION_COLUMNS.slice(-4)).toEqual(['current', 'supersedes', 'supersededBy', 'currentId']);
    const verified = await verifyBundle(q1.file, { fingerprint: key.fingerprint });
    expect(verified.failures).toEqual([]);
    expect(verified.ok).toBe(true);
  });
});

describe('supersession at and across the window edges', () => {
  let dir: string;
  let locker: Locker;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-supersede-edge-'));
    locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    const store = async (name: string, answer: Omit<Answer, 'supersedes'> & { supersedes?: string }) => {
      ids[name] = (
        await locker.storeDraft(answerDraft({ ...answer, supersedes: answer.supersedes ?? null }))
      ).id;
    };
    // Replaced after the window's end by an answer that occurred in the next quarter.
    await store('edgeIn', {
      ticket: 'EDGE',
      occurredAt: '2026-03-31T23:59:59.999Z',
      collectedAt: '2026-04-01T01:00:00.000Z',
      status: 'pending',
    });
    await store('edgeOut', {
      ticket: 'EDGE',
      occurredAt: '2026-04-01T00:00:00.000Z',
      collectedAt: '2026-04-03T01:00:00.000Z',
      status: 'late',
      supersedes: ids.edgeIn,
    });
    // Two answers naming the same one (two runs that answered from the same state): the later collected stands.
    await store('forkRoot', {
      ticket: 'FORK',
      occurredAt: '2026-02-10T00:00:00.000Z',
      collectedAt: '2026-02-10T01:00:00.000Z',
      status: 'pending',
    });
    await store('forkEarly', {
      ticket: 'FORK',
      occurredAt: '2026-02-10T00:00:00.000Z',
      collectedAt: '2026-02-12T01:00:00.000Z',
      status: 'not_found',
      supersedes: ids.forkRoot,
    });
    await store('forkLate', {
      ticket: 'FORK',
      occurredAt: '2026-02-10T00:00:00.000Z',
      collectedAt: '2026-02-12T01:00:05.000Z',
      status: 'late',
      supersedes: ids.forkRoot,
    });
    // An answer that names one before the window: it stands, and says what it replaced.
    await store('before', {
      ticket: 'BACK',
      occurredAt: '2025-12-20T00:00:00.000Z',
      collectedAt: '2025-12-20T01:00:00.000Z',
      status: 'pending',
    });
    await store('after', {
      ticket: 'BACK',
      occurredAt: '2026-01-05T00:00:00.000Z',
      collectedAt: '2026-01-06T01:00:00.000Z',
      status: 'late',
      supersedes: ids.before,
    });
  });

  it('marks an answer replaced after the window superseded, naming the replacement, which stays outside', async () => {
    const q1 = await exportOf(locker, dir, Q1, key, 'edge-q1');
    const rows = new Map(q1.table('populations.csv').map((r) => [r.id!, r]));
    expect(rows.get(ids.edgeIn!)).toMatchObject({
      current: 'no',
      supersededBy: ids.edgeOut,
      currentId: ids.edgeOut,
    });
    expect(rows.has(ids.edgeOut!)).toBe(false);
    expect((await verifyBundle(q1.file)).ok).toBe(true);
  });

  it('counts each subject once across adjacent windows: in the window of its current answer', async () => {
    const q1 = await exportOf(locker, dir, Q1, key, 'adjacent-q1');
    const q2 = await exportOf(locker, dir, Q2, key, 'adjacent-q2');
    const files = (r: ExportResult) => r.manifest.scope.controls.find((c) => c.id === CONTROL)!.populations!;
    const current = [
      ...files(q1.result).flatMap((file) => q1.table(file)),
      ...files(q2.result).flatMap((file) => q2.table(file)),
    ].map((r) => r.id);
    expect(current.sort()).toEqual([ids.after, ids.edgeOut, ids.forkLate].sort());
    expect(q2.table('populations.csv').map((r) => r.current)).toEqual(['yes']);
  });

  it('keeps the later-collected of two answers naming the same one, the other superseded by it', async () => {
    const rows = new Map(
      (await exportOf(locker, dir, Q1, key, 'fork')).table('populations.csv').map((r) => [r.id!, r]),
    );
    expect(rows.get(ids.forkLate!)).toMatchObject({ current: 'yes', supersedes: ids.forkRoot });
    expect(rows.get(ids.forkEarly!)).toMatchObject({ current: 'no', supersededBy: ids.forkLate });
    expect(rows.get(ids.forkRoot!)).toMatchObject({ current: 'no', supersededBy: ids.forkLate });
  });

  it('keeps an answer current whose predecessor is before the window, naming it', async () => {
    const rows = new Map(
      (await exportOf(locker, dir, Q1, key, 'back')).table('populations.csv').map((r) => [r.id!, r]),
    );
    expect(rows.get(ids.after!)).toMatchObject({
      current: 'yes',
      supersedes: ids.before,
      currentId: ids.after,
    });
    expect(rows.has(ids.before!)).toBe(false);
  });

  it('gives control testing the same answer through currencyInWindow', async () => {
    const seen = [];
    for await (const c of currencyInWindow(locker, KIND, Q1)) seen.push(c);
    expect(seen.map((c) => c.occurredAt)).toEqual([...seen.map((c) => c.occurredAt)].sort());
    expect(
      seen
        .filter((c) => c.current)
        .map((c) => c.id)
        .sort(),
    ).toEqual([ids.after, ids.forkLate].sort());
    expect(seen.find((c) => c.id === ids.edgeIn)).toMatchObject({ current: false, currentId: ids.edgeOut });
  });
});
