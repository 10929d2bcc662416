import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCrosswalkError } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { environmentVariables, parseServiceEnv } from '../src/env.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const base = { CROSSWALK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };

function issuesOf(env: Record<string, string>): string[] {
  try {
    parseServiceEnv({ ...base, ...env });
  } catch (error) {
    if (isCrosswalkError(error, 'CW_CONFIG_INVALID')) return error.issues.map((i) => i.path);
    throw error;
  }
  return [];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' ? [] : sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

describe('the environment schema', () => {
  it('names the variable of every bad value, the locker and worker ones included', () => {
    expect(
      issuesOf({
        CROSSWALK_RETENTION_DAYS: 'forever',
        CROSSWALK_STALLED_INTERVAL_MS: '-5',
        CROSSWALK_S3_ENDPOINT: 'the minio container',
        CROSSWALK_S3_FORCE_PATH_STYLE: 'yes',
      }).sort(),
    ).toEqual([
      'CROSSWALK_RETENTION_DAYS',
      'CROSSWALK_S3_ENDPOINT',
      'CROSSWALK_S3_FORCE_PATH_STYLE',
      'CROSSWALK_STALLED_INTERVAL_MS',
    ]);
  });

  it('reads an empty variable as unset (compose passes `${VAR:-}` as an empty string)', () => {
    const env = parseServiceEnv({ ...base, CROSSWALK_RETENTION_DAYS: '', CROSSWALK_S3_ENDPOINT: '' });
    expect(env.CROSSWALK_RETENTION_DAYS).toBeUndefined();
    expect(env.CROSSWALK_STALLED_INTERVAL_MS).toBe(30_000);
  });

  it('declares every variable a module reads, and the README documents each', () => {
    const read = new Set<string>();
    for (const top of ['packages', 'connectors', 'services']) {
      for (const pkg of readdirSync(path.join(root, top))) {
        const src = path.join(root, top, pkg, 'src');
        if (pkg === 'testing' || !statSync(path.join(root, top, pkg)).isDirectory()) continue;
        for (const file of (() => {
          try {
            return sources(src);
          } catch {
            return [];
          }
        })()) {
          const text = readFileSync(file, 'utf8');
          for (const m of text.matchAll(
            /\benv(?:\?)?\.([A-Z][A-Z0-9_]+)\b|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
          )) {
            read.add((m[1] ?? m[2])!);
          }
        }
      }
    }
    // The operating system's own: where the default signing key lives, and who runs the CLI.
    const system = new Set(['HOME', 'XDG_CONFIG_HOME', 'USER']);
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((name) => !system.has(name) && !environmentVariables.includes(name))).toEqual([]);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const configuration = readme.slice(readme.indexOf('## Configuration'));
    expect(environmentVariables.filter((name) => !configuration.includes(`\`${name}\``))).toEqual([]);
  });
});
