import {
  buildCoverage,
  type CoverageReport,
  type CoverageTallies,
  discoverConnectors,
  tallyCoverage,
} from '@crosswalk/export';
import { keys, type Locker } from '@crosswalk/locker';

/** How long tallies answer while every chain head stays put, before they are read again in the background. */
export const COVERAGE_REFRESH_MS = 30_000;
/**
 * Windows and scopes kept at most, least recently asked dropped first. An entry holds counts per kind and day
 * (a year of every kind: about 11,000 small entries, 1-2 MB) plus the window's run problems.
 */
const MAX_ENTRIES = 16;

/** A request's frameworks, controls and window, as given (the caller has validated them). */
interface Selection {
  frameworks: readonly string[];
  controls?: readonly string[] | null;
  from: string;
  to: string;
}

/** Each connector that matters (discoverConnectors) and the sequence of its chain's last link (0: none). */
type Heads = ReadonlyMap<string, number>;

interface Entry {
  /** The heads read before the tallies were: the tallies hold at least those runs. */
  token: string;
  tallies: CoverageTallies;
  computedAt: number;
  refreshing?: Promise<unknown>;
}

/**
 * Coverage reports of the API, built from tallies kept per scope and window and keyed by every connector's chain
 * head. A report is built per request (its `now`, evaluatedUntil and expected counts are the request's own);
 * what it is built from is read from the locker again whenever a head has moved since the tallies were read.
 *
 * Why that is enough: every record enters the locker through a run (collect, webhook batch, recovery), and a run
 * claims its chain link after storing its records and before its manifest, which the walk waits for. So a new
 * run, a late-collected record, a run of a new connector or a configured connector moves a head (or the set of
 * connectors) and the next request reads everything again: a request never sees less than the locker held when
 * it arrived. What a head does not show is an object removed or altered under an unchanged chain (the
 * write-once locker refuses it; a plain bucket does not): tallies older than COVERAGE_REFRESH_MS are read again
 * in the background while the previous ones answer, so such a break shows within COVERAGE_REFRESH_MS plus one
 * reading. Exports and `crosswalk locker verify-runs` always read everything.
 *
 * Per request when nothing moved: the connectors' listing (the config ids and one LIST per connector) and one
 * GET per connector (of the link after its known head, which answers 404), shared by the requests that arrive
 * while it is under way; none of the chain links, manifests or record keys.
 */
export class CoverageCache {
  private readonly entries = new Map<string, Entry>();
  private readonly computing = new Map<string, Promise<Entry>>();
  /** The last sequence seen per connector: links are claimed in order and never removed, so heads only grow. */
  private readonly known = new Map<string, number>();
  private probes = 0;
  private probe?: { number: number; heads: Promise<Heads>; settled: boolean };

  constructor(
    private readonly locker: Locker,
    private readonly refreshMs = COVERAGE_REFRESH_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The report for `selection` (already validated by the caller), as of the locker when this was called. */
  async report(
    selection: Selection,
    key: string,
    now: () => Date = () => new Date(),
  ): Promise<CoverageReport> {
    const heads = await this.heads();
    const token = JSON.stringify([...heads]);
    let entry = this.entries.get(key);
    if (!entry || entry.token !== token) entry = await this.compute(key, token, heads, selection);
    else if (this.clock() - entry.computedAt >= this.refreshMs) this.refresh(key, entry, heads, selection);
    // Most recently asked goes last: the first entry is the one dropped (unless a newer reading replaced it).
    if (this.entries.get(key) === entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return buildCoverage({ ...entry.tallies, now: now() });
  }

  /** Resolves once no reading of tallies is under way (for tests of the background refresh). */
  async idle(): Promise<void> {
    while (this.computing.size > 0) await Promise.allSettled([...this.computing.values()]);
  }

  /** Heads read after this call began: joins a probe started since, else starts one once the one before ends. */
  private async heads(): Promise<Heads> {
    const arrived = this.probes;
    for (;;) {
      const probe = this.probe;
      // A probe numbered after `arrived` started after this request did: what it sees is at least as recent.
      if (probe && probe.number > arrived) return probe.heads;
      if (probe && !probe.settled) {
        await probe.heads.catch(() => undefined);
        continue;
      }
      const started = { number: ++this.probes, heads: this.readHeads(), settled: false };
      started.heads.then(
        () => (started.settled = true),
        () => (started.settled = true),
      );
      this.probe = started;
      return started.heads;
    }
  }

  private async readHeads(): Promise<Heads> {
    const connectors = await discoverConnectors(this.locker);
    const heads = await Promise.all(
      connectors.map(async (connectorId) => [connectorId, await this.headOf(connectorId)] as const),
    );
    return new Map(heads);
  }

  /** The chain's last sequence: forward from the one last seen (from the head hint the first time). */
  private async headOf(connectorId: string): Promise<number> {
    const { store } = this.locker;
    let sequence = this.known.get(connectorId);
    if (sequence === undefined) {
      sequence = hintedSequence(await store.get(keys.chainHeadHintKey(connectorId)));
      // The hint is a mutable object written after its link: one naming a link that is not there is not trusted
      // (a head read too high would hide the runs below it); the links are walked from the first instead, once.
      if (sequence > 0 && !(await store.get(keys.chainLinkKey(connectorId, sequence)))) sequence = 0;
    }
    while (await store.get(keys.chainLinkKey(connectorId, sequence + 1))) sequence++;
    if (sequence > (this.known.get(connectorId) ?? 0)) this.known.set(connectorId, sequence);
    return sequence;
  }

  /** Tallies under `token`; requests for the same key and token share one reading. */
  private compute(key: string, token: string, heads: Heads, selection: Selection): Promise<Entry> {
    const shared = `${key}\n${token}`;
    const pending = this.computing.get(shared);
    if (pending) return pending;
    const computedAt = this.clock();
    const reading = tallyCoverage({ locker: this.locker, ...selection, connectors: [...heads.keys()] })
      .then((tallies) => {
        const entry: Entry = { token, tallies, computedAt };
        this.store(key, entry);
        return entry;
      })
      .finally(() => this.computing.delete(shared));
    this.computing.set(shared, reading);
    return reading;
  }

  /** Reads the tallies again behind the current ones; a failure leaves them answering until the next try. */
  private refresh(key: string, entry: Entry, heads: Heads, selection: Selection): void {
    if (entry.refreshing) return;
    entry.refreshing = this.compute(key, entry.token, heads, selection).then(
      () => undefined,
      () => {
        entry.refreshing = undefined;
      },
    );
  }

  private store(key: string, entry: Entry): void {
    const current = this.entries.get(key);
    // A reading that started before the one already kept must not replace it.
    if (current && current.computedAt > entry.computedAt) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/** The sequence a head hint names, or 0 (walk forward from the first link) when it is missing or unreadable. */
function hintedSequence(bytes: Uint8Array | undefined): number {
  if (!bytes) return 0;
  try {
    const sequence = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { sequence?: unknown }).sequence;
    return typeof sequence === 'number' && Number.isInteger(sequence) && sequence > 0 ? sequence : 0;
  } catch {
    return 0;
  }
}
