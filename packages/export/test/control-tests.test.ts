import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addFlag,
  addFlagAnswer,
  addRemediation,
  FLAG_COLUMNS,
  registerFor,
  testControl,
} from '@crosswalk/assurance';
import { PR_CASES, seedPullRequests } from '@crosswalk/assurance/testing';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, type SigningKey, verifyBundle } from '../src/index.js';
import { exportFebruary, FEB, FEB_NOW, testSigningKey } from './fixtures.js';
import { readZip } from './zip-tools.js';

/**
 * The bundle carries the organisation's controls tested over its period: the same files and sample the CLI and
 * the API give for the same seed, a README that leads with them and a coverage picture that needs no script, all
 * under the signed manifest.
 */

describe('control tests in the export bundle', () => {
  let locker: Locker;
  let dir: string;
  let key: SigningKey;
  let ids: Map<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-export-controls-'));
    locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    ids = await seedPullRequests(locker);
    key = await testSigningKey();
  });

  const build = async (name: string) => {
    const file = path.join(dir, name);
    await exportFebruary(file, { locker, signingKey: key, controlSeed: 'bundle-seed' });
    return { file, entries: await readZip(file) };
  };

  it('holds each control folder, a README that leads with the controls, an SVG without script, and verifies', async () => {
    const { file, entries } = await build('first.zip');
    for (const name of [
      'population.csv',
      'exceptions.csv',
      'sample.csv',
      'operation.csv',
      'ipe.json',
      'control.json',
      'flags.csv',
    ]) {
      expect(entries.has(`control-tests/CHG-01/${name}`), name).toBe(true);
    }
    const svg = entries.get('control-tests/coverage.svg')!.toString('utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toMatch(/<script|javascript:|on[a-z]+=/i);
    const readme = entries.get('README.html')!.toString('utf8');
    expect(readme.indexOf('<h2>Controls</h2>')).toBeGreaterThan(0);
    expect(readme.indexOf('<h2>Controls</h2>')).toBeLessThan(readme.indexOf('<h2>Coverage</h2>'));
    expect(readme).toContain('href="control-tests/CHG-01/population.csv"');
    expect(readme).not.toMatch(/<script/i);
    const sums = entries.get('SHA256SUMS')!.toString('utf8');
    expect(sums).toContain('  control-tests/CHG-01/sample.csv');
    expect(sums).toContain('  control-tests/coverage.svg');
    const report = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(report.ok).toBe(true);

    // The same sample as the library (and so the CLI and the API) for the same seed.
    const { register, source } = await registerFor(locker, FEB.to);
    const direct = await testControl({
      locker,
      register,
      registerSource: source,
      control: 'CHG-01',
      ...FEB,
      seed: 'bundle-seed',
      now: FEB_NOW,
    });
    const rows = parseCsv(entries.get('control-tests/CHG-01/sample.csv')!.toString('utf8'));
    expect(rows.slice(1).map((r) => r[1])).toEqual(direct.sample.items.map((i) => i.id));
    expect(rows.slice(1).every((r) => r[6] === 'bundle-seed' && r[7] === direct.population.sha256)).toBe(
      true,
    );
    const exceptions = parseCsv(entries.get('control-tests/CHG-01/exceptions.csv')!.toString('utf8'));
    expect(exceptions.slice(1).map((r) => r[0])).toEqual(
      PR_CASES.filter((c) => c.expected.length > 0).map((c) => ids.get(c.name)),
    );
  });

  it('a remediation entered after the fact appears in the next export with its author and time; the exception stays', async () => {
    const item = ids.get('approval dismissed before the merge')!;
    const entered = await addRemediation(
      locker,
      'CHG-01',
      { item, text: 'Change re-reviewed by bob on 2026-03-02.' },
      { by: 'eng-lead@acme.example' },
    );
    const { file, entries } = await build('second.zip');
    const rows = parseCsv(entries.get('control-tests/CHG-01/exceptions.csv')!.toString('utf8'));
    const row = rows.find((r) => r[0] === item)!;
    expect(row.slice(4)).toEqual([
      'remediated',
      'remediation',
      'Change re-reviewed by bob on 2026-03-02.',
      '',
      'eng-lead@acme.example',
      entered.at,
    ]);
    expect(rows.slice(1)).toHaveLength(PR_CASES.filter((c) => c.expected.length > 0).length);
    expect((await verifyBundle(file)).ok).toBe(true);
  });

  it("an auditor's flag and the security team's answer go into the next export; another period's flag does not", async () => {
    const item = ids.get('approval dismissed before the merge')!;
    const flag = await addFlag(
      locker,
      'CHG-01',
      { item, comment: 'Was this change reviewed again?', from: FEB.from, to: FEB.to },
      { by: 'Q1 auditor (key:aaaaaaaaaaaa)' },
    );
    const answer = await addFlagAnswer(
      locker,
      'CHG-01',
      flag.id,
      { type: 'remediation', text: 'Yes: re-reviewed by bob, see the remediation.' },
      { by: 'eng-lead (key:bbbbbbbbbbbb)' },
    );
    const open = await addFlag(
      locker,
      'CHG-01',
      { item: 'period:2026-02', comment: 'Anything else?' },
      { by: 'x' },
    );
    await addFlag(
      locker,
      'CHG-01',
      { item, comment: 'From another audit', from: '2025-01-01', to: '2025-04-01' },
      { by: 'y' },
    );
    const { file, entries } = await build('third.zip');
    const rows = parseCsv(entries.get('control-tests/CHG-01/flags.csv')!.toString('utf8'));
    expect(rows[0]).toEqual([...FLAG_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      [
        flag.id,
        item,
        'Was this change reviewed again?',
        FEB.from,
        FEB.to,
        'Q1 auditor (key:aaaaaaaaaaaa)',
        flag.at,
        'answered',
        answer.id,
        'remediation',
        'Yes: re-reviewed by bob, see the remediation.',
        'eng-lead (key:bbbbbbbbbbbb)',
        answer.at,
      ],
      [open.id, 'period:2026-02', 'Anything else?', '', '', 'x', open.at, 'open', '', '', '', '', ''],
    ]);
    // Another control's folder has its (empty) flags file too, and the whole bundle still verifies.
    const others = [...entries.keys()].filter((k) => k.endsWith('/flags.csv') && !k.includes('/CHG-01/'));
    expect(others.length).toBeGreaterThan(0);
    expect(parseCsv(entries.get(others[0]!)!.toString('utf8'))).toHaveLength(1);
    expect(entries.get('SHA256SUMS')!.toString('utf8')).toContain('  control-tests/CHG-01/flags.csv');
    expect(entries.get('README.html')!.toString('utf8')).toContain('href="control-tests/CHG-01/flags.csv"');
    expect((await verifyBundle(file, { fingerprint: key.fingerprint })).ok).toBe(true);
  });
});
