import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore, Locker, lockerConfigFromEnv, parseLockerConfig } from '../src/index.js';
import { lockerContract } from './contract.js';

const freshDir = () => mkdtemp(path.join(tmpdir(), 'cw-locker-'));

lockerContract('filesystem', async () => new FsObjectStore(await freshDir()));

describe('the filesystem driver', () => {
  it('leaves no temporary file behind after writes and refused writes', async () => {
    const root = await freshDir();
    const store = new FsObjectStore(root);
    await store.createOnce('a/b.json', Buffer.from('1'));
    await store.createOnce('a/b.json', Buffer.from('2'));
    await store.put('c.json', Buffer.from('3'));
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('rejects keys that would escape its directory', async () => {
    const store = new FsObjectStore(await freshDir());
    await expect(store.put('../escape.json', Buffer.from('x'))).rejects.toMatchObject({
      code: 'CW_INPUT_INVALID',
    });
  });

  it('says plainly that it cannot enforce retention when retention is configured', async () => {
    const warnings: string[] = [];
    const locker = new Locker(new FsObjectStore(await freshDir()), {
      retentionDays: 30,
      onWarning: (m) => warnings.push(m),
    });
    expect(await locker.retentionStatus()).toBe('unsupported');
    expect(warnings).toEqual([
      expect.stringMatching(/retention of 30 days is configured but .* has no Object Lock/),
    ]);
  });
});

describe('locker configuration', () => {
  it('defaults to the filesystem under ./.crosswalk/locker', () => {
    expect(lockerConfigFromEnv({})).toEqual({ driver: 'fs', root: './.crosswalk/locker' });
  });

  it('names every bad field', () => {
    try {
      parseLockerConfig({ driver: 's3', bucket: 'x', accessKeyId: 'AKIA' }, 'crosswalk.yaml');
      expect.unreachable();
    } catch (error) {
      const issues = (error as { issues: { path: string }[] }).issues.map((i) => i.path);
      expect(issues).toEqual(expect.arrayContaining(['crosswalk.yaml.bucket']));
    }
  });
});
