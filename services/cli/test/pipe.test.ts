import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The CLI as a shell runs it, with the reader of its stdout gone before the first line is written. */
function runWithClosedStdout(...argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', ...argv], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `| head -0`: the read end closes at once, so every write to stdout fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('crosswalk writing into a pipe its reader closed (`| head -1`)', () => {
  it('stops quietly: no stack trace, exit 0', async () => {
    const { code, stderr } = await runWithClosedStdout('controls', '--framework', 'soc2-2017');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('still reports a bad command line on stderr', async () => {
    const { code, stderr } = await runWithClosedStdout('controls', '--framework', 'soc2', '--format', 'jsn');
    expect(stderr).toMatch(/CW_INPUT_INVALID: --format must be table or json, not "jsn"/);
    expect(code).toBe(1);
  });
});
