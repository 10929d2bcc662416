import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeCoverage } from '@crosswalk/assurance';
import {
  CONNECTOR,
  FAILED_RUN_DAY,
  MISSING_SNAPSHOT_DAY,
  NOW,
  PULL_REQUESTS,
  RUN_DAYS,
  type Seeded,
  seedLocker,
  WINDOW,
} from '@crosswalk/assurance/testing';
import { MAPPING_VERSION } from '@crosswalk/controls';
import { sha256Hex } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildExport,
  type ExportResult,
  exportToFile,
  POPULATION_COLUMNS,
  parseCsv,
  type SigningKey,
  signingKeyFromPem,
  verifyBundle,
} from '../src/index.js';
import { signBytes } from '../src/signing.js';
import { testSigningKey } from './fixtures.js';
import { readZip, repack, writeZip, zipWithName } from './zip-tools.js';

const generator = { name: 'crosswalk', version: '0.1.0-test' };
/**
 * Info-ZIP's unzip is on this machine but not on every fresh Debian (CI installs what it needs): without it the
 * bundle is unpacked with yauzl and listed from its central directory, and the rest of the check still runs.
 */
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
if (!hasUnzip) console.warn('unzip is not installed: the standard-tools test unpacks with yauzl instead');

async function unpack(zip: string, into: string): Promise<void> {
  if (hasUnzip) {
    execFileSync('unzip', ['-q', zip, '-d', into]);
    return;
  }
  for (const [name, bytes] of await readZip(zip)) {
    await mkdir(path.join(into, path.dirname(name)), { recursive: true });
    await writeFile(path.join(into, name), bytes);
  }
}

async function listZip(zip: string): Promise<string> {
  if (hasUnzip) return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return `${[...(await readZip(zip)).keys()].join('\n')}\n`;
}
const freshDir = (prefix = 'cw-export-') => mkdtemp(path.join(tmpdir(), prefix));

let dir: string;
let locker: Locker;
let seeded: Seeded;
let key: SigningKey;
let bundle: string;
let result: ExportResult;
let entries: Map<string, Buffer>;

beforeAll(async () => {
  dir = await freshDir();
  locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
  seeded = await seedLocker(locker);
  key = await testSigningKey();
  bundle = path.join(dir, 'bundle.zip');
  result = await exportToFile(bundle, {
    locker,
    frameworks: ['soc2', 'iso27001'],
    from: WINDOW.from,
    to: WINDOW.to,
    signingKey: key,
    generator,
    now: NOW,
  });
  entries = await readZip(bundle);
});

const evidenceIds = () =>
  [...entries.keys()].filter((n) => n.startsWith('evidence/')).map((n) => path.basename(n, '.json'));

describe('an export of a window', () => {
  it('holds exactly the items that occurred in [from, to): both edges exact, collection time irrelevant', () => {
    const expectedIn = Object.entries(PULL_REQUESTS)
      .filter(([, pr]) => pr.in)
      .map(([name]) => seeded.pullRequests[name as keyof typeof PULL_REQUESTS]);
    const prs = evidenceIds().filter((id) => id.startsWith('github.pull_request.approval'));
    expect(prs.sort()).toEqual(expectedIn.sort());
    expect(prs).toContain(seeded.pullRequests.atFrom);
    expect(prs).toContain(seeded.pullRequests.lastMillisecond);
    expect(prs).toContain(seeded.pullRequests.collectedAfterWindow);
    expect(prs).not.toContain(seeded.pullRequests.beforeFrom);
    expect(prs).not.toContain(seeded.pullRequests.atTo);
    expect(evidenceIds().sort()).toEqual([...seeded.inside].sort());
    for (const id of seeded.outside) expect(evidenceIds()).not.toContain(id);
    expect(result.records).toBe(seeded.inside.length);
  });

  it('copies each record byte for byte as the locker stores it', async () => {
    for (const [name, bytes] of entries) {
      if (!name.startsWith('evidence/')) continue;
      const id = path.basename(name, '.json');
      const record = await locker.records.getById(id);
      const key = (await import('@crosswalk/locker')).keys.evidenceKey(record);
      expect(Buffer.compare(bytes, Buffer.from((await locker.store.get(key))!))).toBe(0);
      expect(name).toBe(`evidence/${record.kind}/${record.occurredAt.slice(0, 10)}/${id}.json`);
    }
  });

  it('lays out README, manifest, signature, key, SHA256SUMS, populations and coverage', () => {
    for (const name of [
      'README.html',
      'manifest.json',
      'manifest.sig',
      'public-key.pem',
      'SHA256SUMS',
      'populations.csv',
      'coverage.csv',
    ]) {
      expect(entries.has(name), name).toBe(true);
    }
    expect(entries.has('populations/github.pull_request.approval.csv')).toBe(true);
    expect(entries.has('controls/soc2-2017/CC8.1/index.csv')).toBe(true);
    expect(entries.has('controls/iso27001-2022/A.8.32/index.csv')).toBe(true);
    // Manual controls have no index: no population backs them.
    expect(entries.has('controls/iso27001-2022/9.3/index.csv')).toBe(false);
    // No criterion holds its own copy of the rows.
    expect([...entries.keys()].filter((n) => n.startsWith('controls/') && !n.endsWith('/index.csv'))).toEqual(
      [],
    );
    // The 6 runs that started in the window, plus the two after it that stored records of it: 2026-01-08's (what
    // was collected on the day without a run) and 2026-02-01's (the pull request collected a month late).
    // Every run but the one of the day before the window (it stored nothing the window holds).
    expect(
      [...entries.keys()]
        .filter((n) => n.startsWith('runs/'))
        .map((n) => n.slice(n.lastIndexOf('/') + 1, n.lastIndexOf('/') + 11)),
    ).toEqual(RUN_DAYS.filter((day) => day >= WINDOW.from.slice(0, 10)));
  });

  it('writes one population row per item with dates, owner, source, controls and hashes', () => {
    const rows = parseCsv(entries.get('populations.csv')!.toString('utf8'));
    expect(rows[0]).toEqual([...POPULATION_COLUMNS]);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([...seeded.inside].sort());
    const late = rows.find((r) => r[0] === seeded.pullRequests.collectedAfterWindow)!;
    const column = (name: (typeof POPULATION_COLUMNS)[number]) => late[POPULATION_COLUMNS.indexOf(name)];
    expect(column('occurredAt')).toBe(PULL_REQUESTS.collectedAfterWindow.occurredAt);
    expect(column('collectedAt')).toBe(PULL_REQUESTS.collectedAfterWindow.collectedAt);
    expect(column('owner')).toBe('bob');
    expect(column('sourceRef')).toMatch(/^acme\/api#\d+$/);
    expect(column('soc2')).toBe('CC8.1');
    expect(column('iso')).toContain('A.8.32');
    const file = entries.get(column('path')!)!;
    expect(column('fileSha256')).toBe(sha256Hex(file));
    expect(column('sha256')).toBe(JSON.parse(file.toString('utf8')).sha256);
    expect(column('recordMappingVersion')).toBe(MAPPING_VERSION);
  });

  it('gives each control the population of the kinds it maps to, through the shared per-kind files', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    const rowsOf = (framework: string, id: string) => {
      const control = manifest.scope.controls.find(
        (c: { framework: string; id: string }) => c.framework === framework && c.id === id,
      );
      const index = parseCsv(entries.get(control.index)!.toString('utf8')).filter((r) => r.length > 1);
      expect(index[0]).toEqual(['kind', 'population', 'records']);
      expect(index.slice(1).map((r) => r[1])).toEqual(control.populations);
      return control.populations.flatMap((file: string) =>
        parseCsv(entries.get(file)!.toString('utf8'))
          .slice(1)
          .filter((r) => r.length > 1),
      ) as string[][];
    };
    // CC8.1 <- pull request approvals and branch protection: every item of this window.
    const cc81 = rowsOf('soc2-2017', 'CC8.1');
    expect(cc81.map((r) => r[0]).sort()).toEqual([...seeded.inside].sort());
    expect(rowsOf('iso27001-2022', 'A.5.3').length).toBe(seeded.inside.length);
    const entry = manifest.scope.controls.find((c: { id: string }) => c.id === 'CC6.2');
    expect(entry.records).toBe(0);
  });

  it('signs the exact manifest bytes and names the key by its fingerprint', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    expect(manifest.publicKey.fingerprint).toBe(key.fingerprint);
    expect(manifest.period).toMatchObject({ from: WINDOW.from, to: WINDOW.to });
    expect(manifest.mappingVersion).toBe(MAPPING_VERSION);
    expect(manifest.generator).toEqual(generator);
    expect(manifest.runChains).toEqual([
      expect.objectContaining({
        connectorId: CONNECTOR,
        head: expect.objectContaining({ sequence: seeded.runs }),
        window: expect.objectContaining({ runs: 6, first: 2, last: 7, missing: [] }),
        lockerCheck: expect.objectContaining({ ok: true }),
      }),
    ]);
    expect(entries.get('README.html')!.toString('utf8')).toContain(key.fingerprint);
  });

  it('passes verify, with and without the expected fingerprint', async () => {
    const plain = await verifyBundle(bundle);
    expect(plain.failures).toEqual([]);
    expect(plain).toMatchObject({ ok: true, fingerprint: key.fingerprint });
    expect(plain.checked.records).toBe(seeded.inside.length);
    const pinned = await verifyBundle(bundle, { fingerprint: `SHA256:${key.fingerprint.toUpperCase()}` });
    expect(pinned.ok).toBe(true);
  });

  it('can be checked with unzip, sha256sum and openssl alone, as docs/export-format.md says', async () => {
    const out = await freshDir('cw-export-tools-');
    await unpack(bundle, out);
    const sh = (script: string) => execFileSync('bash', ['-c', script], { cwd: out, encoding: 'utf8' });
    expect(sh('openssl pkey -pubin -in public-key.pem -outform DER | sha256sum').slice(0, 64)).toBe(
      key.fingerprint,
    );
    expect(
      sh(
        'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig',
      ),
    ).toMatch(/Signature Verified Successfully/);
    sh(
      `sed -n 's/^ *{"path":"\\([^"]*\\)","sha256":"\\([0-9a-f]*\\)".*/\\2  \\1/p' manifest.json | sha256sum -c --quiet -`,
    );
    expect(
      sh(
        `sed -n 's/^ *{"path":"\\([^"]*\\)","sha256":"\\([0-9a-f]*\\)".*/\\2  \\1/p' manifest.json | wc -l`,
      ).trim(),
    ).toBe(String(JSON.parse(entries.get('manifest.json')!.toString('utf8')).files.length));
    sh('sha256sum -c --quiet SHA256SUMS');
    const listing = path.join(path.dirname(out), `listing-${path.basename(out)}.txt`);
    await writeFile(listing, await listZip(bundle));
    sh(
      `(cut -c67- SHA256SUMS; printf '%s\\n' SHA256SUMS manifest.json manifest.sig) | sort > ../expected-${path.basename(out)}.txt && ` +
        `sort ${JSON.stringify(listing)} | diff ../expected-${path.basename(out)}.txt -`,
    );
    // And the same tools notice tampering.
    await writeFile(
      path.join(out, 'manifest.json'),
      `${await readFile(path.join(out, 'manifest.json'), 'utf8')} `,
    );
    expect(() =>
      sh(
        'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig',
      ),
    ).toThrow();
  });
});

describe('verify on a tampered bundle', () => {
  const evidenceName = () =>
    [...entries.keys()].find((n) => n.startsWith('evidence/github.pull_request.approval/'))!;
  const tampered = async (change: Parameters<typeof repack>[2]) => {
    const file = path.join(await freshDir('cw-tampered-'), 'bundle.zip');
    await repack(bundle, file, change);
    return file;
  };

  it('names the file and the sha256 check when one byte of one evidence file is flipped', async () => {
    const name = evidenceName();
    const file = await tampered((e) => {
      const bytes = Buffer.from(e.get(name)!);
      const at = bytes.indexOf('"bob"') + 2; // inside a login, so the JSON stays valid
      bytes[at] = bytes[at]! ^ 0x01;
      e.set(name, bytes);
    });
    const report = await verifyBundle(file);
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ file: name, check: 'sha256' }));
    expect(report.failures).toContainEqual(expect.objectContaining({ file: name, check: 'record' }));
  });

  it('names the missing file when one file is deleted', async () => {
    const name = evidenceName();
    const report = await verifyBundle(await tampered((e) => void e.delete(name)));
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ file: name, check: 'missing' }));
  });

  it('names the run-chain check when a run manifest of the period is deleted', async () => {
    const run = [...entries.keys()].find((n) => n.startsWith('runs/') && n.includes('2026-01-03'))!;
    const report = await verifyBundle(await tampered((e) => void e.delete(run)));
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        check: 'run-chain',
        message: expect.stringMatching(/sequence 4 .* is missing/),
      }),
    );
    expect(report.failures).toContainEqual(expect.objectContaining({ file: run, check: 'missing' }));
  });

  it('names the extra file when one file is added', async () => {
    const report = await verifyBundle(
      await tampered(
        (e) => void e.set('evidence/github.pull_request.approval/2026-01-02/extra.json', Buffer.from('{}')),
      ),
    );
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(
      expect.objectContaining({
        file: 'evidence/github.pull_request.approval/2026-01-02/extra.json',
        check: 'extra',
      }),
    );
  });

  it('names the signature when the manifest is re-signed with another key', async () => {
    const other = await testSigningKey();
    const report = await verifyBundle(
      await tampered((e) => void e.set('manifest.sig', signBytes(other, e.get('manifest.json')!))),
    );
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(
      expect.objectContaining({ file: 'manifest.sig', check: 'signature' }),
    );
  });

  it('names the fingerprint when the whole bundle is re-signed with another key and its public key swapped', async () => {
    const other = await testSigningKey();
    const file = await tampered((e) => {
      // A careful forger: new key file, SHA256SUMS and manifest updated to match, manifest re-signed.
      const pem = Buffer.from(other.publicKeyPem);
      e.set('public-key.pem', pem);
      const sums = e
        .get('SHA256SUMS')!
        .toString('utf8')
        .replace(/^[0-9a-f]{64}(?= {2}public-key\.pem$)/m, sha256Hex(pem));
      e.set('SHA256SUMS', Buffer.from(sums));
      const manifest = e
        .get('manifest.json')!
        .toString('utf8')
        .replaceAll(key.fingerprint, other.fingerprint)
        .replace(/("path":"public-key\.pem","sha256":")[0-9a-f]{64}/, `$1${sha256Hex(pem)}`)
        .replace(/("path":"SHA256SUMS","sha256":")[0-9a-f]{64}("bytes":\d+)?/, `$1${sha256Hex(sums)}`);
      e.set('manifest.json', Buffer.from(manifest));
      e.set('manifest.sig', signBytes(other, Buffer.from(manifest)));
    });
    // Self-consistent on its own...
    expect((await verifyBundle(file)).failures).toEqual([]);
    // ...but not signed by the key the auditor was told to expect.
    const pinned = await verifyBundle(file, { fingerprint: key.fingerprint });
    expect(pinned.ok).toBe(false);
    expect(pinned.failures).toEqual([
      expect.objectContaining({
        file: 'public-key.pem',
        check: 'fingerprint',
        message: expect.stringContaining(other.fingerprint),
      }),
    ]);
  });
});

describe('verify on files that are not bundles', () => {
  it('refuses a file that is not a zip with CW_BUNDLE_INVALID', async () => {
    const file = path.join(await freshDir(), 'not-a-zip.zip');
    await writeFile(file, 'this is not a zip file\n');
    await expect(verifyBundle(file)).rejects.toMatchObject({
      code: 'CW_BUNDLE_INVALID',
      message: expect.stringMatching(/not a zip/),
    });
  });

  it('refuses a missing file with CW_BUNDLE_INVALID', async () => {
    await expect(verifyBundle(path.join(dir, 'nope.zip'))).rejects.toMatchObject({
      code: 'CW_BUNDLE_INVALID',
    });
  });

  it.each(['../evil.txt', '/tmp/evil.txt', 'a/../../evil.txt', 'C:/evil.txt', 'a\\..\\evil.txt'])(
    'refuses a zip holding %s with CW_BUNDLE_UNSAFE_PATH',
    async (name) => {
      const file = path.join(await freshDir(), 'unsafe.zip');
      await zipWithName(file, name);
      await expect(verifyBundle(file)).rejects.toMatchObject({
        code: 'CW_BUNDLE_UNSAFE_PATH',
        where: name,
        message: expect.stringContaining('outside its folder'),
      });
    },
  );

  it('reports a zip of other files as failures, not as a crash', async () => {
    const file = path.join(await freshDir(), 'other.zip');
    await writeZip(file, [['hello.txt', Buffer.from('hi')]]);
    const report = await verifyBundle(file);
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(
      expect.objectContaining({ file: 'manifest.json', check: 'missing' }),
    );
    expect(report.failures).toContainEqual(expect.objectContaining({ file: 'hello.txt', check: 'extra' }));
  });
});

describe('bad export input', () => {
  const attempt = async (overrides: Record<string, unknown>) => {
    const out = await freshDir('cw-bad-');
    const file = path.join(out, 'bundle.zip');
    const error = await exportToFile(file, {
      locker,
      frameworks: ['soc2'],
      from: WINDOW.from,
      to: WINDOW.to,
      signingKey: key,
      generator,
      ...overrides,
    }).catch((e: unknown) => e);
    expect(await readdir(out), 'writes nothing').toEqual([]);
    return error;
  };

  it('refuses from >= to', async () => {
    expect(await attempt({ from: '2026-02-01', to: '2026-02-01' })).toMatchObject({
      code: 'CW_INPUT_INVALID',
      where: 'from',
    });
    expect(await attempt({ from: '2026-03-01', to: '2026-02-01' })).toMatchObject({
      code: 'CW_INPUT_INVALID',
    });
  });

  it('refuses a window over 2 years, and accepts exactly 2', async () => {
    expect(await attempt({ from: '2024-01-01', to: '2026-01-01T00:00:00.001Z' })).toMatchObject({
      code: 'CW_INPUT_INVALID',
      where: 'to',
      message: expect.stringMatching(/longer than 2 years/),
    });
    const { resolveWindow } = await import('@crosswalk/assurance');
    expect(resolveWindow('2024-01-01', '2026-01-01')).toEqual({
      from: '2024-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:00.000Z',
    });
  });

  it('refuses an unknown framework or control, naming it', async () => {
    expect(await attempt({ frameworks: ['pci-dss'] })).toMatchObject({
      code: 'CW_FRAMEWORK_UNKNOWN',
      where: 'pci-dss',
    });
    expect(await attempt({ controls: ['CC99.9'] })).toMatchObject({
      code: 'CW_CONTROL_UNKNOWN',
      where: 'CC99.9',
    });
    expect(await attempt({ controls: ['iso:A.5.15'] })).toMatchObject({ code: 'CW_INPUT_INVALID' });
    expect(await attempt({ frameworks: ['iso27001:2013'] })).toMatchObject({ code: 'CW_INPUT_INVALID' });
  });

  it('refuses malformed dates and timestamps without a zone, and reads zones as documented', async () => {
    expect(await attempt({ from: '2026-02-30' })).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'from' });
    expect(await attempt({ from: '2026-02-30T00:00:00Z' })).toMatchObject({
      code: 'CW_INPUT_INVALID',
      where: 'from',
    });
    expect(await attempt({ to: 'next tuesday' })).toMatchObject({ code: 'CW_INPUT_INVALID', where: 'to' });
    expect(await attempt({ from: '2026-01-01T00:00' })).toMatchObject({
      code: 'CW_INPUT_INVALID',
      where: 'from',
    });
    const { resolveWindow } = await import('@crosswalk/assurance');
    expect(resolveWindow('2026-01-01T00:00Z', '2026-01-02T00:00:00+02:00')).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T22:00:00.000Z',
    });
  });

  it('leaves no file behind when the export fails midway, and keeps an existing one', async () => {
    const out = await freshDir('cw-fail-');
    const file = path.join(out, 'bundle.zip');
    await writeFile(file, 'previous bundle');
    const broken = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    const store = broken.store as FsObjectStore;
    const original = store.get.bind(store);
    let reads = 0;
    store.get = async (k: string) => {
      if (k.startsWith('evidence/') && ++reads === 3) throw new Error('disk on fire');
      return original(k);
    };
    await expect(
      exportToFile(file, {
        locker: broken,
        frameworks: ['soc2'],
        from: WINDOW.from,
        to: WINDOW.to,
        signingKey: key,
        generator,
      }),
    ).rejects.toThrow('disk on fire');
    expect(await readdir(out)).toEqual(['bundle.zip']);
    expect(await readFile(file, 'utf8')).toBe('previous bundle');
  });
});

describe('scope', () => {
  it('limits the bundle to the controls asked for, and their kinds', async () => {
    const file = path.join(await freshDir(), 'cc81.zip');
    const out = createWriteStream(file);
    const limited = await buildExport({
      locker,
      frameworks: ['soc2'],
      controls: ['cc8.1'],
      from: WINDOW.from,
      to: WINDOW.to,
      signingKey: key,
      generator,
      out,
      now: NOW,
    });
    expect(limited.scope.controls.map((c) => c.id)).toEqual(['CC8.1']);
    expect(limited.scope.kinds).toEqual([
      'github.pull_request.approval',
      'github.branch_protection',
      'gitlab.merge_request.approval',
      'gitlab.branch_protection',
    ]);
    const names = [...(await readZip(file)).keys()];
    expect(names.filter((n) => n.startsWith('controls/'))).toEqual(['controls/soc2-2017/CC8.1/index.csv']);
    expect(names.filter((n) => n.startsWith('populations/')).sort()).toEqual([
      'populations/github.branch_protection.csv',
      'populations/github.pull_request.approval.csv',
      'populations/gitlab.branch_protection.csv',
      'populations/gitlab.merge_request.approval.csv',
    ]);
    expect((await verifyBundle(file)).ok).toBe(true);
  });
});

describe('coverage in the bundle', () => {
  it('writes the same coverage into the bundle, one row per control, kind and period', async () => {
    const rows = parseCsv(entries.get('coverage.csv')!.toString('utf8'));
    const header = rows[0]!;
    const at = (name: string) => header.indexOf(name);
    const gap = rows.find((r) => r[at('control')] === 'CC8.1' && r[at('period')] === MISSING_SNAPSHOT_DAY)!;
    expect(gap[at('gap')]).toBe('yes');
    const failed = rows.find(
      (r) =>
        r[at('control')] === 'CC8.1' &&
        r[at('kind')] === 'github.branch_protection' &&
        r[at('period')] === FAILED_RUN_DAY,
    )!;
    expect(failed[at('failedRunDays')]).toBe(FAILED_RUN_DAY);
    expect(rows.find((r) => r[at('control')] === '9.3')![at('status')]).toBe('manual');
    const report = await computeCoverage({ locker, frameworks: ['soc2', 'iso27001'], ...WINDOW, now: NOW });
    expect(result.coverage.kinds).toEqual(report.kinds);
  });
});

describe('the signing key', () => {
  it('refuses a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    expect(() => signingKeyFromPem(rsa, 'rsa.pem')).toThrow(
      expect.objectContaining({ code: 'CW_SIGNING_KEY_INVALID' }),
    );
    expect(() => signingKeyFromPem('nonsense', 'x')).toThrow(
      expect.objectContaining({ code: 'CW_SIGNING_KEY_INVALID' }),
    );
  });

  it('is created on first use in the config directory, mode 0600, and reused after', async () => {
    const { loadSigningKey } = await import('../src/index.js');
    const home = await freshDir('cw-home-');
    const env = { XDG_CONFIG_HOME: path.join(home, 'config') };
    const first = await loadSigningKey({ env });
    expect(first.created).toBe(true);
    expect(first.source).toBe(path.join(home, 'config', 'crosswalk', 'signing-key.pem'));
    const { stat } = await import('node:fs/promises');
    expect((await stat(first.source)).mode & 0o777).toBe(0o600);
    const again = await loadSigningKey({ env });
    expect(again).toMatchObject({ created: false, fingerprint: first.fingerprint });
    const fromEnv = await loadSigningKey({
      env: { CROSSWALK_SIGNING_KEY: await readFile(first.source, 'utf8') },
    });
    expect(fromEnv).toMatchObject({ fingerprint: first.fingerprint, source: 'CROSSWALK_SIGNING_KEY' });
    const fromFileEnv = await loadSigningKey({ env: { CROSSWALK_SIGNING_KEY_FILE: first.source } });
    expect(fromFileEnv.fingerprint).toBe(first.fingerprint);
    await expect(
      loadSigningKey({ env: { HOME: path.join(home, 'nobody') }, createIfMissing: false }),
    ).rejects.toMatchObject({
      code: 'CW_SIGNING_KEY_INVALID',
    });
  });
});

describe('the zip writer', () => {
  it('writes ZIP64 end records past 65,535 entries, and readers see every entry', async () => {
    const out = await freshDir('cw-zip64-');
    const file = path.join(out, 'many.zip');
    const names = Array.from({ length: 65_540 }, (_, i) => `f/${i}.txt`);
    // Stored (level 0): the point is the entry count, not compression.
    await writeZip(
      file,
      names.map((n) => [n, Buffer.from(n)] as [string, Buffer]),
      0,
    );
    if (!hasUnzip) {
      // yauzl reads the ZIP64 end of central directory (it refuses a wrapped 16-bit count).
      const { default: yauzl } = await import('yauzl');
      const count = await new Promise<number>((resolve, reject) =>
        yauzl.open(file, { lazyEntries: true }, (error, zip) => {
          if (error || !zip) return reject(error);
          let n = 0;
          zip.on('entry', () => {
            n++;
            zip.readEntry();
          });
          zip.on('end', () => resolve(n));
          zip.on('error', reject);
          zip.readEntry();
        }),
      );
      expect(count).toBe(65_540);
      return;
    }
    expect(
      execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
        .trim()
        .split('\n'),
    ).toHaveLength(65_540);
    const dirOut = path.join(out, 'x');
    await mkdir(dirOut);
    execFileSync('unzip', ['-q', file, 'f/65539.txt', '-d', dirOut]);
    expect(await readFile(path.join(dirOut, 'f/65539.txt'), 'utf8')).toBe('f/65539.txt');
    // unzip -t checks every entry's CRC-32 and sizes.
    execFileSync('unzip', ['-tq', file]);
  }, 60_000);
});
