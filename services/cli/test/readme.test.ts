/**
 * The READMEs' commands and config examples, run as written: the quick start's first command (the demo) end to
 * end, the controls test line it shows, and every connector config example through the config file loader and
 * the connector's own schema. A README that drifts from the code fails here instead of on a new user's machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConnectorConfig } from '@crosswalk/collect';
import { connectorFor, loadConfigFile } from '@crosswalk/runtime';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The fenced blocks of a markdown file with the given info string. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((m) => m[1]!);
}

/** A block's commands: one per line, without comments. */
const commands = (block: string) =>
  block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

describe('the quick start', () => {
  const readme = read('README.md');
  const quick = readme.slice(
    readme.indexOf('## Quick start'),
    readme.indexOf('Everything below is reference.'),
  );
  const [setup, ...rest] = blocks(quick, 'sh');

  it('opens with exactly two set-up commands: the demo, then the tests', () => {
    expect(readme.indexOf('## Quick start')).toBeLessThan(
      readme.indexOf('## ', readme.indexOf('## Quick start') + 3),
    );
    expect(commands(setup!)).toEqual(['bash scripts/demo.sh', 'bash .ci/run']);
    // The line it shows for one control on the demo's data is a controls test on the demo's locker.
    expect(commands(rest[0]!)[0]).toMatch(
      /^pnpm -s crosswalk controls test --locker-dir \.crosswalk\/demo\/locker /,
    );
  });

  let demo: ChildProcess | undefined;
  afterAll(() => {
    try {
      if (demo?.pid) process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // The group is gone already: the test ended it.
    }
  });

  it('runs the demo as written: a year collected, the auditor findings, a verified export and the API serving it', async () => {
    const [command] = commands(setup!);
    // As a user runs it, from the checkout; it replaces only its own .crosswalk/demo/ folder.
    // In a process group of its own, so Ctrl-C can be played as a terminal sends it: to the whole group.
    demo = spawn('bash', ['-c', command!], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    demo.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const served = await new Promise<boolean>((resolve) => {
      demo!.stdout!.on('data', (chunk) => {
        stdout += chunk;
        if (/Ctrl-C stops it:\n[\s\S]*\/console\/ .*\n/.test(stdout)) resolve(true);
      });
      demo!.on('exit', () => resolve(false));
    });
    expect(served, `${stdout}\n${stderr}`).toBe(true);

    expect(stdout).toMatch(/verify\s+OK: hashes, signature/);
    // What Northwind's year was built to contain, found by the starter controls.
    expect(stdout).toMatch(/CHG-01 northwind\/\w+#\d+: approvalsBeforeMerge = 0, needs 1/);
    expect(stdout).toMatch(
      /IAM-01 \d{4}-\d\d-\d\d: okta: removed 9060 min after the request, limit 1440 min/,
    );
    expect(stdout).toMatch(/IAM-02 period:\d{4}-Q\d: no evidence of operation/);
    expect(stderr).toContain(
      "every sandbox answer checked against the vendor's API description: all conform",
    );

    // The API it serves answers the curl line it printed, with the key it printed.
    const curl = stdout.match(/curl -s -H 'authorization: Bearer (\S+)' '(\S+)'/);
    expect(curl).not.toBeNull();
    const response = await fetch(curl![2]!, { headers: { authorization: `Bearer ${curl![1]}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: { kind: string }[] };
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((item) => item.kind === 'github.pull_request.approval')).toBe(true);

    // And the console it prints: the built page (scripts/demo.sh builds it), under the strict policy.
    const consoleUrl = stdout.match(/(http:\/\/\S+\/console\/) /);
    expect(consoleUrl).not.toBeNull();
    const page = await fetch(consoleUrl![1]!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root"></div>');

    // Ctrl-C: the CLI closes the API and its runtime. 'close' waits for every process holding the pipes, the
    // CLI included, whatever pnpm (between bash and it) does with the signal.
    const closed = new Promise<void>((resolve) => demo!.on('close', () => resolve()));
    process.kill(-demo.pid!, 'SIGINT');
    await closed;
    expect(stderr).toContain('SIGINT: stopping the API');
    expect(stderr).not.toMatch(/error CW_|\n\s+at /);
  }, 600_000);

  it("runs the controls test line it shows on the demo's locker", async () => {
    const line = commands(rest[0]!)[0]!;
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-c', line], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
      });
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(
      /^CHG-01 {2}Changes are approved by someone other than their author before merge/,
    );
    expect(result.out).toMatch(/population \d+ \(sha256 [0-9a-f]+\): \d+ passed/);
  }, 300_000);
});

describe('the config examples in the READMEs', () => {
  const files = [
    'README.md',
    'connectors/github/README.md',
    'connectors/okta/README.md',
    'connectors/jira/README.md',
  ];
  /** A value for every ${NAME} an example names, long enough for every schema's minimum. */
  const envFor = (example: string): NodeJS.ProcessEnv =>
    Object.fromEntries(
      [...example.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => [m[1]!, `${m[1]!.toLowerCase()}-0123456789`]),
    );

  for (const file of files) {
    it(`${file}: every crosswalk.yaml example loads and each connector in it passes its own schema`, async () => {
      const examples = blocks(read(file), 'yaml').filter((b) => /^connectors:/m.test(b));
      expect(examples.length).toBeGreaterThan(0);
      const dir = await mkdtemp(path.join(tmpdir(), 'crosswalk-readme-'));
      for (const [index, example] of examples.entries()) {
        const config = path.join(dir, `example-${index}.yaml`);
        await writeFile(config, example);
        const loaded = await loadConfigFile(config, { ...envFor(example), CROSSWALK_LOCKER_DIR: dir });
        expect(loaded.connectors.length).toBeGreaterThan(0);
        for (const entry of loaded.connectors) {
          expect(() => parseConnectorConfig(connectorFor(entry.type), entry.id, entry.config)).not.toThrow();
        }
      }
    });
  }
});
