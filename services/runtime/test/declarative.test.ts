import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  applyConfigFile,
  createLogger,
  createRuntime,
  parseServiceEnv,
  type Runtime,
  WRITE_ONLY,
} from '@crosswalk/runtime';
import { redisTestUrl } from '@crosswalk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockerEnv, newSecretKey, rawObject, s3, withDb } from './helpers.js';

const TOKEN = 'ghp_TestTokenThatMustNeverLeak0123456789';
const base = await redisTestUrl();

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cw-declarative-'));
  const file = path.join(dir, 'crosswalk.yaml');
  await writeFile(file, text);
  return file;
}

const yaml = (owner: string) => `
connectors:
  - id: github-acme
    type: github
    org: acme
    auth: { kind: token, token: "\${GH_TOKEN}" }
    controlOwner: ${owner}
`;

describe('parseServiceEnv', () => {
  it('names each bad variable and never echoes a value', () => {
    let error: unknown;
    try {
      parseServiceEnv({ REDIS_URL: 'not a url', PORT: '99999', CROSSWALK_WORKER_CONCURRENCY: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'CW_CONFIG_INVALID', where: 'environment' });
    const paths = (error as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['CROSSWALK_SECRET_KEY', 'CROSSWALK_WORKER_CONCURRENCY', 'PORT', 'REDIS_URL']);
  });

  it('takes the S3 locker from CROSSWALK_S3_* and freezes the result', () => {
    const env = parseServiceEnv({
      CROSSWALK_SECRET_KEY: newSecretKey(),
      CROSSWALK_S3_BUCKET: 'evidence',
      CROSSWALK_S3_ENDPOINT: 'http://127.0.0.1:7480',
      CROSSWALK_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(env.locker).toMatchObject({ driver: 's3', bucket: 'evidence', forcePathStyle: true });
    expect(Object.isFrozen(env)).toBe(true);
  });
});

describe.skipIf(!s3 || !base)('applyConfigFile (S3 locker, Redis database 8)', () => {
  let runtime: Runtime;
  let bucket: string;

  beforeAll(async () => {
    const locker = await lockerEnv();
    bucket = locker.CROSSWALK_S3_BUCKET!;
    runtime = createRuntime(
      parseServiceEnv({ ...locker, REDIS_URL: withDb(base!, 8), CROSSWALK_SECRET_KEY: newSecretKey() }),
      { logger: createLogger({ level: 'silent' }) },
    );
    process.env.GH_TOKEN = TOKEN;
  });

  afterAll(async () => {
    delete process.env.GH_TOKEN;
    await runtime?.close();
  });

  it('loads each connector of the file into the locker, sealed, and audits it as the file', async () => {
    const file = await configFile(yaml('secops@acme.example'));
    expect(await applyConfigFile(runtime, file)).toEqual([{ id: 'github-acme', changed: true }]);
    expect((await runtime.configs.get('github-acme')).config).toMatchObject({
      org: 'acme',
      auth: { kind: 'token', token: WRITE_ONLY },
    });
    expect(await rawObject(bucket, 'config/connectors/github-acme.json')).not.toContain(TOKEN);
    expect((await runtime.configs.resolve('github-acme')).config).toMatchObject({
      auth: { kind: 'token', token: TOKEN },
    });
    const entries = [];
    for await (const entry of runtime.locker.audit.list({
      from: '2000-01-01T00:00:00.000Z',
      to: '2100-01-01T00:00:00.000Z',
    })) {
      entries.push(entry);
    }
    expect(entries).toEqual([
      expect.objectContaining({
        actor: `config-file:${file}`,
        action: 'connector.create',
        target: 'github-acme',
        details: expect.objectContaining({ source: 'config-file' }),
      }),
    ]);
  });

  it('changes nothing when applied again at the next start, and updates what the file changed', async () => {
    const same = await configFile(yaml('secops@acme.example'));
    expect(await applyConfigFile(runtime, same)).toEqual([{ id: 'github-acme', changed: false }]);
    const edited = await configFile(yaml('grc@acme.example'));
    expect(await applyConfigFile(runtime, edited)).toEqual([{ id: 'github-acme', changed: true }]);
    expect((await runtime.configs.get('github-acme')).config.controlOwner).toBe('grc@acme.example');
  });

  it('refuses a file whose connector is invalid, naming the field, and leaves the stored one alone', async () => {
    const file = await configFile(yaml('grc@acme.example').replace('org: acme', 'org: "not a login"'));
    await expect(applyConfigFile(runtime, file)).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: 'connectors.github-acme.org' })],
    });
    expect((await runtime.configs.resolve('github-acme')).config.org).toBe('acme');
  });
});
