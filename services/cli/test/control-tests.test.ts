import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerFor, testControl } from '@crosswalk/assurance';
import { PR_CASES, seedPullRequests } from '@crosswalk/assurance/testing';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const FEB = ['--from', '2026-02-01', '--to', '2026-03-01'];
/** `crosswalk controls <argv>` on the test's locker. */
const controls = (...argv: string[]) => cli('controls', ...argv, '--locker-dir', lockerDir);
let dir: string;
let lockerDir: string;
let ids: Map<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cw-cli-controls-'));
  lockerDir = path.join(dir, 'locker');
  ids = await seedPullRequests(new Locker(new FsObjectStore(lockerDir)));
});

describe('crosswalk controls test', () => {
  it('reports the starter change control exceptions, and the same sample as the library for the same seed', async () => {
    const { code, stdout } = await controls(
      'test',
      '--control',
      'CHG-01',
      ...FEB,
      '--seed',
      'cli-seed',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.exceptions.map((e: { item: string }) => e.item)).toEqual(
      PR_CASES.filter((c) => c.expected.length > 0).map((c) => ids.get(c.name)),
    );
    const locker = new Locker(new FsObjectStore(lockerDir));
    const { register, source } = await registerFor(locker, '2026-03-01T00:00:00.000Z');
    const direct = await testControl({
      locker,
      register,
      registerSource: source,
      control: 'CHG-01',
      from: '2026-02-01',
      to: '2026-03-01',
      seed: 'cli-seed',
    });
    expect(result.sample.items).toEqual(direct.sample.items);
    expect(result.sample.populationSha256).toBe(direct.population.sha256);
    const other = await controls(
      'test',
      '--control',
      'CHG-01',
      ...FEB,
      '--seed',
      'other',
      '--format',
      'json',
    );
    expect(JSON.parse(other.stdout).sample.items).not.toEqual(result.sample.items);
  });

  it('prints a readable report and writes the control files', async () => {
    const out = path.join(dir, 'out');
    const { code, stdout } = await cli(
      'controls',
      'test',
      ...FEB,
      '--seed',
      's',
      '--locker-dir',
      lockerDir,
      '--output-dir',
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('CHG-01  Changes are approved');
    expect(stdout).toContain('exceptions: 6 (6 open');
    expect(stdout).toMatch(/IAM-02 .*\n[\s\S]*periods: 0 of 0 operated/);
    const population = await readFile(path.join(out, 'CHG-01', 'population.csv'), 'utf8');
    expect(population.split('\r\n')).toHaveLength(8 + 2);
    expect(await readFile(path.join(out, 'CHG-01', 'sample.csv'), 'utf8')).toContain(',s,');
  });

  it('a remediation entered through the CLI shows in the next test, the exception still there', async () => {
    const item = ids.get('approved only after the merge')!;
    const entered = await controls(
      'remediate',
      '--control',
      'CHG-01',
      '--item',
      item,
      '--text',
      'Post-merge review accepted by the CTO',
      '--by',
      'cto@acme.example',
      '--format',
      'json',
    );
    expect(entered.code).toBe(0);
    const { stdout } = await controls(
      'test',
      '--control',
      'CHG-01',
      ...FEB,
      '--seed',
      'x',
      '--format',
      'json',
    );
    const exception = JSON.parse(stdout).exceptions.find((e: { item: string }) => e.item === item);
    expect(exception.status).toBe('remediated');
    expect(exception.remediations[0]).toMatchObject({
      by: 'cto@acme.example',
      at: JSON.parse(entered.stdout).at,
    });
    const bad = await controls(
      'remediate',
      '--control',
      'CHG-01',
      '--item',
      item,
      '--text',
      't',
      '--link',
      'javascript:alert(1)',
      '--by',
      'x',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--item.link');
  });

  it('applies a register version, refusing a bad one whole with the control and field named', async () => {
    const locker = path.join(dir, 'register-locker');
    const file = path.join(dir, 'register.yaml');
    await writeFile(
      file,
      'version: 1\ncontrols:\n  - id: CHG-09\n    title: t\n    description: d\n    owner: o\n    frequency: daily\n    evidence: [{ kind: okta.policy }]\n    test: { builtin: no-such-test }\n',
    );
    const bad = await cli('controls', 'register', 'apply', file, '--by', 'alice', '--locker-dir', locker);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('controls.CHG-09.test.builtin');
    expect((await cli('controls', 'register', 'history', '--locker-dir', locker)).stdout).toContain(
      'no register applied',
    );
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        '{ builtin: no-such-test }',
        '{ expression: "true", describe: always }',
      ),
    );
    const good = await cli(
      'controls',
      'register',
      'apply',
      file,
      '--by',
      'alice',
      '--note',
      'first',
      '--locker-dir',
      locker,
    );
    expect(good.code).toBe(0);
    const history = await cli('controls', 'register', 'history', '--format', 'json', '--locker-dir', locker);
    expect(JSON.parse(history.stdout)).toEqual([
      expect.objectContaining({ appliedBy: 'alice', note: 'first', controls: ['CHG-09'] }),
    ]);
  });

  it('writes the Statement of Applicability draft', async () => {
    const file = path.join(dir, 'soa.csv');
    const { code, stdout } = await controls('soa', '-o', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/93 Annex A controls, \d+ included, 0 excluded, \d+ open decisions/);
    expect((await readFile(file, 'utf8')).startsWith('control,title,theme,status,justification')).toBe(true);
  });
});
