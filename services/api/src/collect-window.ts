import { MAX_WINDOW_YEARS } from '@crosswalk/assurance';

/**
 * What is wrong with a collection window [since, until) (fixed-width UTC instants), or undefined when it is
 * fine: the same rule as an export's window (at most MAX_WINDOW_YEARS calendar years), and not starting in the
 * future. A longer window is a full re-read of the source for decades nobody holds evidence for; collect long
 * periods in parts.
 */
export function collectWindowProblem(since: string, until: string, now = new Date()): string | undefined {
  if (since >= until) return 'must be after since';
  if (since > now.toISOString()) return 'the window starts in the future: nothing can be collected yet';
  const limit = new Date(since);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_WINDOW_YEARS);
  if (until > limit.toISOString()) {
    return `the window is longer than ${MAX_WINDOW_YEARS} years (until may be at most ${limit.toISOString()}): collect long periods in parts`;
  }
  return undefined;
}
