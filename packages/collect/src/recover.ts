import { randomUUID } from 'node:crypto';
import { type Clock, CrosswalkError, type EvidenceKind, evidenceKindIds, systemClock } from '@crosswalk/core';
import {
  type ChainReport,
  type ClaimCompletion,
  keys,
  type Locker,
  linkMeets,
  mapOrdered,
  type RunManifest,
  type TimeRange,
} from '@crosswalk/locker';

/** A stored record that no chained manifest of its connector lists. */
export interface UnvouchedRecord {
  id: string;
  kind: string;
  key: string;
  sha256: string;
  /** The run that stored it (its provenance): a run that died before its manifest, as a rule. */
  runId: string;
}

export interface UnvouchedOptions {
  locker: Locker;
  connectorId: string;
  /** occurredAt range; the whole history when absent. */
  range?: TimeRange;
  /** Kinds to look at; every kind when absent. */
  kinds?: readonly EvidenceKind[];
}

const ALL_TIME: TimeRange = { from: '0000-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' };

/**
 * Records a connector stored (their provenance says so) that no manifest on its chain vouches for: what a run
 * killed or failed before its manifest left behind, and which no retry collected again. The chain is walked (every
 * link checked; the manifests whose links meet the range read), the range's keys listed per kind, and only keys
 * no manifest lists are read, to see which connector stored them.
 */
export async function findUnvouched(
  options: UnvouchedOptions,
): Promise<{ chain: ChainReport; unvouched: UnvouchedRecord[] }> {
  const range = options.range ?? ALL_TIME;
  const kinds = new Set<string>(options.kinds ?? evidenceKindIds());
  const vouched = new Set<string>();
  const chain = await options.locker.runs.verifyChain(options.connectorId, options.range, {
    wants: (link) => linkMeets(link, kinds, range),
    onVisit: ({ manifest }) => {
      for (const record of manifest?.records ?? []) if (kinds.has(record.kind)) vouched.add(record.id);
    },
  });
  const unvouched: UnvouchedRecord[] = [];
  for (const kind of kinds) {
    const refs = options.locker.records.refs(kind as EvidenceKind, range);
    async function* notVouched() {
      for await (const ref of refs) if (!vouched.has(ref.id)) yield ref;
    }
    for await (const record of mapOrdered(notVouched(), 16, (ref) => options.locker.records.get(ref.key))) {
      if (record.provenance.connector.id !== options.connectorId) continue;
      unvouched.push({
        id: record.id,
        kind: record.kind,
        key: keys.evidenceKey(record),
        sha256: record.sha256,
        runId: record.provenance.runId,
      });
    }
  }
  return { chain, unvouched };
}

export interface RecoverOptions extends UnvouchedOptions {
  /** Who asked (`cli`, `worker`): the recovery run's trigger. */
  by: string;
  clock?: Clock;
  /** Links claimed this recently are left to their run (completeClaims). @defaultValue 15 s */
  claimedBeforeMs?: number;
}

export interface RecoverResult {
  /** The chain after the links were completed, as the adoption saw it. */
  chain: ChainReport;
  /** Links whose run died between claim and manifest, finished now from the manifest it staged. */
  completed: ClaimCompletion[];
  adopted: UnvouchedRecord[];
  manifest: RunManifest | null;
}

/** Times a recovery looks again after the chain moved under it before giving up for now. */
const ADOPT_ATTEMPTS = 20;

/**
 * Recovery after dead runs, in two steps:
 * 1. Links claimed by a run that died before writing its manifest are finished from the manifest it staged
 *    (`runs.completeClaims`): the chain is whole again and that manifest vouches for what the run stored.
 * 2. One chained manifest (trigger `recovery`) vouches for every record the connector stored in the range that no
 *    manifest lists, each read and proved first, naming the dead runs that stored them. It claims no collection:
 *    its `collectors` are empty, so coverage counts no day as collected because of it. Nothing to adopt: no
 *    manifest. It is appended only right after the head the check saw (`runs.appendAfter`): when another run
 *    appended meanwhile (another worker recovering the same records), the check is made again, so two
 *    recoveries at once make one statement.
 * A break that step 1 cannot mend is reported, not papered over: the caller sees `chain.problems`.
 */
export async function recoverUnvouched(options: RecoverOptions): Promise<RecoverResult> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now().toISOString();
  const completed = await options.locker.runs.completeClaims(options.connectorId, {
    ...(options.claimedBeforeMs === undefined ? {} : { olderThanMs: options.claimedBeforeMs }),
  });
  for (let attempt = 0; attempt < ADOPT_ATTEMPTS; attempt++) {
    const { chain, unvouched } = await findUnvouched(options);
    if (unvouched.length === 0) return { chain, completed, adopted: [], manifest: null };
    const first = await options.locker.records.get(unvouched[0]!.key);
    const range = options.range ?? ALL_TIME;
    const manifest = await options.locker.runs.appendAfter(
      {
        runId: randomUUID(),
        connectorId: options.connectorId,
        connectorType: first.provenance.connector.type,
        connectorVersion: first.provenance.connector.version,
        trigger: { type: 'recovery', by: options.by },
        window: { since: range.from, until: range.to },
        filter: {},
        startedAt,
        finishedAt: clock.now().toISOString(),
        status: 'succeeded',
        collectors: [],
        records: unvouched.map((u) => ({
          id: u.id,
          kind: u.kind,
          sha256: u.sha256,
          key: u.key,
          duplicate: true,
        })),
        recovers: [...new Set(unvouched.map((u) => u.runId))].sort(),
      },
      chain.head?.sequence ?? null,
    );
    if (manifest) return { chain, completed, adopted: unvouched, manifest };
  }
  throw new CrosswalkError(
    'CW_LOCKER_UNAVAILABLE',
    `the run chain of ${options.connectorId} kept moving while its dead runs were being recovered: try again`,
  );
}
