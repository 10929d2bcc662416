import {
  buildCoverage,
  type CoverageReport,
  type CoverageTallies,
  tallyCoverage,
} from '@crosswalk/assurance';
import type { Locker } from '@crosswalk/locker';
import { HeadKeyedCache } from './head-keyed-cache.js';

/** How long tallies answer while every chain head stays put, before they are read again in the background. */
export const COVERAGE_REFRESH_MS = 30_000;
/**
 * Windows and scopes kept at most, least recently asked dropped first. An entry holds counts per kind and day
 * (a year of every kind: about 11,000 small entries, 1-2 MB) plus the window's run problems.
 */
const MAX_ENTRIES = 16;
/** Tallies are read again in the background no sooner than this many times their last reading took. */
const PACE_FACTOR = 10;

/** A request's frameworks, controls and window, as given (the caller has validated them). */
interface Selection {
  frameworks: readonly string[];
  controls?: readonly string[] | null;
  from: string;
  to: string;
}

/**
 * Coverage reports of the API, built from tallies kept per scope and window and keyed by every connector's chain
 * head (head-keyed-cache.ts says why that is enough). A report is built per request (its `now`, evaluatedUntil
 * and expected counts are the request's own); the tallies it is built from are read from record keys and run
 * manifests again whenever a head has moved since they were read.
 */
export class CoverageCache {
  private readonly tallies: HeadKeyedCache<CoverageTallies>;

  constructor(
    private readonly locker: Locker,
    refreshMs = COVERAGE_REFRESH_MS,
    clock: () => number = Date.now,
  ) {
    // Read again no sooner than 10 readings' time (a year's tallies take tens of seconds on a busy S3), unless
    // refreshMs is 0: then at every request, as asked.
    this.tallies = new HeadKeyedCache(locker, {
      refreshMs,
      maxEntries: MAX_ENTRIES,
      clock,
      paceFactor: refreshMs > 0 ? PACE_FACTOR : 0,
    });
  }

  /** The report for `selection` (already validated by the caller), as of the locker when this was called. */
  async report(
    selection: Selection,
    key: string,
    now: () => Date = () => new Date(),
  ): Promise<CoverageReport> {
    const tallies = await this.tallies.get(key, (connectors) =>
      tallyCoverage({ locker: this.locker, ...selection, connectors: [...connectors] }),
    );
    const at = now();
    // A report depends on the time only through evaluatedUntil = min(to, now) and generatedAt: once the window
    // has ended it is the same report for the same tallies, so it is built once and stamped per request.
    const built = this.built.get(tallies);
    if (built) return { ...built, generatedAt: at.toISOString() };
    const report = buildCoverage({ ...tallies, now: at });
    if (report.evaluatedUntil === report.window.to) this.built.set(tallies, report);
    return report;
  }

  /** Reports of windows that have ended, per the tallies they were built from (dropped with them). */
  private readonly built = new WeakMap<CoverageTallies, CoverageReport>();

  /** Resolves once no reading of tallies is under way (for tests of the background refresh). */
  idle(): Promise<void> {
    return this.tallies.idle();
  }
}
