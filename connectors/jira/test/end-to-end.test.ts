import {
  endToEnd,
  expectFirstRun,
  expectNothingNew,
  runOnce,
  storedRecords,
  tempLocker,
} from '@crosswalk/connector-testkit';
import type { EvidenceKind } from '@crosswalk/core';
import { describe, expect, it } from 'vitest';
import { jiraConnector } from '../src/index.js';
import { API_TOKEN, acmeSite, configFor, EMAIL, NOW, startFakeJira, WINDOW } from './helpers.js';

const KINDS: EvidenceKind[] = [
  'jira.deprovisioning_ticket',
  'jira.provisioning_ticket',
  'jira.access_review_ticket',
];

describe('running the Jira connector into a filesystem locker', () => {
  const logs: string[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) =>
    logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const connector = jiraConnector;
  const e2e = endToEnd({
    connector,
    connectorId: 'jira-acme',
    prefix: 'cw-jira-e2e-',
    now: NOW,
    window: WINDOW,
    start: () => startFakeJira(acmeSite()),
    config: configFor,
    log: { info: log('info'), warn: log('warn'), debug: log('debug') },
  });
  const run = () => e2e.run();

  it('stores ticket records of all three kinds, each dated, owned, attributed and mapped to both frameworks', async () => {
    const manifest = await run();
    expectFirstRun(manifest, e2e.fake, {
      deprovisioning_tickets: 5,
      provisioning_tickets: 2,
      access_review_tickets: 1,
    });

    const records = await storedRecords(e2e.locker, KINDS);
    expect(records).toHaveLength(8);
    for (const record of records) {
      expect(record.occurredAt).toMatch(/^2026-03-0[1-7]/);
      e2e.expectStored(record, {
        controlOwner: 'secops@acme.example',
        requestId: /^\d+x\d+x1$/,
        secrets: [API_TOKEN, Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')],
      });
      expect(record.owner.people.length).toBeGreaterThan(0);
      expect(record.controls['soc2-2017']).toEqual(expect.arrayContaining(['CC6.2', 'CC6.3']));
      expect(record.controls['iso27001-2022']).toContain('A.5.18');
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
    expectNothingNew(await run(), [5, 2, 1]);
  });

  it('claims the return of assets (A.5.11) only for tickets whose configured process covers it', async () => {
    const own = await tempLocker('cw-jira-assets-', NOW);
    const base = configFor(e2e.fake);
    const manifest = await runOnce({
      connector,
      connectorId: 'jira-acme',
      config: {
        ...base,
        kinds: { ...base.kinds, deprovisioning: { ...base.kinds.deprovisioning!, assetReturn: true } },
      },
      locker: own,
      window: WINDOW,
      now: NOW,
    });
    expect(manifest.status).toBe('succeeded');
    const claimed = await storedRecords(own, ['jira.deprovisioning_ticket']);
    expect(claimed).toHaveLength(5);
    for (const record of claimed) {
      expect((record.payload as { assetReturn?: boolean }).assetReturn).toBe(true);
      expect(record.controls['iso27001-2022']).toContain('A.5.11');
    }
    // Other kinds never state or claim it.
    for (const record of await storedRecords(own, ['jira.provisioning_ticket'])) {
      expect(record.payload).not.toHaveProperty('assetReturn');
      expect(record.controls['iso27001-2022']).not.toContain('A.5.11');
    }
  });

  it('records a failing collector in the manifest and still runs the others', async () => {
    e2e.fake.fault({
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
    const manifest = await runOnce({
      connector,
      connectorId: 'jira-unconfigured',
      config: {
        ...base,
        siteUrl: url,
        kinds: { deprovisioning: base.kinds!.deprovisioning },
        requests: { retries: 0 },
      },
      locker: e2e.locker,
      window: WINDOW,
      now: NOW,
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
