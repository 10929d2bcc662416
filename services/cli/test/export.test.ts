import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  FAILED_RUN_DAY,
  MISSING_SNAPSHOT_DAY,
  type Seeded,
  seedLocker,
  WINDOW,
} from '@crosswalk/assurance/testing';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { testSigningKey } from '@crosswalk/export/testing';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const freshDir = (prefix = 'cw-cli-export-') => mkdtemp(path.join(tmpdir(), prefix));

let lockerDir: string;
let keyFile: string;
let fingerprint: string;
let seeded: Seeded;
let bundle: string;

beforeAll(async () => {
  const dir = await freshDir();
  lockerDir = path.join(dir, 'locker');
  seeded = await seedLocker(new Locker(new FsObjectStore(lockerDir)));
  const key = await testSigningKey(dir);
  keyFile = key.file!;
  fingerprint = key.fingerprint;
  bundle = path.join(dir, 'soc2.zip');
});

const window = ['--from', WINDOW.from.slice(0, 10), '--to', WINDOW.to.slice(0, 10)];
/** `crosswalk export` of SOC 2 over `window`, from the filesystem locker at `locker` into `file`, with `extra` flags. */
const exportSoc2 = (file: string, locker: string, ...extra: string[]) =>
  cli('export', '--framework', 'soc2', ...window, '-o', file, '--locker-dir', locker, ...extra);

describe('crosswalk export', () => {
  it('writes a signed bundle, reports progress on stderr and tells how to verify it', async () => {
    const result = await cli(
      'export',
      '--framework',
      'soc2',
      '--framework',
      'iso27001',
      ...window,
      '-o',
      bundle,
      '--locker-dir',
      lockerDir,
      '--signing-key',
      keyFile,
    );
    expect(result.stderr).toContain(`fingerprint ${fingerprint}`);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/evidence github\.pull_request\.approval: \d+ records/);
    expect(result.stdout).toMatch(new RegExp(`records\\s+${seeded.inside.length}`));
    expect(result.stdout).toContain(`crosswalk verify ${bundle} --fingerprint ${fingerprint}`);
    // The export is recorded in the locker's audit log.
    const audit = await readdir(path.join(lockerDir, 'audit'), { recursive: true });
    expect(audit.some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('creates the default signing key on first use in the user config directory and prints its fingerprint', async () => {
    const home = await freshDir('cw-cli-home-');
    const saved = { ...process.env };
    process.env.XDG_CONFIG_HOME = path.join(home, 'config');
    delete process.env.CROSSWALK_SIGNING_KEY;
    delete process.env.CROSSWALK_SIGNING_KEY_FILE;
    try {
      const file = path.join(home, 'default.zip');
      const first = await exportSoc2(file, lockerDir);
      expect(first.code).toBe(0);
      const keyPath = path.join(home, 'config', 'crosswalk', 'signing-key.pem');
      expect(first.stderr).toContain(`created a signing key at ${keyPath}`);
      expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
      const printed = /fingerprint ([0-9a-f]{64})/.exec(first.stderr)![1]!;
      const again = await exportSoc2(file, lockerDir);
      expect(again.stderr).not.toContain('created a signing key');
      expect(again.stderr).toContain(`fingerprint ${printed}`);
      expect((await cli('verify', file, '--fingerprint', printed)).code).toBe(0);
    } finally {
      process.env = saved;
    }
  });
});

describe('crosswalk export over a broken chain', () => {
  it('refuses with CW_CHAIN_BROKEN, names the break, and writes no bundle', async () => {
    const dir = await freshDir();
    const broken = path.join(dir, 'locker');
    await seedLocker(new Locker(new FsObjectStore(broken)));
    // The run of 2026-02-01 started after the window but stored a record of it: its manifest is deleted.
    const runs = await readdir(path.join(broken, 'runs'), { recursive: true });
    const late = runs.find((f) => f.includes('run-2026-02-01'))!;
    await rm(path.join(broken, 'runs', late));
    const file = path.join(dir, 'broken.zip');
    const result = await exportSoc2(file, broken, '--signing-key', keyFile);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /error CW_CHAIN_BROKEN: .*run-2026-02-01 claimed sequence 9 .*manifest is missing/,
    );
    expect(await readdir(dir)).not.toContain('broken.zip');
  });
});

describe('crosswalk locker verify-runs and recover', () => {
  it('report the records a dead run stored that no manifest vouches for, and chain them', async () => {
    const dir = await freshDir();
    const lockerAt = path.join(dir, 'locker');
    const locker = new Locker(new FsObjectStore(lockerAt));
    await seedLocker(locker);
    // What a run killed before its manifest leaves behind: a stored record, listed by no manifest.
    const orphan = await locker.storeDraft(
      pullRequestDraft({ ref: 'acme/api#4242', occurredAt: '2026-01-05T09:00:00.000Z' }),
    );
    const before = await cli('locker', 'verify-runs', 'github-acme', '--locker-dir', lockerAt);
    expect(before.code).not.toBe(0);
    expect(before.stdout).toContain(`UNVOUCHED ${orphan.id}`);
    expect(before.stderr).toMatch(
      /error CW_CHAIN_BROKEN: 0 break\(s\) .* 1 stored record\(s\) vouched for by no manifest/,
    );

    // An export of the window leaves it out and says so; verify fails naming it.
    const file = path.join(dir, 'before.zip');
    const exported = await exportSoc2(file, lockerAt, '--signing-key', keyFile);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`warning: left out ${orphan.id}`);
    const verified = await cli('verify', file);
    expect(verified.code).not.toBe(0);
    expect(verified.stdout).toContain(orphan.id);

    const recovered = await cli(
      'locker',
      'recover',
      'github-acme',
      '--locker-dir',
      lockerAt,
      '--format',
      'json',
    );
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout)).toMatchObject({ adopted: 1, manifest: { sequence: 10 } });
    const after = await cli('locker', 'verify-runs', 'github-acme', '--locker-dir', lockerAt);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('0 stored records vouched for by no manifest');

    const again = path.join(dir, 'after.zip');
    expect((await exportSoc2(again, lockerAt, '--signing-key', keyFile)).code).toBe(0);
    expect((await cli('verify', again)).code).toBe(0);
  });
});

describe('crosswalk verify', () => {
  it('exits 0 on an intact bundle and shows the key fingerprint', async () => {
    const result = await cli('verify', bundle, '--fingerprint', fingerprint);
    expect(result.stdout).toMatch(/^OK /);
    expect(result.stdout).toContain(fingerprint);
    expect(result.code).toBe(0);
  });

  it('exits non-zero on a bundle signed by another key, naming the file and the check', async () => {
    const other = await testSigningKey();
    const result = await cli('verify', bundle, '--fingerprint', other.fingerprint);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/fingerprint\s+public-key\.pem\s+the bundle is signed with key/);
    expect(result.stderr).toContain('CW_BUNDLE_UNVERIFIED');
  });

  it('lists each failure of a tampered bundle as JSON too', async () => {
    const { repack } = await import('@crosswalk/export/testing');
    const tampered = path.join(await freshDir(), 'tampered.zip');
    let victim = '';
    await repack(bundle, tampered, (entries) => {
      victim = [...entries.keys()].find((n) => n.startsWith('evidence/'))!;
      entries.delete(victim);
    });
    const result = await cli('verify', tampered, '--format', 'json');
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.ok).toBe(false);
    expect(body.failures).toContainEqual(expect.objectContaining({ file: victim, check: 'missing' }));
  });

  it('refuses a file that is not a zip, and a zip with a path that escapes its folder', async () => {
    const dir = await freshDir();
    const notZip = path.join(dir, 'notes.zip');
    await writeFile(notZip, 'plain text');
    const a = await cli('verify', notZip);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/CW_BUNDLE_INVALID: .*not a zip/);
    const { zipWithName } = await import('@crosswalk/export/testing');
    const evil = path.join(dir, 'evil.zip');
    await zipWithName(evil, '../../etc/evil');
    const b = await cli('verify', evil);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/CW_BUNDLE_UNSAFE_PATH: .*"\.\.\/\.\.\/etc\/evil"/);
    expect(await readdir(dir)).toEqual(['evil.zip', 'notes.zip']);
  });
});

describe('crosswalk coverage', () => {
  it('prints a table with the gap, the failed day and the manual controls', async () => {
    const result = await cli(
      'coverage',
      '--framework',
      'soc2',
      '--framework',
      'iso',
      ...window,
      '--locker-dir',
      lockerDir,
    );
    expect(result.code).toBe(0);
    const cc81 = result.stdout
      .split('\n')
      .find((l) => /soc2-2017\s+CC8\.1\s+gaps\s+github\.branch_protection/.test(l))!;
    expect(cc81).toContain(MISSING_SNAPSHOT_DAY);
    expect(cc81).toContain(FAILED_RUN_DAY);
    expect(result.stdout).toMatch(/iso27001-2022\s+9\.3\s+manual/);
    expect(result.stdout).toMatch(/controls: \d+ complete, \d+ with gaps, \d+ without evidence, \d+ manual/);
  });

  it('prints the whole report as JSON', async () => {
    const result = await cli(
      'coverage',
      '--framework',
      'iso27001',
      '--control',
      'A.8.32',
      ...window,
      '--locker-dir',
      lockerDir,
      '--format',
      'json',
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.controls).toEqual([expect.objectContaining({ id: 'A.8.32', status: 'gaps' })]);
    expect(
      report.kinds.find((k: { kind: string }) => k.kind === 'github.branch_protection').gapPeriods,
    ).toEqual([MISSING_SNAPSHOT_DAY]);
  });
});

describe('bad input', () => {
  let out: string;
  afterEach(async () => {
    // Nothing written: no bundle, no partial file.
    expect(await readdir(out)).toEqual([]);
  });
  const exportTo = async (...args: string[]) => {
    out = await freshDir('cw-cli-bad-');
    return cli(
      'export',
      ...args,
      '-o',
      path.join(out, 'b.zip'),
      '--locker-dir',
      lockerDir,
      '--signing-key',
      keyFile,
    );
  };

  it('refuses from >= to', async () => {
    const r = await exportTo('--framework', 'soc2', '--from', '2026-02-01', '--to', '2026-01-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CW_INPUT_INVALID: from \(2026-02-01T00:00:00\.000Z\) must be before to/);
  });

  it('refuses a window over 2 years', async () => {
    const r = await exportTo('--framework', 'soc2', '--from', '2023-01-01', '--to', '2025-06-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/longer than 2 years/);
  });

  it('refuses an unknown framework', async () => {
    const r = await exportTo('--framework', 'hipaa', ...window);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CW_FRAMEWORK_UNKNOWN: Unknown framework "hipaa"/);
  });

  it('refuses an unknown control, with a hint', async () => {
    const r = await exportTo('--framework', 'iso27001', '--control', '8.32', ...window);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CW_CONTROL_UNKNOWN: Unknown control "8\.32".*did you mean A\.8\.32/);
  });

  it('refuses a signing key that is not Ed25519', async () => {
    out = await freshDir('cw-cli-bad-');
    const notAKey = path.join(out, '..', `not-a-key-${path.basename(out)}.pem`);
    await writeFile(notAKey, 'hello');
    const r = await exportSoc2(path.join(out, 'b.zip'), lockerDir, '--signing-key', notAKey);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CW_SIGNING_KEY_INVALID/);
  });
});
