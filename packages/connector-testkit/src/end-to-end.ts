import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConnector } from '@crosswalk/collect';
import {
  type ConnectorDefinition,
  type EvidenceKind,
  type EvidenceRecord,
  fixedClock,
} from '@crosswalk/core';
import { FsObjectStore, Locker } from '@crosswalk/locker';
import { afterAll, beforeAll, expect } from 'vitest';

type RunManifest = Awaited<ReturnType<typeof runConnector>>;

/** A filesystem locker in a new temporary folder, on a fixed clock: what a connector's end-to-end test stores into. */
export async function tempLocker(prefix: string, now: string): Promise<Locker> {
  return new Locker(new FsObjectStore(await mkdtemp(path.join(tmpdir(), prefix))), {
    clock: fixedClock(now),
  });
}

type RunOptions = Parameters<typeof runConnector>[0];

/** The runner's options, with the clock given as the time it reads and a manual trigger unless one is named. */
export type RunOnceOptions = Omit<RunOptions, 'clock' | 'trigger'> & {
  /** The run's clock: every record's `collectedAt`. */
  now: string;
  trigger?: RunOptions['trigger'];
};

/** One run of a connector's collectors, as the runner makes it. */
export function runOnce({ now, trigger, ...options }: RunOnceOptions): Promise<RunManifest> {
  return runConnector({
    ...options,
    trigger: trigger ?? { type: 'manual', by: 'test' },
    clock: fixedClock(now),
  });
}

/** Every record of these kinds the locker holds for the first quarter of 2026 (where the fakes' histories lie). */
export async function storedRecords(
  locker: Locker,
  kinds: readonly EvidenceKind[],
  range = { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
): Promise<EvidenceRecord[]> {
  const records: EvidenceRecord[] = [];
  for (const kind of kinds) {
    for await (const record of locker.records.list(kind, range)) records.push(record);
  }
  return records;
}

export interface StoredRecordRules {
  connector: ConnectorDefinition;
  connectorId: string;
  now: string;
  controlOwner: string;
  /** What the fake's request ids look like: each provenance request must cite one. */
  requestId: RegExp;
  /** Must appear nowhere in the record. */
  secrets: readonly string[];
}

/**
 * What every stored record owes an auditor whatever its source: collected when the run ran, owned, attributed to
 * the connector with the requests behind it (each citing the source's request id), mapped to both frameworks, and
 * free of the credentials.
 */
export function expectStoredRecord(record: EvidenceRecord, rules: StoredRecordRules): void {
  expect(record.collectedAt).toBe(rules.now);
  expect(record.owner.controlOwner).toBe(rules.controlOwner);
  expect(record.source.system).toBe(rules.connector.type);
  expect(record.provenance.connector).toEqual({
    id: rules.connectorId,
    type: rules.connector.type,
    version: rules.connector.version,
  });
  expect(record.provenance.requests.length).toBeGreaterThan(0);
  for (const request of record.provenance.requests) expect(request.requestId).toMatch(rules.requestId);
  expect(record.controls['soc2-2017'].length).toBeGreaterThan(0);
  expect(record.controls['iso27001-2022'].length).toBeGreaterThan(0);
  const text = JSON.stringify(record);
  for (const secret of rules.secrets) expect(text).not.toContain(secret);
}

/**
 * A first run: it succeeds, each collector (in the connector's order) stored the records expected of it without an
 * error, and the fake met no request or answer off its vendor's description.
 */
export function expectFirstRun(
  manifest: RunManifest,
  fake: { violations: readonly unknown[] },
  stored: Readonly<Record<string, number>>,
): void {
  expect(manifest.status).toBe('succeeded');
  expect(manifest.collectors.map((c) => [c.id, c.status, c.stored, c.error])).toEqual(
    Object.entries(stored).map(([id, count]) => [id, 'succeeded', count, null]),
  );
  expect(fake.violations).toEqual([]);
}

/** A rerun of the same window: it succeeds and vouches for what it met, and every record it met was stored before. */
export function expectNothingNew(manifest: RunManifest, duplicatesPerCollector: readonly number[]): void {
  expect(manifest.status).toBe('succeeded');
  expect(manifest.records.length).toBeGreaterThan(0);
  expect(manifest.records.filter((record) => !record.duplicate)).toEqual([]);
  expect(manifest.collectors.map((c) => c.stored)).toEqual(duplicatesPerCollector.map(() => 0));
  expect(manifest.collectors.map((c) => c.duplicates)).toEqual(duplicatesPerCollector);
}

export interface EndToEndSetup<Fake> {
  connector: ConnectorDefinition;
  connectorId: string;
  /** The temporary folder's prefix: `cw-github-e2e-`. */
  prefix: string;
  now: string;
  window: { since: string; until: string };
  start: () => Promise<Fake>;
  config: (fake: Fake) => unknown;
  log?: RunOptions['log'];
}

/**
 * One fake and one filesystem locker for a `describe` block (started before its tests, the fake closed after), and
 * `run` to run every collector of the connector into that locker, with the fake's config or another.
 */
export function endToEnd<Fake extends { close(): Promise<void> }>(setup: EndToEndSetup<Fake>) {
  const state: { fake?: Fake; locker?: Locker } = {};
  beforeAll(async () => {
    state.fake = await setup.start();
    state.locker = await tempLocker(setup.prefix, setup.now);
  });
  afterAll(() => state.fake?.close());
  return {
    get fake(): Fake {
      return state.fake!;
    },
    get locker(): Locker {
      return state.locker!;
    },
    /** expectStoredRecord with this setup's connector, connector id and clock. */
    expectStored: (
      record: EvidenceRecord,
      rules: Omit<StoredRecordRules, 'connector' | 'connectorId' | 'now'>,
    ) =>
      expectStoredRecord(record, {
        ...rules,
        connector: setup.connector,
        connectorId: setup.connectorId,
        now: setup.now,
      }),
    run: (config: unknown = setup.config(state.fake!)) =>
      runOnce({
        connector: setup.connector,
        connectorId: setup.connectorId,
        config,
        locker: state.locker!,
        window: setup.window,
        now: setup.now,
        ...(setup.log ? { log: setup.log } : {}),
      }),
  };
}
