import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sealRecord, serializeRecord } from '@crosswalk/core';
import { pullRequestDraft } from '@crosswalk/core/testing';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

describe('crosswalk controls', () => {
  it('lists the 61 SOC 2 criteria as JSON with the mapping version', async () => {
    const { code, stdout } = await cli('controls', '--framework', 'soc2-2017', '--format', 'json');
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.controls).toHaveLength(61);
    expect(body.mappingVersion).toMatch(/^crosswalk-/);
    expect(body.controls.find((c: { id: string }) => c.id === 'CC8.1').kinds).toContain(
      'github.pull_request.approval',
    );
  });

  it('refuses an unknown --format instead of printing a table a script would then fail to parse', async () => {
    for (const argv of [
      ['controls', '--framework', 'soc2', '--format', 'jsn'],
      ['kinds', '--format', 'yaml'],
      ['map', 'soc2-2017:CC8.1', '--format=JSON'],
    ]) {
      const { code, stdout, stderr } = await cli(...argv);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^error CW_INPUT_INVALID: --format must be table or json, not "(jsn|yaml|JSON)"/,
      );
    }
  });

  it('names an unknown framework and exits non-zero', async () => {
    const { code, stderr } = await cli('controls', '--framework', 'pci');
    expect(code).toBe(1);
    expect(stderr).toMatch(/CW_FRAMEWORK_UNKNOWN.*"pci"/);
  });
});

describe('crosswalk map', () => {
  it("shows CC8.1's ISO 27001:2022 counterparts with confidence", async () => {
    const { code, stdout } = await cli('map', 'soc2-2017:CC8.1', '--format', 'json');
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.counterparts).toContainEqual(
      expect.objectContaining({ framework: 'iso27001-2022', id: 'A.8.32', confidence: 'high' }),
    );
  });

  it('translates a 2013 id before mapping it', async () => {
    const { stdout } = await cli('map', 'iso27001-2013:A.9.2.6', '--format', 'json');
    expect(JSON.parse(stdout).counterparts[0]).toMatchObject({
      framework: 'iso27001-2022',
      id: 'A.5.18',
      confidence: 'exact',
    });
  });

  it('names an unknown control as JSON on stderr when asked for JSON', async () => {
    const { code, stderr } = await cli('map', 'soc2-2017:CC99.9', '--format', 'json');
    expect(code).toBe(1);
    expect(JSON.parse(stderr).error).toMatchObject({ code: 'CW_CONTROL_UNKNOWN' });
  });
});

describe('crosswalk locker', () => {
  it('proves write-once on the filesystem default with a probe outside the evidence', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-cli-'));
    const { code, stdout } = await cli('locker', 'check', '--locker-dir', dir, '--format', 'json');
    expect(code).toBe(0);
    const check = JSON.parse(stdout);
    expect(check).toMatchObject({
      firstWrite: 'created',
      secondWrite: 'exists',
      readBack: 'first write',
      writeOnce: 'conditional',
      location: dir,
      key: expect.stringMatching(/^probe\/check\//),
      note: expect.stringContaining('probe/'),
    });
    // Nothing an auditor would see: no record of any kind, so no population, coverage day or export row.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((name) => name !== '.tmp')).toEqual(['probe']);
    const listed = await cli(
      'locker',
      'list',
      '--kind',
      'github.org_members',
      '--from',
      '2000-01-01',
      '--to',
      '2100-01-01',
      '--locker-dir',
      dir,
      '--format',
      'json',
    );
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('stores record files, lists them by window and refuses a malformed batch whole', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-cli-'));
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    const record = sealRecord(
      pullRequestDraft({ occurredAt: '2026-02-01T00:00:00.000Z' }),
      '2026-02-02T00:00:00.000Z',
    );
    await writeFile(good, serializeRecord(record));
    await writeFile(bad, JSON.stringify({ ...record, occurredAt: 'yesterday' }));
    const locker = path.join(dir, 'locker');

    const refused = await cli('locker', 'put', good, bad, '--locker-dir', locker);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(bad);
    expect(refused.stderr).toMatch(/occurredAt/);
    // What `locker list` shows of the record's kind over January and February, as JSON.
    const list = async () =>
      JSON.parse(
        (
          await cli(
            'locker',
            'list',
            '--kind',
            record.kind,
            '--from',
            '2026-01-01',
            '--to',
            '2026-03-01',
            '--locker-dir',
            locker,
            '--format',
            'json',
          )
        ).stdout,
      );
    expect(await list()).toEqual([]);

    expect((await cli('locker', 'put', good, '--locker-dir', locker)).code).toBe(0);
    expect(await list()).toEqual([
      expect.objectContaining({ id: record.id, occurredAt: record.occurredAt, owner: 'bob' }),
    ]);
  });

  it('rejects a window whose start is not before its end', async () => {
    const { code, stderr } = await cli(
      'locker',
      'list',
      '--kind',
      'okta.policy',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-01',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/CW_INPUT_INVALID: --from .* must be before --to/);
  });
});
