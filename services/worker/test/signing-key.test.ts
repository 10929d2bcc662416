import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publicKeyFingerprint } from '@crosswalk/export';
import { createLogger, type Runtime } from '@crosswalk/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signingKeyLoader } from '../src/process-export.js';

describe('the worker signing key', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cw-worker-key-'));
    delete process.env.CROSSWALK_SIGNING_KEY;
    delete process.env.CROSSWALK_SIGNING_KEY_FILE;
    process.env.XDG_CONFIG_HOME = dir;
  });
  afterEach(async () => {
    process.env = { ...saved };
    await rm(dir, { recursive: true, force: true });
  });

  const runtime = { logger: createLogger({ level: 'silent' }) } as unknown as Runtime;

  it('never creates a key of its own, says how to configure one, and picks it up once configured', async () => {
    const load = signingKeyLoader(runtime);
    const error = await load().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CW_SIGNING_KEY_INVALID', where: 'CROSSWALK_SIGNING_KEY_FILE' });
    expect((error as Error).message).toContain('openssl genpkey -algorithm ed25519');
    // Nothing was generated in the config directory: each worker would otherwise sign with a key of its own.
    expect(await readdir(dir)).toEqual([]);

    const pair = generateKeyPairSync('ed25519');
    const file = path.join(dir, 'signing-key.pem');
    await writeFile(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
      mode: 0o600,
    });
    process.env.CROSSWALK_SIGNING_KEY_FILE = file;
    const key = await load();
    expect(key.fingerprint).toBe(publicKeyFingerprint(pair.publicKey));
    expect(await load()).toBe(key);
  });
});
