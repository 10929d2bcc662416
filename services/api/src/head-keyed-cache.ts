import { discoverConnectors } from '@crosswalk/assurance';
import { keys, type Locker } from '@crosswalk/locker';

/** Each connector that matters (discoverConnectors) and the sequence of its chain's last link (0: none). */
export type Heads = ReadonlyMap<string, number>;

export interface HeadKeyedCacheOptions {
  /** How long a value answers while every chain head stays put, before it is read again in the background. */
  refreshMs: number;
  /** Values kept at most, least recently asked dropped first. */
  maxEntries: number;
  /**
   * A value is read again in the background no sooner than this many times as long as its reading took, so a
   * window that takes 30 s to read is not read over and over while it is asked (0: refreshMs alone decides).
   */
  paceFactor?: number;
  clock?: () => number;
}

interface Entry<T> {
  /** The heads read before the value was: it holds at least those runs. */
  token: string;
  value: T;
  computedAt: number;
  /** How long its reading took. */
  readingMs: number;
  refreshing?: Promise<unknown>;
}

/**
 * Values read from the locker's evidence (coverage tallies, control test results), kept per key and keyed by
 * every connector's chain head: a value is read again whenever a head has moved since it was read.
 *
 * Why that is enough: every record enters the locker through a run (collect, webhook batch, recovery), and a run
 * claims its chain link after storing its records and before its manifest, which readers wait for. So a new
 * run, a late-collected record, a run of a new connector or a configured connector moves a head (or the set of
 * connectors) and the next request reads everything again: a request never sees less than the locker held when
 * it arrived. What a head does not show is an object removed or altered under an unchanged chain (the
 * write-once locker refuses it; a plain bucket does not): values older than `refreshMs` are read again in the
 * background while the previous ones answer, so such a break shows within `refreshMs` plus one reading.
 * Exports and `crosswalk locker verify-runs` always read everything.
 *
 * Per request when nothing moved: one round of requests (readHeads), shared by the requests that arrive while it
 * is under way: the config listing, one one-key chain listing per known chain plus one, and one GET per connector
 * (of the link after its known head, which answers 404); none of the chain links, manifests or records.
 */
export class HeadKeyedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly computing = new Map<string, Promise<Entry<T>>>();
  private readonly chain: ChainHeads;
  private readonly clock: () => number;

  constructor(
    locker: Locker,
    private readonly options: HeadKeyedCacheOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.chain = chainHeadsOf(locker);
  }

  /**
   * The value under `key` as of the locker when this was called; `read` (given the connectors whose heads were
   * read) computes it when none is kept for the current heads. Requests for the same key and heads share one.
   */
  async get(
    key: string,
    read: (connectors: readonly string[]) => Promise<T>,
    probed: Promise<Heads> = this.chain.read(),
  ): Promise<T> {
    const heads = await probed;
    const token = JSON.stringify([...heads]);
    let entry = this.entries.get(key);
    if (!entry || entry.token !== token) entry = await this.compute(key, token, heads, read);
    else if (this.clock() - entry.computedAt >= this.refreshAfter(entry))
      this.refresh(key, entry, heads, read);
    // Most recently asked goes last: the first entry is the one dropped (unless a newer reading replaced it).
    if (this.entries.get(key) === entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  private refreshAfter(entry: Entry<T>): number {
    return Math.max(this.options.refreshMs, (this.options.paceFactor ?? 0) * entry.readingMs);
  }

  /** Resolves once no reading is under way (for tests of the background refresh). */
  async idle(): Promise<void> {
    while (this.computing.size > 0) await Promise.allSettled([...this.computing.values()]);
  }

  /** Heads read after this call began (ChainHeads.read), shared with every cache over the same locker. */
  heads(): Promise<Heads> {
    return this.chain.read();
  }

  /** The value under `token`; requests for the same key and token share one reading. */
  private compute(
    key: string,
    token: string,
    heads: Heads,
    read: (connectors: readonly string[]) => Promise<T>,
  ): Promise<Entry<T>> {
    const shared = `${key}\n${token}`;
    const pending = this.computing.get(shared);
    if (pending) return pending;
    const computedAt = this.clock();
    const reading = read([...heads.keys()])
      .then((value) => {
        const entry: Entry<T> = { token, value, computedAt, readingMs: this.clock() - computedAt };
        this.store(key, entry);
        return entry;
      })
      .finally(() => this.computing.delete(shared));
    this.computing.set(shared, reading);
    return reading;
  }

  /** Reads the value again behind the current one; a failure leaves it answering until the next try. */
  private refresh(
    key: string,
    entry: Entry<T>,
    heads: Heads,
    read: (connectors: readonly string[]) => Promise<T>,
  ): void {
    if (entry.refreshing) return;
    entry.refreshing = this.compute(key, entry.token, heads, read).then(
      () => undefined,
      () => {
        entry.refreshing = undefined;
      },
    );
  }

  private store(key: string, entry: Entry<T>): void {
    const current = this.entries.get(key);
    // A reading that started before the one already kept must not replace it.
    if (current && current.computedAt > entry.computedAt) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

/**
 * The chain heads of a locker, read by one probe at a time for every cache over it (coverage and control tests
 * share it), so the requests of both routes arriving together wait for one round of requests, not one each.
 */
class ChainHeads {
  /** The last sequence seen per connector: links are claimed in order and never removed, so heads only grow. */
  private readonly known = new Map<string, number>();
  /** Connectors with a chain, as of the last probe (undefined before the first: then they are discovered). */
  private chained: string[] | undefined;
  /** Connector configs, as of the last probe. */
  private configured: string[] = [];
  private probes = 0;
  private probe?: { number: number; heads: Promise<Heads>; settled: boolean };

  constructor(private readonly locker: Locker) {}

  /**
   * Heads read after this call began: joins a probe started since, else starts one once the one before ends. A
   * caller that has other reading to do first starts this at once and hands it to `get`.
   */
  async read(): Promise<Heads> {
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

  /**
   * Every connector's head. The first time, the connectors are discovered by walking the chains; after that the
   * set is checked in one round of requests, at once with the heads of the connectors already known: the config
   * listing, and for each gap between known chained connectors (before the first, between two, after the last)
   * the first chain key after it. A gap that holds a connector's chain, or a config of an unknown one, adds it
   * (and its head is read then). So a probe with nothing new costs one round of requests, not one per connector.
   */
  private async readHeads(): Promise<Heads> {
    const chained = this.chained;
    if (!chained) {
      const connectors = await discoverConnectors(this.locker);
      const heads = await Promise.all(connectors.map(async (id) => [id, await this.headOf(id)] as const));
      this.chained = heads.flatMap(([id, head]) => (head > 0 ? [id] : []));
      // discoverConnectors lists configured connectors too: those without a chain can only be configured ones.
      this.configured = heads.flatMap(([id, head]) => (head > 0 ? [] : [id]));
      return new Map(heads);
    }
    const known = [...new Set([...chained, ...this.configured])].sort();
    const [configured, unseen, knownHeads] = await Promise.all([
      this.configIds(),
      Promise.all(['', ...chained].map((after) => this.nextChained(after))),
      Promise.all(known.map(async (id) => [id, await this.headOf(id)] as const)),
    ]);
    const fresh = [
      ...new Set([...configured, ...unseen.flatMap((id) => (id && !chained.includes(id) ? [id] : []))]),
    ].filter((id) => !known.includes(id));
    const freshHeads = await Promise.all(fresh.map(async (id) => [id, await this.headOf(id)] as const));
    const heads = new Map(
      [...knownHeads, ...freshHeads].filter(([id, head]) => head > 0 || configured.includes(id)),
    );
    this.configured = configured;
    this.chained = [...heads].flatMap(([id, head]) => (head > 0 ? [id] : [])).sort();
    return new Map([...heads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private async configIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const id of this.locker.configs.ids()) ids.push(id);
    return ids;
  }

  /** The connector of the first chain key after `after`'s chain ('' = from the start), or undefined. */
  private async nextChained(after: string): Promise<string | undefined> {
    // '~' sorts after every character a link or hint name uses (digits, 'head.json').
    const options = after ? { pageSize: 1, startAfter: `chain/${after}/~` } : { pageSize: 1 };
    for await (const object of this.locker.store.list('chain/', options)) {
      return /^chain\/([^/]+)\//.exec(object.key)?.[1];
    }
    return undefined;
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
}

const chainHeads = new WeakMap<Locker, ChainHeads>();

function chainHeadsOf(locker: Locker): ChainHeads {
  let heads = chainHeads.get(locker);
  if (!heads) {
    heads = new ChainHeads(locker);
    chainHeads.set(locker, heads);
  }
  return heads;
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
