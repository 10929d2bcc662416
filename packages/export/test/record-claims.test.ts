import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controlsFor } from '@crosswalk/controls';
import type { EvidenceDraft } from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { runDraft } from '@crosswalk/locker/testing';
import { describe, expect, it } from 'vitest';
import { exportToFile, parseCsv } from '../src/index.js';
import { readZip, testSigningKey } from './fixtures.js';

/**
 * A record may claim a control its kind does not (controls' recordClaims): a deprovisioning ticket claims A.5.11 only
 * when it states that its process covers the return of assets. A population row shows each record's own mapping.
 */
const KIND = 'jira.deprovisioning_ticket';
const WINDOW = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };

function ticket(key: string, resolvedAt: string, assetReturn: boolean): EvidenceDraft<typeof KIND> {
  const payload = {
    key,
    project: 'IT',
    issueType: 'Offboarding',
    summary: `Offboard ${key.toLowerCase()}@acme.example`,
    status: 'Done',
    statusCategory: 'done',
    resolution: 'Done',
    createdAt: '2026-03-01T09:00:00.000Z',
    resolvedAt,
    reporter: { login: 'hr' },
    assignee: { login: 'it-ops' },
    resolvedBy: { login: 'it-ops' },
    approver: { login: 'it-ops' },
    approvedAt: resolvedAt,
    approvedStatus: 'Done',
    approvedByReporter: false,
    approvedBySubject: false,
    subject: { email: `${key.toLowerCase()}@acme.example` },
    subjectSource: 'summary' as const,
    statusHistory: [],
    assetReturn,
  };
  return {
    kind: KIND,
    occurredAt: resolvedAt,
    collectedAt: resolvedAt,
    owner: { people: [{ login: 'it-ops' }], controlOwner: 'security@acme.example' },
    actors: [],
    source: { system: 'jira', instance: 'acme.atlassian.net', ref: key, url: null },
    controls: controlsFor(KIND, payload),
    payload,
    provenance: {
      connector: { id: 'jira-acme', type: 'jira', version: '0.1.0' },
      collector: 'deprovisioning_tickets',
      runId: 'run-1',
      trigger: { type: 'manual', by: 'test' },
      requests: [],
    },
  };
}

describe('an export of tickets that claim a control record by record', () => {
  it("shows each ticket's own ISO controls: A.5.11 only on the one whose process covers asset return", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cw-record-claims-'));
    const locker = new Locker(new FsObjectStore(path.join(dir, 'locker')));
    const records = [];
    for (const draft of [
      ticket('IT-1', '2026-03-02T10:00:00.000Z', true),
      ticket('IT-2', '2026-03-03T10:00:00.000Z', false),
    ]) {
      const stored = await locker.storeDraft(draft);
      records.push({ id: stored.id, kind: KIND, sha256: stored.sha256, key: stored.key });
    }
    const startedAt = '2026-03-04T00:00:00.000Z';
    await locker.runs.append(
      runDraft({
        runId: 'run-1',
        connectorId: 'jira-acme',
        connectorType: 'jira',
        trigger: { type: 'manual', by: 'test' },
        startedAt,
        records,
      }),
    );
    const file = path.join(dir, 'iso.zip');
    const result = await exportToFile(file, {
      locker,
      frameworks: ['iso27001'],
      controls: ['A.5.16', 'A.5.11'],
      from: WINDOW.from,
      to: WINDOW.to,
      signingKey: await testSigningKey(),
      generator: { name: 'crosswalk', version: '0.1.0-test' },
      now: new Date('2026-05-01T00:00:00.000Z'),
      connectors: ['jira-acme'],
    });
    // The kind as a whole is not evidence of A.5.11: no population claims it for the kind.
    expect(result.scope.controls.map((c) => [c.id, [...c.kinds]])).toEqual([
      ['A.5.11', []],
      ['A.5.16', expect.arrayContaining([KIND])],
    ]);
    const entries = await readZip(file);
    const [header, ...rows] = parseCsv(entries.get(`populations/${KIND}.csv`)!.toString('utf8'));
    const iso = header!.indexOf('iso');
    const sourceRef = header!.indexOf('sourceRef');
    const byTicket = Object.fromEntries(rows.map((row) => [row[sourceRef], row[iso]!.split(';')]));
    expect(byTicket['IT-1']).toContain('A.5.11');
    expect(byTicket['IT-2']).not.toContain('A.5.11');
    expect(byTicket['IT-2']).toContain('A.5.16');
  });
});
