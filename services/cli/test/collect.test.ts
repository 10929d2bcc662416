import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acme, startFake, TOKEN } from '@crosswalk/connector-github/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/main.js';

describe('crosswalk collect --once against a loopback GitHub', () => {
  let fake: Awaited<ReturnType<typeof startFake>>;
  let configFile: string;
  let lockerDir: string;

  beforeAll(async () => {
    fake = await startFake(acme());
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-cli-collect-'));
    lockerDir = path.join(dir, 'locker');
    configFile = path.join(dir, 'crosswalk.yaml');
    await writeFile(
      configFile,
      [
        `locker: { driver: fs, root: ${JSON.stringify(lockerDir)} }`,
        'connectors:',
        '  - id: github-acme',
        '    type: github',
        '    org: acme',
        `    baseUrl: ${fake.url}`,
        '    auth: { kind: token, token: "${CW_TEST_GITHUB_TOKEN}" }',
        '    requests: { graphqlSpacingMs: 0 }',
      ].join('\n'),
    );
    process.env.CW_TEST_GITHUB_TOKEN = TOKEN;
  });

  afterAll(async () => {
    delete process.env.CW_TEST_GITHUB_TOKEN;
    await fake.close();
  });

  async function collect() {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [
        'collect',
        '--config',
        configFile,
        '--once',
        '--since',
        '2026-03-01',
        '--until',
        '2026-03-08',
        '--format',
        'json',
      ],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
    );
    return {
      code,
      rows: JSON.parse(out.join('\n')) as {
        collector: string;
        status: string;
        stored: number;
        duplicates: number;
      }[],
      progress: err.join('\n'),
    };
  }

  it('stores records of all four kinds, shows progress, and a rerun stores nothing new', async () => {
    const first = await collect();
    expect(first.code).toBe(0);
    expect(first.rows.map((r) => [r.collector, r.status])).toEqual([
      ['pull_request_approvals', 'succeeded'],
      ['branch_protection', 'succeeded'],
      ['org_members', 'succeeded'],
      ['member_removed', 'succeeded'],
    ]);
    for (const row of first.rows) expect(row.stored, row.collector).toBeGreaterThan(0);
    expect(first.progress).toMatch(
      /pull_request_approvals: collecting github\.pull_request\.approval 2026-03-01T00:00:00\.000Z\.\.2026-03-08T00:00:00\.000Z/,
    );
    expect(first.progress).not.toContain(TOKEN);

    const second = await collect();
    expect(second.code).toBe(0);
    for (const row of second.rows) {
      expect(row.stored, row.collector).toBe(0);
      expect(row.duplicates, row.collector).toBeGreaterThan(0);
    }

    const listed: string[] = [];
    const code = await run(
      [
        'locker',
        'list',
        '--kind',
        'github.pull_request.approval',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-08',
        '--locker-dir',
        lockerDir,
        '--format',
        'json',
      ],
      { out: (t) => listed.push(t), err: () => {} },
    );
    expect(code).toBe(0);
    expect(JSON.parse(listed.join('\n'))).toHaveLength(first.rows[0]!.stored);
  });
});
