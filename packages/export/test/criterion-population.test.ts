import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NOW, seedLocker, WINDOW } from '@crosswalk/assurance/testing';
import { controlsFor } from '@crosswalk/controls';
import { sha256Hex } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ExportResult, exportToFile, parseCsv, type SigningKey, verifyBundle } from '../src/index.js';
import { type ExportManifest, serializeManifest } from '../src/manifest.js';
import { signBytes } from '../src/signing.js';
import { testSigningKey } from './fixtures.js';
import { readZip, repack, writeZip } from './zip-tools.js';

/**
 * Each kind's current rows are written once, to populations/<kind>.csv, however many criteria rest on the kind:
 * pull request approvals back several ISO 27001 controls and SOC 2 CC8.1, and the bundle holds their rows once.
 * A criterion two kinds map to (CC8.1: approvals and branch protection snapshots) names both shared files, and its
 * population is their rows, none twice. verify refuses a shared file with a row twice, or altered, naming it.
 */
const generator = { name: 'crosswalk', version: '0.1.0-test' };
const APPROVALS = 'github.pull_request.approval';
const SHARED = `populations/${APPROVALS}.csv`;

describe('criteria that rest on the same kind', () => {
  let dir: string;
  let bundle: string;
  let entries: Map<string, Buffer>;
  let result: ExportResult;
  let key: SigningKey;
  const rowsOf = (file: string) => parseCsv(entries.get(file)!.toString('utf8')).filter((r) => r.length > 1);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-export-criterion-'));
    key = await testSigningKey();
    const locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    await seedLocker(locker);
    bundle = path.join(dir, 'bundle.zip');
    result = await exportToFile(bundle, {
      locker,
      frameworks: ['soc2', 'iso27001'],
      ...WINDOW,
      signingKey: key,
      generator,
      now: NOW,
    });
    entries = await readZip(bundle);
  });

  it('holds the approvals once, and every ISO criterion they back points at that one file', () => {
    const iso = result.manifest.scope.controls.filter(
      (c) => c.framework === 'iso27001-2022' && c.kinds.includes(APPROVALS),
    );
    expect(iso.map((c) => c.id).sort()).toEqual([...controlsFor(APPROVALS)['iso27001-2022']].sort());
    expect(iso.length).toBeGreaterThan(1);
    for (const control of iso) {
      expect(control.populations).toContain(SHARED);
      const index = rowsOf(control.index!);
      expect(index).toContainEqual([APPROVALS, SHARED, String(rowsOf(SHARED).length - 1)]);
    }
    // The approvals' rows appear in no file but populations.csv (all rows) and the shared one.
    const approvals = rowsOf(SHARED)
      .slice(1)
      .map((r) => r[0]!);
    expect(approvals.length).toBeGreaterThan(0);
    const holders = [...entries]
      .filter(([name, bytes]) => name.endsWith('.csv') && bytes.toString('utf8').includes(`${approvals[0]},`))
      .map(([name]) => name)
      .filter((name) => !name.startsWith('control-tests/'));
    expect(holders.sort()).toEqual(['populations.csv', SHARED]);
    // README.html links each criterion's row to the shared file, not to a copy.
    const readme = entries.get('README.html')!.toString('utf8');
    const rowOf = (id: string) => readme.split('\n').find((line) => line.includes(`<b>${id}</b>`)) ?? '';
    for (const control of iso) expect(rowOf(control.id)).toContain(`href="${SHARED}"`);
  });

  it("gives a criterion two kinds map to each record once: exactly the current rows of the criterion's kinds", () => {
    const cc81 = result.manifest.scope.controls.find((c) => c.id === 'CC8.1')!;
    const kinds = [
      'github.pull_request.approval',
      'github.branch_protection',
      'gitlab.merge_request.approval',
      'gitlab.branch_protection',
    ];
    expect(cc81.populations).toEqual(kinds.map((kind) => `populations/${kind}.csv`));
    const ids = cc81.populations!.flatMap((file) =>
      rowsOf(file)
        .slice(1)
        .map((r) => r[0]!),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(cc81.records).toBe(ids.length);
    const [allHeader, ...all] = rowsOf('populations.csv');
    const column = (name: string) => allHeader!.indexOf(name);
    const expected = all
      .filter((r) => kinds.includes(r[column('kind')]!) && r[column('current')] === 'yes')
      .map((r) => r[column('id')]!);
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  it('passes verify', async () => {
    const report = await verifyBundle(bundle);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.manifest?.format).toBe('crosswalk-export/3');
  });

  it('says which format it got when it cannot read a bundle', async () => {
    const tampered = path.join(dir, 'future.zip');
    await repack(bundle, tampered, (e) => {
      const text = e.get('manifest.json')!.toString('utf8');
      e.set('manifest.json', Buffer.from(text.replace('"crosswalk-export/3"', '"crosswalk-export/9"')));
    });
    const report = await verifyBundle(tampered);
    expect(report.failures).toContainEqual({
      file: 'manifest.json',
      check: 'manifest',
      message:
        'manifest.json is of format "crosswalk-export/9"; this verifier reads crosswalk-export/1, crosswalk-export/2, crosswalk-export/3',
    });
  });

  it('verify refuses a shared population that lists a record twice, naming the file', async () => {
    const tampered = path.join(dir, 'twice.zip');
    let twice = '';
    await repack(bundle, tampered, (e) => {
      const lines = e.get(SHARED)!.toString('utf8').split('\r\n');
      twice = lines[1]!.split(',')[0]!;
      lines.splice(2, 0, lines[1]!);
      e.set(SHARED, Buffer.from(lines.join('\r\n'), 'utf8'));
    });
    const report = await verifyBundle(tampered);
    expect(report.ok).toBe(false);
    expect(twice).toMatch(/^github\./);
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        file: SHARED,
        check: 'population',
        message: expect.stringMatching(/has \d+ rows for the \d+ current answers of its kinds/),
      }),
    );
  });

  it('verify refuses an altered shared population, naming it', async () => {
    const tampered = path.join(dir, 'altered.zip');
    await repack(bundle, tampered, (e) => {
      const text = e.get(SHARED)!.toString('utf8');
      const altered = text.replace(',bob,', ',mallory,');
      expect(altered).not.toBe(text);
      e.set(SHARED, Buffer.from(altered, 'utf8'));
    });
    const report = await verifyBundle(tampered);
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ file: SHARED, check: 'sha256' }));
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        file: SHARED,
        check: 'population',
        message: expect.stringContaining('is not the one in populations.csv'),
      }),
    );
  });

  /**
   * The same bundle as crosswalk-export/2 wrote it (a copy of the rows in each criterion's population.csv),
   * re-signed: the verifier still reads the older layout, and still refuses a criterion that lists a row twice.
   */
  async function asFormat2(twice: boolean): Promise<string> {
    const e = await readZip(bundle);
    const manifest = JSON.parse(e.get('manifest.json')!.toString('utf8')) as ExportManifest;
    const header = e.get('populations.csv')!.toString('utf8').split('\r\n')[0]!;
    for (const control of manifest.scope.controls) {
      const files = control.populations!;
      const index = control.index;
      delete control.populations;
      delete control.index;
      control.population = null;
      if (!index) continue;
      e.delete(index);
      const rows = files.flatMap((f) => e.get(f)!.toString('utf8').split('\r\n').slice(1, -1));
      if (twice && rows.length > 0) rows.push(rows[0]!);
      control.population = `controls/${control.framework}/${control.id}/population.csv`;
      e.set(control.population, Buffer.from([header, ...rows, ''].join('\r\n')));
    }
    for (const file of manifest.scope.populations!) e.delete(file.file);
    delete manifest.scope.populations;
    manifest.format = 'crosswalk-export/2';
    e.delete('SHA256SUMS');
    e.delete('manifest.json');
    e.delete('manifest.sig');
    const sums = [...e].map(([name, bytes]) => `${sha256Hex(bytes)}  ${name}\n`).join('');
    e.set('SHA256SUMS', Buffer.from(sums));
    const listed = [...e].filter(([name]) => !name.startsWith('evidence/') && !name.startsWith('runs/'));
    manifest.files = listed.map(([name, bytes]) => ({
      path: name,
      sha256: sha256Hex(bytes),
      bytes: bytes.length,
    }));
    manifest.counts.files = e.size + 2;
    const bytes = serializeManifest(manifest);
    e.set('manifest.json', bytes);
    e.set('manifest.sig', signBytes(key, bytes));
    const out = path.join(dir, `format-2${twice ? '-twice' : ''}.zip`);
    await writeZip(out, e);
    return out;
  }

  it('still verifies a crosswalk-export/2 bundle, and refuses one whose criterion lists a row twice', async () => {
    const good = await verifyBundle(await asFormat2(false));
    expect(good.failures).toEqual([]);
    expect(good.manifest?.format).toBe('crosswalk-export/2');
    const bad = await verifyBundle(await asFormat2(true));
    expect(bad.ok).toBe(false);
    expect(bad.failures).toContainEqual(
      expect.objectContaining({
        file: 'controls/soc2-2017/CC8.1/population.csv',
        check: 'population',
        message: expect.stringMatching(/has \d+ rows for the \d+ current answers of its kinds/),
      }),
    );
  });
});
