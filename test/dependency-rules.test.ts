import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `pnpm lint` enforces the workspace's dependency rules with dependency-cruiser (direction, cycles) and knip
 * (unused and test-only dependencies). These run both tools, with the repository's own configuration, on a small
 * workspace laid out like ours, so a rule that stopped firing would show here.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

async function tool(cwd: string, name: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(bin(name), args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

async function write(dir: string, file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), text);
}

function manifest(name: string, dependencies: Record<string, string> = {}): string {
  return JSON.stringify({
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    exports: { '.': './src/index.ts' },
    dependencies,
  });
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cw-deprules-'));
  await write(
    dir,
    'package.json',
    JSON.stringify({ name: 'fixture', private: true, workspaces: ['packages/*', 'connectors/*'] }),
  );
  await write(dir, 'pnpm-workspace.yaml', 'packages:\n  - "packages/*"\n  - "connectors/*"\n');
  await write(
    dir,
    'tsconfig.json',
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } }),
  );
  await write(dir, 'packages/core/package.json', manifest('@fixture/core', { 'left-pad': '^1.3.0' }));
  // Against the direction: core is the leaf.
  await write(dir, 'packages/core/src/index.ts', "export { store } from '../../locker/src/index.ts';\n");
  await write(dir, 'packages/locker/package.json', manifest('@fixture/locker'));
  await write(dir, 'packages/locker/src/index.ts', 'export const store = 1;\n');
  await write(dir, 'connectors/okta/package.json', manifest('@fixture/okta'));
  await write(
    dir,
    'connectors/okta/src/index.ts',
    "export { store } from '../../../packages/locker/src/index.ts';\n",
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm lint', () => {
  it('fails on an import against the direction services -> connectors -> packages -> core', async () => {
    const result = await tool(dir, 'depcruise', [
      'packages',
      'connectors',
      '--config',
      path.join(root, '.dependency-cruiser.cjs'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      'core-is-the-leaf: packages/core/src/index.ts → packages/locker/src/index.ts',
    );
    // The inward arrow next to it is allowed.
    expect(result.output).not.toContain('connectors/okta/src/index.ts →');
  });

  it('fails on a dependency nothing imports', async () => {
    const result = await tool(dir, 'knip', [
      '--dependencies',
      '--no-config-hints',
      '--config',
      path.join(root, 'knip.jsonc'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Unused dependencies[^\n]*\n\s*left-pad\s+packages\/core\/package\.json/);
  });
});
