import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import { type EvidenceKind, type EvidenceRecord, fixedClock } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraConnector } from '../src/index.js';
import {
  API_TOKEN,
  acmeSite,
  configFor,
  EMAIL,
  type FakeJira,
  NOW,
  startFakeJira,
  WINDOW,
} from './helpers.js';

const KINDS: EvidenceKind[] = [
  'jira.deprovisioning_ticket',
  'jira.provisioning_ticket',
  'jira.access_review_ticket',
];

describe('running the Jira connector into a filesystem locker', () => {
  let server: FakeJira;
  let locker: Locker;
  const logs: string[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const run = () =>
    runConnector({
      connector: jiraConnector,
      connectorId: 'jira-acme',
      config: configFor(server),
      locker,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock(NOW),
      log: { info: log('info'), warn: log('warn'), debug: log('debug') },
    });

  beforeAll(async () => {
    server = await startFakeJira(acmeSite());
    locker = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-jira-e2e-'))), {
      clock: fixedClock(NOW),
    });
  });

  afterAll(() => server.close());

  it('stores ticket records of all three kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual([
      ['deprovisioning_tickets', 'succeeded', 5, null],
      ['provisioning_tickets', 'succeeded', 2, null],
      ['access_review_tickets', 'succeeded', 1, null],
    ]);
    expect(server.violations).toEqual([]);

    const records: EvidenceRecord[] = [];
    for (const kind of KINDS) {
      for await (const record of locker.records.list(kind, {
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
      })) {
        records.push(record);
      }
    }
    expect(records).toHaveLength(8);
    for (const record of records) {
      expect(record.occurredAt).toMatch(/^2026-03-0[1-7]/);
      expect(record.collectedAt).toBe(NOW);
      expect(record.owner.controlOwner).toBe('secops@acme.example');
      expect(record.owner.people.length).toBeGreaterThan(0);
      expect(record.provenance.connector).toEqual({
        id: 'jira-acme',
        type: 'jira',
        version: jiraConnector.version,
      });
      expect(record.provenance.requests.length).toBeGreaterThan(0);
      for (const request of record.provenance.requests) expect(request.requestId).toMatch(/^\d+x\d+x1$/);
      expect(record.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.2', 'CC6.3']));
      expect(record.controls['iso27001-2022']).toContain('A.5.18');
      const text = JSON.stringify(record);
      expect(text).not.toContain(API_TOKEN);
      expect(text).not.toContain(Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64'));
    }
    const deprovisioning = records.filter((r) => r.kind === 'jira.deprovisioning_ticket');
    expect(deprovisioning.map((r) => r.controls['iso27001-2022'])).toEqual(
      Array(5).fill(expect.arrayContaining(['A.5.16', 'A.5.18'])),
    );
    // Nothing in this config says the offboarding process covers the return of assets: no ticket claims A.5.11.
    for (const record of deprovisioning) {
      expect((record.payload as { assetReturn?: boolean }).assetReturn).toBe(false);
      expect(record.controls['iso27001-2022']).not.toContain('A.5.11');
    }
    expect(logs.join('\n')).not.toContain(API_TOKEN);
  });

  it('stores nothing new when the same window runs again', async () => {
    const manifest = await run();
    expect(manifest.status).toBe('succeeded');
    // The manifest vouches for every record the run met; none of them is new.
    expect(manifest.records.length).toBeGreaterThan(0);
    expect(manifest.records.filter((record) => !record.duplicate)).toEqual([]);
    expect(manifest.collectors.map((c) => [c.stored, c.duplicates])).toEqual([
      [0, 5],
      [0, 2],
      [0, 1],
    ]);
  });

  it('claims the return of assets (A.5.11) only for tickets whose configured process covers it', async () => {
    const own = new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), 'cw-jira-assets-'))), {
      clock: fixedClock(NOW),
    });
    const base = configFor(server);
    const manifest = await runConnector({
      connector: jiraConnector,
      connectorId: 'jira-acme',
      config: {
        ...base,
        kinds: { ...base.kinds, deprovisioning: { ...base.kinds.deprovisioning!, assetReturn: true } },
      },
      locker: own,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock(NOW),
    });
    expect(manifest.status).toBe('succeeded');
    const range = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
    const claimed: EvidenceRecord[] = [];
    for await (const record of own.records.list('jira.deprovisioning_ticket', range)) claimed.push(record);
    expect(claimed).toHaveLength(5);
    for (const record of claimed) {
      expect((record.payload as { assetReturn?: boolean }).assetReturn).toBe(true);
      expect(record.controls['iso27001-2022']).toContain('A.5.11');
    }
    // Other kinds never state or claim it.
    for await (const record of own.records.list('jira.provisioning_ticket', range)) {
      expect(record.payload).not.toHaveProperty('assetReturn');
      expect(record.controls['iso27001-2022']).not.toContain('A.5.11');
    }
  });

  it('records a failing collector in the manifest and still runs the others', async () => {
    server.fault({
      method: 'POST',
      path: '/rest/api/3/search/jql',
      status: 401,
      body: { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} },
    });
    const manifest = await run();
    expect(manifest.status).toBe('partial');
    expect(manifest.collectors[0]!.error).toEqual({
      code: 'CW_SOURCE_AUTH',
      message: expect.stringMatching(/^Jira rejected the credentials/),
    });
    expect(manifest.collectors.slice(1).map((c) => c.status)).toEqual(['succeeded', 'succeeded']);
    expect(JSON.stringify(manifest)).not.toContain(API_TOKEN);
  });

  it('skips the kinds without a JQL, saying so, and runs only the configured one, even with Jira unreachable', async () => {
    const down = await startFakeJira(acmeSite());
    const url = down.url;
    await down.close();
    const base = configFor(down);
    const progress: { type: string; collector: string; reason?: string }[] = [];
    const manifest = await runConnector({
      connector: jiraConnector,
      connectorId: 'jira-unconfigured',
      config: {
        ...base,
        siteUrl: url,
        kinds: { deprovisioning: base.kinds!.deprovisioning },
        requests: { retries: 0 },
      },
      locker,
      window: WINDOW,
      trigger: { type: 'manual', by: 'test' },
      clock: fixedClock(NOW),
      onProgress: (event) => progress.push(event),
    });
    // Only the configured kind ran (and failed: Jira is down); the others never claim "succeeded, 0 stored".
    expect(manifest.collectors.map((c) => [c.id, c.status])).toEqual([['deprovisioning_tickets', 'failed']]);
    expect(progress.filter((e) => e.type === 'collector-skipped')).toEqual([
      expect.objectContaining({ reason: 'no JQL configured for kinds.provisioning' }),
      expect.objectContaining({ reason: 'no JQL configured for kinds.accessReview' }),
    ]);
  });
});
