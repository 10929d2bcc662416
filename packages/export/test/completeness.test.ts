/**
 * The property (docs/architecture.md, "What an export proves"): for any window, the export knows from the chain
 * the exact set of records with occurredAt in it, whichever run stored them and whenever. Removing, adding or
 * altering any one of them, late-collected ones included, makes the export refuse (or name it) and makes an
 * offline verify of the bundle fail naming the record. Against Ceph RGW (and the filesystem driver).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeCoverage } from '@crosswalk/assurance';
import { CONNECTOR, NOW, type Seeded, seedLocker, WINDOW } from '@crosswalk/assurance/testing';
import {
  CrosswalkError,
  type EvidenceRecord,
  recordHash,
  serializeRecord,
  sha256Hex,
  verifyRecordBytes,
} from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { FsObjectStore, keys, Locker, openLocker, parseLockerConfig } from '@crosswalk/locker';
import { runDraft } from '@crosswalk/locker/testing';
import { createTestBucket, s3LockerSettings, s3TestConfig } from '@crosswalk/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { criterionIndex } from '../src/build.js';
import { type ExportManifest, manifestSchema, verifyBundle } from '../src/index.js';
import { serializeManifest } from '../src/manifest.js';
import { type SigningKey, signBytes } from '../src/signing.js';
import { exportWindow, testSigningKey } from './fixtures.js';
import { readZip, writeZip } from './zip-tools.js';

const s3 = await s3TestConfig();
const freshDir = () => mkdtemp(path.join(tmpdir(), 'cw-complete-'));

async function s3Locker(): Promise<Locker> {
  const bucket = await createTestBucket(s3!);
  return openLocker(parseLockerConfig(s3LockerSettings(s3!, bucket)));
}

async function fsLocker(): Promise<Locker> {
  return new Locker(new FsObjectStore(path.join(await freshDir(), 'locker')));
}

async function refused(promise: Promise<unknown>): Promise<CrosswalkError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CrosswalkError);
  return error as CrosswalkError;
}

/** A record changed and re-hashed so it proves itself (id, schema, own hash), written over the stored one. */
function forged(record: EvidenceRecord): Buffer {
  const changed = { ...record, owner: { ...record.owner, controlOwner: 'someone-else@acme.example' } };
  const sealed = { ...changed, sha256: recordHash(changed as EvidenceRecord) } as EvidenceRecord;
  const bytes = Buffer.from(serializeRecord(sealed));
  verifyRecordBytes(bytes, 'forged');
  return bytes;
}

const drivers = [
  ['Ceph RGW', s3Locker],
  ['the filesystem', fsLocker],
] as const;

describe.each(drivers)('the completeness of an export from %s', (name, open) => {
  const skip = name === 'Ceph RGW' && !s3;
  let locker: Locker;
  let seeded: Seeded;
  let key: SigningKey;

  beforeAll(async () => {
    if (skip) return;
    locker = await open();
    seeded = await seedLocker(locker);
    key = await testSigningKey();
  });

  it.skipIf(skip)('holds a record collected a month after the window, and its run', async () => {
    const { file, result } = await exportWindow(locker, key);
    const entries = await readZip(file);
    const late = seeded.pullRequests.collectedAfterWindow;
    expect([...entries.keys()].some((n) => n.endsWith(`/${late}.json`))).toBe(true);
    expect([...entries.keys()].some((n) => n.startsWith('runs/') && n.includes('run-2026-02-01'))).toBe(true);
    expect(result.manifest.completeness).toMatchObject({
      vouched: seeded.inside.length,
      unvouched: { count: 0, records: [] },
    });
    expect(result.manifest.runChains[0]!.vouchers).toHaveLength(2);
    expect((await verifyBundle(file, { fingerprint: key.fingerprint })).failures).toEqual([]);
  });

  it.skipIf(skip)(
    'refuses with CW_CHAIN_BROKEN, naming it, when a late-collected record is deleted from the locker',
    async () => {
      const scratch = await open();
      const ours = await seedLocker(scratch);
      const late = ours.pullRequests.collectedAfterWindow;
      await scratch.store.delete(keys.evidenceKey({ id: late }));
      const error = await refused(exportWindow(scratch, key));
      expect(error.code).toBe('CW_CHAIN_BROKEN');
      expect(error.issues).toEqual([
        {
          path: late,
          message: expect.stringMatching(/vouched for by run run-2026-02-01 .* not in the locker/),
        },
      ]);
    },
  );

  it.skipIf(skip)(
    'refuses, naming it, when a record is replaced by one that proves itself but is not the one collected',
    async () => {
      const scratch = await open();
      const ours = await seedLocker(scratch);
      const id = ours.pullRequests.atFrom;
      const record = await scratch.records.getById(id);
      await scratch.store.put(keys.evidenceKey({ id }), forged(record));
      const error = await refused(exportWindow(scratch, key));
      expect(error.code).toBe('CW_CHAIN_BROKEN');
      expect(error.issues).toEqual([{ path: id, message: expect.stringMatching(/it was altered/) }]);
    },
  );

  it.skipIf(skip)(
    'refuses, naming each, when every record of a day is deleted: one inside the listing, one at its end',
    async () => {
      const scratch = await open();
      const ours = await seedLocker(scratch);
      // The only snapshot of 2026-01-05 (the listing goes from 01-03 to 01-06) and the only pull request of
      // 2026-01-07, the window's last day (the listing of pull requests ends on 01-03).
      const snapshot = ours.snapshots['2026-01-05']!;
      const last = ours.pullRequests.lastMillisecond;
      await scratch.store.delete(keys.evidenceKey({ id: snapshot }));
      await scratch.store.delete(keys.evidenceKey({ id: last }));
      const error = await refused(exportWindow(scratch, key));
      expect(error.code).toBe('CW_CHAIN_BROKEN');
      expect(error.issues).toHaveLength(2);
      expect(error.issues).toEqual(
        expect.arrayContaining([
          { path: snapshot, message: expect.stringMatching(/by run run-2026-01-05 .* not in the locker/) },
          { path: last, message: expect.stringMatching(/by run run-2026-01-08 .* not in the locker/) },
        ]),
      );
      const report = await computeCoverage({ locker: scratch, frameworks: ['soc2'], ...WINDOW, now: NOW });
      expect(report.runProblems.map((p) => p.key).sort()).toEqual([snapshot, last].sort());
    },
  );

  it.skipIf(skip)(
    'refuses, naming the record, when two chained runs vouch for different hashes of it',
    async () => {
      const scratch = await open();
      const ours = await seedLocker(scratch);
      const id = ours.pullRequests.atFrom;
      const startedAt = '2026-02-02T02:17:00.000Z';
      await scratch.runs.append(
        runDraft({
          runId: 'run-2026-02-02',
          connectorId: CONNECTOR,
          startedAt,
          records: [
            {
              id,
              kind: 'github.pull_request.approval',
              sha256: sha256Hex('not the record'),
              key: keys.evidenceKey({ id }),
            },
          ],
        }),
      );
      const error = await refused(exportWindow(scratch, key));
      expect(error.code).toBe('CW_CHAIN_BROKEN');
      expect(error.issues).toEqual([
        {
          path: id,
          message: expect.stringMatching(
            /runs run-2026-01-01 .* and run-2026-02-02 .* vouch for different hashes of/,
          ),
        },
      ]);
    },
  );

  it.skipIf(skip)(
    'leaves out a record no chained run vouches for, names it, and the bundle does not verify',
    async () => {
      const scratch = await open();
      await seedLocker(scratch);
      const added = await scratch.storeDraft(
        pullRequestDraft({ ref: 'acme/api#999', occurredAt: '2026-01-05T12:00:00.000Z' }),
      );
      const { file, result } = await exportWindow(scratch, key);
      expect(result.manifest.completeness!.unvouched).toEqual({
        count: 1,
        records: [{ id: added.id, key: added.key }],
      });
      const entries = await readZip(file);
      expect([...entries.keys()].some((n) => n.includes(added.id))).toBe(false);
      expect(entries.get('README.html')!.toString()).toContain(added.id);
      const verified = await verifyBundle(file);
      expect(verified.ok).toBe(false);
      expect(verified.failures).toEqual([
        expect.objectContaining({ check: 'completeness', message: expect.stringContaining(added.id) }),
      ]);
    },
  );

  it.skipIf(skip)(
    'refuses with CW_CHAIN_BROKEN when the manifest of a run that stored records of the window is gone',
    async () => {
      const scratch = await open();
      await seedLocker(scratch);
      // The run of 2026-02-01 started long after the window, but it stored a record of it.
      let late: string | undefined;
      for await (const object of scratch.store.list('runs/'))
        if (object.key.includes('run-2026-02-01')) late = object.key;
      await scratch.store.delete(late!);
      const error = await refused(exportWindow(scratch, key));
      expect(error.code).toBe('CW_CHAIN_BROKEN');
      expect(error.message).toMatch(/run-2026-02-01 claimed sequence 9 .* manifest is missing/);
      // A window the broken run has nothing to do with still exports.
      const before = await exportWindow(scratch, key, {
        from: '2025-12-01T00:00:00.000Z',
        to: '2025-12-31T00:00:00.000Z',
      });
      expect(before.result.manifest.runChains[0]!.lockerCheck.ok).toBe(true);
    },
  );
});

/**
 * A careful forger holding the signing key: changes evidence, then rewrites populations, counts, SHA256SUMS and
 * the manifest to match, and re-signs. Everything the file lists can check then agrees; only the runs in the
 * bundle, which vouch for the records of the period, can tell.
 */
async function forge(
  bundle: string,
  key: SigningKey,
  change: (entries: Map<string, Buffer>) => { dropRowOf?: string; addRow?: string },
): Promise<string> {
  const entries = await readZip(bundle);
  const rows = change(entries);
  const manifest = manifestSchema.parse(
    JSON.parse(entries.get('manifest.json')!.toString()),
  ) as ExportManifest;
  for (const [name, bytes] of entries) {
    if (!name.endsWith('.csv') || name === 'coverage.csv') continue;
    let lines = bytes.toString('utf8').split('\r\n');
    if (rows.dropRowOf) lines = lines.filter((line) => !line.startsWith(`${rows.dropRowOf},`));
    if (rows.addRow && name === 'populations.csv') lines.splice(lines.length - 1, 0, rows.addRow);
    entries.set(name, Buffer.from(lines.join('\r\n')));
    const shared = manifest.scope.populations?.find((p) => p.file === name);
    if (shared) {
      shared.records = lines.filter((l) => l !== '').length - 1;
      for (const control of manifest.scope.controls)
        if (control.kinds.includes(shared.kind))
          control.records = control.kinds.reduce(
            (sum, kind) => sum + (manifest.scope.populations!.find((p) => p.kind === kind)?.records ?? 0),
            0,
          );
    }
  }
  const evidence = [...entries.keys()].filter((n) => n.startsWith('evidence/'));
  manifest.counts.records = evidence.length;
  for (const kind of Object.keys(manifest.counts.byKind))
    manifest.counts.byKind[kind] = evidence.filter((n) => n.startsWith(`evidence/${kind}/`)).length;
  // The criteria's indexes give each shared file's row count: rewritten to match.
  for (const control of manifest.scope.controls) {
    if (!control.index) continue;
    const parts = control.kinds.map((kind) => manifest.scope.populations!.find((p) => p.kind === kind)!);
    entries.set(control.index, criterionIndex(parts));
  }
  manifest.counts.files = entries.size;
  const unlisted = new Set(['manifest.json', 'manifest.sig', 'SHA256SUMS']);
  const sums = [...entries]
    .filter(([name]) => !unlisted.has(name))
    .map(([name, bytes]) => `${sha256Hex(bytes)}  ${name}\n`)
    .join('');
  entries.set('SHA256SUMS', Buffer.from(sums));
  manifest.files = manifest.files.map((f) => ({
    path: f.path,
    sha256: sha256Hex(entries.get(f.path)!),
    bytes: entries.get(f.path)!.length,
  }));
  const bytes = serializeManifest(manifest);
  entries.set('manifest.json', bytes);
  entries.set('manifest.sig', signBytes(key, bytes));
  const out = path.join(await freshDir(), 'forged.zip');
  await writeZip(out, entries);
  return out;
}

describe('verify of a bundle re-signed after one record was removed, added or altered', () => {
  let locker: Locker;
  let seeded: Seeded;
  let key: SigningKey;
  let bundle: string;

  beforeAll(async () => {
    locker = await fsLocker();
    seeded = await seedLocker(locker);
    key = await testSigningKey();
    bundle = (await exportWindow(locker, key)).file;
  });

  const evidenceOf = (entries: Map<string, Buffer>, id: string) =>
    [...entries.keys()].find((n) => n.endsWith(`/${id}.json`))!;

  it('the forgery is otherwise consistent: removing nothing verifies', async () => {
    const file = await forge(bundle, key, () => ({}));
    expect((await verifyBundle(file, { fingerprint: key.fingerprint })).failures).toEqual([]);
  });

  it('names a removed late-collected record', async () => {
    const late = seeded.pullRequests.collectedAfterWindow;
    const file = await forge(bundle, key, (entries) => {
      entries.delete(evidenceOf(entries, late));
      return { dropRowOf: late };
    });
    const verified = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(verified.failures).toEqual([
      expect.objectContaining({
        check: 'completeness',
        message: expect.stringMatching(
          new RegExp(`run run-2026-02-01 stored ${late.replaceAll('.', '\\.')}`),
        ),
      }),
    ]);
  });

  it('names a removed record collected in the window', async () => {
    const id = seeded.snapshots['2026-01-03']!;
    const file = await forge(bundle, key, (entries) => {
      entries.delete(evidenceOf(entries, id));
      return { dropRowOf: id };
    });
    const verified = await verifyBundle(file);
    expect(verified.failures).toEqual([
      expect.objectContaining({ check: 'completeness', message: expect.stringContaining(id) }),
    ]);
  });

  it('names an altered record', async () => {
    const id = seeded.pullRequests.lastMillisecond;
    let name = '';
    const file = await forge(bundle, key, (entries) => {
      name = evidenceOf(entries, id);
      const record = verifyRecordBytes(entries.get(name)!, name);
      const bytes = forged(record);
      entries.set(name, bytes);
      const sha = (JSON.parse(bytes.toString()) as { sha256: string }).sha256;
      for (const csv of [...entries.keys()].filter(
        (n) => n.endsWith('population.csv') || n.startsWith('populations'),
      )) {
        const text = entries
          .get(csv)!
          .toString()
          .split('\r\n')
          .map((line) => {
            if (!line.startsWith(`${id},`)) return line;
            const cells = line.split(',');
            cells[cells.length - 5] = sha;
            cells[cells.length - 3] = sha256Hex(bytes);
            cells[cells.length - 2] = String(bytes.length);
            return cells.join(',');
          })
          .join('\r\n');
        entries.set(csv, Buffer.from(text));
      }
      return {};
    });
    const verified = await verifyBundle(file);
    expect(verified.failures.filter((f) => f.check === 'completeness')).toEqual([
      expect.objectContaining({ file: name, message: expect.stringContaining(`stored ${id} with hash`) }),
    ]);
  });

  it('names an added record', async () => {
    const extra = await locker.storeDraft(
      pullRequestDraft({ ref: 'acme/api#777', occurredAt: '2026-01-04T08:00:00.000Z' }),
    );
    const record = await locker.records.get(extra.key);
    const bytes = Buffer.from(serializeRecord(record));
    const name = `evidence/${record.kind}/2026-01-04/${record.id}.json`;
    const file = await forge(bundle, key, (entries) => {
      entries.set(name, bytes);
      return {};
    });
    const verified = await verifyBundle(file);
    expect(verified.failures).toContainEqual(
      expect.objectContaining({
        file: name,
        check: 'completeness',
        message: `${record.id} is in the bundle but no run in it vouches for it: it was added`,
      }),
    );
  });
});

describe('coverage', () => {
  it('names a late-collected record removed from the locker, and one no chained run vouches for', async () => {
    const locker = await fsLocker();
    const seeded = await seedLocker(locker);
    const late = seeded.pullRequests.collectedAfterWindow;
    const clean = await computeCoverage({ locker, frameworks: ['soc2'], ...WINDOW, now: NOW });
    expect(clean.runProblems).toEqual([]);
    await locker.store.delete(keys.evidenceKey({ id: late }));
    const added = await locker.storeDraft(
      pullRequestDraft({ ref: 'acme/api#31337', occurredAt: '2026-01-06T12:00:00.000Z' }),
    );
    const report = await computeCoverage({ locker, frameworks: ['soc2'], ...WINDOW, now: NOW });
    expect(report.runProblems).toEqual([
      {
        connectorId: '',
        key: added.key,
        message: expect.stringContaining(`${added.id} is vouched for by no chained run`),
      },
      { connectorId: '', key: late, message: expect.stringMatching(/run-2026-02-01 .* not in the locker/) },
    ]);
  });
});

describe('manifests and chain links', () => {
  it('list every record a run emitted, with the stored hash of those already there, and the days they fall on', async () => {
    const locker = await fsLocker();
    const first = await locker.storeDraft(
      pullRequestDraft({ ref: 'a#1', occurredAt: '2026-01-02T10:00:00.000Z' }),
    );
    const draft = runDraft({
      runId: 'r1',
      connectorId: CONNECTOR,
      trigger: { type: 'manual', by: 'test' },
      startedAt: '2026-01-03T00:00:00.000Z',
      finishedAt: '2026-01-03T00:01:00.000Z',
      records: [{ id: first.id, kind: 'github.pull_request.approval', sha256: first.sha256, key: first.key }],
    });
    const manifest = await locker.runs.append(draft);
    expect(manifest.days).toEqual(['github.pull_request.approval/2026-01-02']);
    const link = JSON.parse(
      Buffer.from((await locker.store.get(keys.chainLinkKey(CONNECTOR, 1)))!).toString(),
    ) as { days: string[]; previousLink?: string };
    expect(link.days).toEqual(manifest.days);
    expect(link.previousLink).toBeUndefined();
    await locker.runs.append({ ...draft, runId: 'r2', startedAt: '2026-01-04T00:00:00.000Z' });
    const second = JSON.parse(
      Buffer.from((await locker.store.get(keys.chainLinkKey(CONNECTOR, 2)))!).toString(),
    ) as { previousLink?: string };
    expect(second.previousLink).toMatch(/^[0-9a-f]{64}$/);
    expect((await locker.runs.verifyChain(CONNECTOR)).ok).toBe(true);

    // A link whose days were edited no longer follows the one before it... and the next one no longer follows it.
    const edited = { ...link, days: [] };
    await locker.store.put(keys.chainLinkKey(CONNECTOR, 1), Buffer.from(JSON.stringify(edited)));
    const report = await locker.runs.verifyChain(CONNECTOR);
    expect(report.problems.map((p) => p.message)).toEqual([
      'chain link names other days than its manifest',
      'chain link 2 does not follow link 1 (its hash differs): a link was replaced',
    ]);
  });
});
