import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '@crosswalk/runtime';
import { describe, expect, it } from 'vitest';
import { run } from '../src/main.js';

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cw-config-'));
  const at = path.join(dir, name);
  await writeFile(at, text);
  return at;
}

describe('the config file', () => {
  it('reads YAML, resolves ${VAR} from the environment and splits the id off each connector', async () => {
    const at = await file(
      'crosswalk.yaml',
      'locker: { driver: fs, root: /tmp/x }\nconnectors:\n  - id: gh\n    type: github\n    org: acme\n    auth: { kind: token, token: "${GH_TOKEN}" }\n',
    );
    const config = await loadConfigFile(at, { GH_TOKEN: 'ghp_abc' });
    expect(config.locker).toEqual({ driver: 'fs', root: '/tmp/x' });
    expect(config.connectors).toEqual([
      {
        id: 'gh',
        type: 'github',
        config: { type: 'github', org: 'acme', auth: { kind: 'token', token: 'ghp_abc' } },
      },
    ]);
  });

  it('names the field whose environment variable is missing, not its value', async () => {
    const at = await file(
      'c.yaml',
      'connectors:\n  - id: gh\n    type: github\n    auth: { token: "${NOPE_TOKEN}" }\n',
    );
    await expect(loadConfigFile(at, {})).rejects.toMatchObject({
      code: 'CW_CONFIG_INVALID',
      issues: [{ path: 'connectors.0.auth.token', message: 'environment variable NOPE_TOKEN is not set' }],
    });
  });

  it('rejects duplicate connector ids and unknown top-level keys', async () => {
    const dup = await file(
      'd.json',
      JSON.stringify({
        connectors: [
          { id: 'a', type: 'github' },
          { id: 'a', type: 'github' },
        ],
      }),
    );
    await expect(loadConfigFile(dup, {})).rejects.toThrow(/"a" appears twice/);
    const extra = await file('e.json', JSON.stringify({ conectors: [] }));
    await expect(loadConfigFile(extra, {})).rejects.toMatchObject({ code: 'CW_CONFIG_INVALID' });
  });

  it('says which file is not valid YAML', async () => {
    const at = await file('broken.yaml', 'connectors: [\n');
    await expect(loadConfigFile(at, {})).rejects.toThrow(/broken\.yaml is not valid YAML/);
  });
});

describe('crosswalk collect', () => {
  it('refuses to run without --once and names an unknown connector type', async () => {
    const at = await file(
      'c.yaml',
      'locker: { driver: fs, root: /tmp/cw-unused }\nconnectors:\n  - id: x\n    type: bitbucket\n',
    );
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    expect(await run(['collect', '--config', at], io)).toBe(1);
    expect(err.join('\n')).toMatch(/pass --once/);
    err.length = 0;
    expect(await run(['collect', '--config', at, '--once'], io)).toBe(1);
    expect(err.join('\n')).toMatch(/unknown connector type "bitbucket"/);
  });
});
