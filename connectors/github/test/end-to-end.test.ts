import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { type EvidenceKind, type EvidenceRecord, fixedClock } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubConnector } from '../src/index.js';
import { acme, configFor, NOW, startFake, TOKEN, WINDOW } from './helpers.js';
import type { FakeGitHub } from './server/index.js';

describe('running the GitHub connector into a filesystem locker', () => {
  let server: FakeGitHub;
  let locker: Locker;
  const run = () =>
    runConnector({
      connector: githubConnector,
      connectorId: 'github-acme',
      config: configFor(server),
      locker,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock(NOW),
    });

  beforeAll(async () => {
    server = await startFake(acme());
    locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-github-e2e-'))), {
      clock: fixedClock(NOW),
    });
  });

  afterAll(() => server.close());

  it('stores records of all four kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual([
      ['pull_request_approvals', 'succeeded', 5, null],
      ['branch_protection', 'succeeded', 3, null],
      ['org_members', 'succeeded', 1, null],
      ['member_removed', 'succeeded', 1, null],
    ]);
    expect(server.violations).toEqual([]);

    const records: EvidenceRecord[] = [];
    for (const kind of [
      'github.pull_request.approval',
      'github.branch_protection',
      'github.org_members',
      'github.member_removed',
    ] as EvidenceKind[]) {
      const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
      for await (const record of locker.records.list(kind, range)) records.push(record);
    }
    expect(records).toHaveLength(10);
    for (const record of records) {
      expect(record.occurredAt).toMatch(/^2026-03-0\d/);
      expect(record.collectedAt).toBe(NOW);
      expect(record.owner.controlOwner).toBe('secops@acme.example');
      expect(record.provenance.connector).toEqual({
        id: 'github-acme',
        type: 'github',
        version: githubConnector.version,
      });
      expect(record.provenance.requests.length).toBeGreaterThan(0);
      for (const request of record.provenance.requests) expect(request.requestId).toMatch(/^C0DE:/);
      expect(record.controls['soc2-2017'].length).toBeGreaterThan(0);
      expect(record.controls['iso27001-2022'].length).toBeGreaterThan(0);
      expect(JSON.stringify(record)).not.toContain(TOKEN);
    }
    const approval = records.find((r) => r.source.ref === 'acme/api#1')!;
    expect(approval.controls['soc2-2017']).toContain('CC8.1');
    expect(approval.controls['iso27001-2022']).toContain('A.8.32');
    expect(approval.owner.people.map((p) => p.login)).toEqual(['bob']);
  });

  it('stores nothing new when the same window runs again', async () => {
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    // The manifest vouches for every record the run met; none of them is new.
    expect(manifest.records.length).toBeGreaterThan(0);
    expect(manifest.records.filter((record) => !record.duplicate)).toEqual([]);
    expect(manifest.collectors.map((c) => c.stored)).toEqual([0, 0, 0, 0]);
    expect(manifest.collectors.map((c) => c.duplicates)).toEqual([5, 3, 1, 1]);
  });

  it('records a failing collector in the manifest and still runs the others', async () => {
    server.fault({
      path: '/orgs/acme',
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
    });
    const manifest = await run();
    expect(manifest.status).toBe('partial');
    const members = manifest.collectors.find((c) => c.id === 'org_members')!;
    expect(members.error).toEqual({
      code: 'CW_SOURCE_AUTH',
      message: expect.stringMatching(/^GitHub rejected the credentials/),
    });
    expect(JSON.stringify(manifest)).not.toContain(TOKEN);
    expect(manifest.collectors.filter((c) => c.status === 'succeeded')).toHaveLength(3);
  });
});
