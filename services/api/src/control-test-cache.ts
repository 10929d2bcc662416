import {
  type ControlTestResult,
  newSeed,
  type Register,
  type RegisterSource,
  type Remediation,
  testControls,
  withRemediations,
  withSeed,
} from '@crosswalk/assurance';
import type { Locker } from '@crosswalk/locker';
import { HeadKeyedCache, type Heads } from './head-keyed-cache.js';
import { RemediationIndex } from './remediation-index.js';

/** How long results answer while every chain head stays put, before they are read again in the background. */
export const CONTROL_TESTS_REFRESH_MS = 900_000;
/**
 * Windows (per register) kept at most. An entry holds every control's result with its population rows: a year
 * of 100,000 records is 100,000 rows, some 60-100 MB, so only the last two windows asked are kept.
 */
const MAX_WINDOWS = 2;
/** Results are read again in the background no sooner than this many times their last reading took. */
const PACE_FACTOR = 10;
/** Samples drawn with a seed other than the reading's, kept per window, control and seed. */
const MAX_SAMPLES = 64;
/** The seed results are read with; a request's own seed draws its sample from the kept rows (withSeed). */
const READING_SEED = 'crosswalk-kept-reading';

type Results = ReadonlyMap<string, ControlTestResult>;

/** What an answer reads from the locker besides the register, started together (ControlTestCache.begin). */
export interface Begun {
  heads: Promise<Heads>;
  remediations: Promise<Map<string, Remediation[]>>;
}

/** A promise awaited later: a rejection before then is not unhandled (the later await still sees it). */
function handledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Control test results of the API, kept per register version and window and keyed by every connector's chain
 * head (head-keyed-cache.ts says why that is enough for evidence): one testControls pass over every control of
 * the register reads each kind once, and answers the overview and each control's page until a head moves.
 *
 * What is not evidence is applied per answer instead: the remediations stored now (RemediationIndex: one
 * listing, new ones read once), so an exception remediated a moment ago shows so at the next request; and the
 * request's seed, whose sample is drawn from the kept population rows (the draw a fresh test makes for it).
 */
export class ControlTestCache {
  private readonly results: HeadKeyedCache<Results>;
  private readonly remediations: RemediationIndex;
  private readonly samples = new Map<string, ControlTestResult['sample']>();

  constructor(
    private readonly locker: Locker,
    refreshMs = CONTROL_TESTS_REFRESH_MS,
    clock: () => number = Date.now,
  ) {
    this.results = new HeadKeyedCache(locker, {
      refreshMs,
      maxEntries: MAX_WINDOWS,
      clock,
      paceFactor: refreshMs > 0 ? PACE_FACTOR : 0,
    });
    this.remediations = new RemediationIndex(locker);
  }

  /**
   * Starts reading the chain heads and the remediations at once, so a request that reads the register meanwhile
   * waits for one round of requests, not three in a row. Hand the result to `all` or `one`.
   */
  begin(): Begun {
    return {
      heads: handledLater(this.results.heads()),
      remediations: handledLater(this.remediations.byControl()),
    };
  }

  /** Every control of `register` over `window` (validated by the caller), remediations as stored now. */
  async all(
    register: Register,
    source: RegisterSource,
    window: { from: string; to: string },
    begun: Begun = this.begin(),
  ): Promise<ControlTestResult[]> {
    const results = await this.read(register, source, window, begun.heads);
    const remediations = await begun.remediations;
    return [...results.values()].map((r) => withRemediations(r, remediations.get(r.control.id) ?? []));
  }

  /** One control's result over `window`, its sample drawn with `seed` (a fresh one when none is given). */
  async one(
    register: Register,
    source: RegisterSource,
    control: string,
    window: { from: string; to: string },
    seed: string = newSeed(),
    begun: Begun = this.begin(),
  ): Promise<ControlTestResult> {
    const results = await this.read(register, source, window, begun.heads);
    const kept = results.get(control);
    if (!kept) throw new Error(`no kept result for ${control}`);
    const remediations = (await begun.remediations).get(control) ?? [];
    const result = withRemediations(kept, remediations);
    if (seed === kept.sample.seed) return result;
    const key = JSON.stringify([source, window.from, window.to, control, kept.population.sha256, seed]);
    let sample = this.samples.get(key);
    if (!sample) {
      sample = withSeed(kept, seed).sample;
      this.samples.set(key, sample);
      while (this.samples.size > MAX_SAMPLES) this.samples.delete(this.samples.keys().next().value!);
    }
    return { ...result, sample };
  }

  /** Resolves once no reading is under way (for tests). */
  idle(): Promise<void> {
    return this.results.idle();
  }

  private read(
    register: Register,
    source: RegisterSource,
    window: { from: string; to: string },
    heads: Promise<Heads>,
  ) {
    return this.results.get(
      JSON.stringify([source, window.from, window.to]),
      async () => {
        const tested = await testControls({
          locker: this.locker,
          register,
          registerSource: source,
          controls: register.controls.map((c) => c.id),
          ...window,
          seed: READING_SEED,
        });
        return new Map(tested.map((r) => [r.control.id, r]));
      },
      heads,
    );
  }
}
