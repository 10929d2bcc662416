import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportToFile, parseCsv, verifyBundle } from '../src/index.js';
import { NOW, seedLocker, testSigningKey, WINDOW } from './fixtures.js';
import { readZip, repack } from './zip-tools.js';

/**
 * A criterion two kinds map to (SOC 2 CC8.1: pull request approvals and branch protection snapshots) lists each
 * record of its population once: the current rows of each of its kinds, none twice. And a population with a row
 * twice is refused by verify, naming the file.
 */
const generator = { name: 'crosswalk', version: '0.1.0-test' };
const FILE = 'controls/soc2-2017/CC8.1/population.csv';

describe('a criterion two kinds map to', () => {
  let dir: string;
  let bundle: string;
  let entries: Map<string, Buffer>;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-export-criterion-'));
    const locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    await seedLocker(locker);
    bundle = path.join(dir, 'bundle.zip');
    await exportToFile(bundle, {
      locker,
      frameworks: ['soc2'],
      ...WINDOW,
      signingKey: await testSigningKey(),
      generator,
      now: NOW,
    });
    entries = await readZip(bundle);
  });

  it("lists each record once: exactly the current rows of the criterion's kinds", () => {
    const [header, ...rows] = parseCsv(entries.get(FILE)!.toString('utf8')).filter((r) => r.length > 1);
    const id = header!.indexOf('id');
    const kind = header!.indexOf('kind');
    const ids = rows.map((r) => r[id]!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(rows.map((r) => r[kind]))).toEqual(
      new Set(['github.pull_request.approval', 'github.branch_protection']),
    );
    const [allHeader, ...all] = parseCsv(entries.get('populations.csv')!.toString('utf8')).filter(
      (r) => r.length > 1,
    );
    const current = allHeader!.indexOf('current');
    const expected = all
      .filter(
        (r) =>
          ['github.pull_request.approval', 'github.branch_protection'].includes(
            r[allHeader!.indexOf('kind')]!,
          ) && r[current] === 'yes',
      )
      .map((r) => r[allHeader!.indexOf('id')]!);
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  it('verify refuses a criterion population that lists a record twice, naming the file', async () => {
    const tampered = path.join(dir, 'twice.zip');
    let twice = '';
    await repack(bundle, tampered, (e) => {
      const lines = e.get(FILE)!.toString('utf8').split('\r\n');
      twice = lines[1]!.split(',')[0]!;
      lines.splice(2, 0, lines[1]!);
      e.set(FILE, Buffer.from(lines.join('\r\n'), 'utf8'));
    });
    const report = await verifyBundle(tampered);
    expect(report.ok).toBe(false);
    expect(twice).toMatch(/^github\./);
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        file: FILE,
        check: 'population',
        message: expect.stringMatching(/has \d+ rows for the \d+ current answers of its kinds/),
      }),
    );
  });
});
