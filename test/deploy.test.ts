import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigningKey } from '@crosswalk/export';
import { DCLinter } from 'dclint';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * What the container files promise and no Docker engine here can run: `pnpm lint` checks docker-compose.yml
 * against the compose-spec schema (dclint) and the Dockerfile's syntax (dockerfile-utils); these tests state
 * the rest: versions in step, nothing published beyond 127.0.0.1, no default credential, every service
 * startable on its own, and the keys step's output.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  build?: string;
  image?: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = read('Dockerfile');
const manifest = JSON.parse(read('package.json'));

describe('the Node and pnpm versions', () => {
  it('are the same in .node-version, the Dockerfile, engines and packageManager', () => {
    const node = read('.node-version').trim();
    expect(dockerfile).toContain(`ARG NODE_VERSION=${node}\n`);
    expect(manifest.engines.node).toBe(`>=${node}`);
    expect(dockerfile).toContain(
      `ARG PNPM_VERSION=${manifest.packageManager.replace(/^pnpm@/, '').split('+')[0]}\n`,
    );
    expect(read('.ci/run')).toContain('bash scripts/node.sh');
  });
});

describe('the Dockerfile', () => {
  it('installs from the lockfile alone, offline, and runs as the unprivileged node user', () => {
    expect(dockerfile).toMatch(/COPY pnpm-lock\.yaml pnpm-workspace\.yaml \.\/\n/);
    expect(dockerfile).toMatch(/pnpm install --prod --frozen-lockfile --offline/);
    const stages = dockerfile.split(/^FROM /m);
    expect(stages.at(-1)).toMatch(/^USER node$/m);
    expect(read('.dockerignore')).toMatch(/^\*\*\/node_modules$/m);
  });

  it('is checked by a validator that can fail', () => {
    expect(validate(dockerfile)).toEqual([]);
    const broken = validate('FROM node:26\nCOPY\nFROOM x\n').map((d) => d.message);
    expect(broken).toEqual(expect.arrayContaining(['Unknown instruction: FROOM']));
  });
});

describe('docker-compose.yml', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const ports = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('builds Crosswalk from the Dockerfile instead of installing into a bind-mounted checkout', () => {
    for (const name of ['api', 'worker', 'keys']) {
      expect(services[name]?.build).toBe('.');
      expect(services[name]?.volumes ?? []).not.toContainEqual(expect.stringMatching(/^\.\/?:/));
    }
  });

  it('needs no variable set, so any subset of services starts (`docker compose up minio minio-init`)', () => {
    const text = read('docker-compose.yml');
    const references = [...text.matchAll(/(?<!\$)\$\{([^}]+)\}/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^[A-Z_]+:-/);
  });

  it('writes no credential: MinIO and Crosswalk read theirs from the keys volume', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/crosswalk-dev-secret|minioadmin/);
    expect(text).toMatch(/MINIO_ROOT_PASSWORD: \$\{MINIO_ROOT_PASSWORD:-\}/);
    for (const name of ['api', 'worker']) {
      const env = services[name]!.environment!;
      expect(env.CROSSWALK_SECRET_KEY).toBeUndefined();
      expect(env.CROSSWALK_SECRET_KEY_FILE).toBe('/keys/secret-key');
      expect(env.CROSSWALK_S3_SECRET_ACCESS_KEY_FILE).toBe('/keys/s3-secret-access-key');
      expect(env.CROSSWALK_SIGNING_KEY_FILE).toBe('/keys/signing-key.pem');
      expect(env.CROSSWALK_RETENTION_DAYS).toBeDefined();
      expect(services[name]!.depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');
    }
    expect(services.minio!.depends_on?.keys?.condition).toBe('service_completed_successfully');
  });

  it('sets retention on the Object Lock bucket it creates', () => {
    const init = services['minio-init']!.entrypoint!.join(' ');
    expect(init).toMatch(/mc mb --ignore-existing --with-lock local\/crosswalk/);
    expect(init).toMatch(/mc retention set --default COMPLIANCE/);
  });

  it('passes the compose-spec schema, and the check can fail', () => {
    const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
    const good = linter.lintFiles([path.join(root, 'docker-compose.yml')], false);
    expect(good[0]?.messages.filter((m: { rule: string }) => m.rule === 'invalid-schema')).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'cw-compose-'));
    const bad = path.join(dir, 'docker-compose.yml');
    writeFileSync(bad, 'services:\n  a:\n    image: redis:7\n    restrat: always\n');
    const result = linter.lintFiles([bad], false);
    expect(result[0]?.messages.map((m: { rule: string }) => m.rule)).toContain('invalid-schema');
  });
});

describe('the keys step (scripts/docker/init-keys.ts)', () => {
  const initKeys = (dir: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [path.join(root, 'scripts/docker/init-keys.ts'), dir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });

  it('makes every secret once, 0600, usable by the code that reads it, and never replaces one', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cw-keys-')), 'keys');
    const first = initKeys(dir);
    expect(first.status).toBe(0);
    const files = ['secret-key', 'signing-key.pem', 's3-access-key-id', 's3-secret-access-key'];
    const contents = files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
    for (const f of files) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(contents[0]!, 'base64')).toHaveLength(32);
    const key = await loadSigningKey({ file: path.join(dir, 'signing-key.pem') });
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(contents[2]).toBe('crosswalk');
    expect(contents[3]!.length).toBeGreaterThanOrEqual(32);

    const second = initKeys(dir, { MINIO_ROOT_PASSWORD: 'changed-later' });
    expect(second.status).toBe(0);
    expect(second.stdout).not.toMatch(/created/);
    expect(files.map((f) => readFileSync(path.join(dir, f), 'utf8'))).toEqual(contents);
  });

  it("takes MinIO's credentials from the environment the first time, and makes a random password otherwise", () => {
    const given = path.join(mkdtempSync(path.join(tmpdir(), 'cw-keys-')), 'keys');
    initKeys(given, { MINIO_ROOT_USER: 'evidence', MINIO_ROOT_PASSWORD: 'a-password-of-my-own' });
    expect(readFileSync(path.join(given, 's3-access-key-id'), 'utf8')).toBe('evidence');
    expect(readFileSync(path.join(given, 's3-secret-access-key'), 'utf8')).toBe('a-password-of-my-own');
    const other = path.join(mkdtempSync(path.join(tmpdir(), 'cw-keys-')), 'keys');
    initKeys(other);
    const first = path.join(mkdtempSync(path.join(tmpdir(), 'cw-keys-')), 'keys');
    initKeys(first);
    expect(readFileSync(path.join(other, 's3-secret-access-key'), 'utf8')).not.toBe(
      readFileSync(path.join(first, 's3-secret-access-key'), 'utf8'),
    );
  });
});

describe('the image entrypoint (scripts/docker/entrypoint.sh)', () => {
  const entrypoint = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync('sh', [path.join(root, 'scripts/docker/entrypoint.sh'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });

  it('runs the CLI', () => {
    const result = entrypoint(['--version'], {});
    expect(result.stdout.trim()).toBe(manifest.version);
    expect(result.status).toBe(0);
  });

  it('names a *_FILE variable whose file cannot be read, and stops', () => {
    const result = entrypoint(['--version'], { CROSSWALK_SECRET_KEY_FILE: '/nonexistent/secret-key' });
    expect(result.stderr).toMatch(/CROSSWALK_SECRET_KEY_FILE names \/nonexistent\/secret-key/);
    expect(result.status).toBe(1);
  });
});
